/** Placeholder: replaced by the feature's page. */
export function ProductPage() {
  return <div data-testid="placeholder">ProductPage</div>;
}
