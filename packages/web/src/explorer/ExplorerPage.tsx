/** Placeholder: replaced by the feature's page. */
export function ExplorerPage() {
  return <div data-testid="placeholder">ExplorerPage</div>;
}
