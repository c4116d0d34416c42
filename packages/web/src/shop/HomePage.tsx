/** Placeholder: replaced by the feature's page. */
export function HomePage() {
  return <div data-testid="placeholder">HomePage</div>;
}
