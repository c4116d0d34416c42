/** Placeholder: replaced by the feature's page. */
export function EntryPage() {
  return <div data-testid="placeholder">EntryPage</div>;
}
