/** Placeholder: replaced by the feature's page. */
export function OrdersPage() {
  return <div data-testid="placeholder">OrdersPage</div>;
}
