/** Placeholder: replaced by the feature's page. */
export function CheckoutPage() {
  return <div data-testid="placeholder">CheckoutPage</div>;
}
