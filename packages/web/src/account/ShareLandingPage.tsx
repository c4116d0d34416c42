/** Placeholder: replaced by the feature's page. */
export function ShareLandingPage() {
  return <div data-testid="placeholder">ShareLandingPage</div>;
}
