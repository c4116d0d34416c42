/** Placeholder: replaced by the feature's page. */
export function SearchPage() {
  return <div data-testid="placeholder">SearchPage</div>;
}
