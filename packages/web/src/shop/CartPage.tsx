/** Placeholder: replaced by the feature's page. */
export function CartPage() {
  return <div data-testid="placeholder">CartPage</div>;
}
