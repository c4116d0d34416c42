/** Placeholder: replaced by the feature's page. */
export function MePage() {
  return <div data-testid="placeholder">MePage</div>;
}
