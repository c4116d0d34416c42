/** Placeholder: replaced by the feature's page. */
export function OrderPage() {
  return <div data-testid="placeholder">OrderPage</div>;
}
