/** Placeholder: replaced by the feature's page. */
export function WalletPage() {
  return <div data-testid="placeholder">WalletPage</div>;
}
