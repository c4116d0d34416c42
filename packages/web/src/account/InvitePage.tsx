/** Placeholder: replaced by the feature's page. */
export function InvitePage() {
  return <div data-testid="placeholder">InvitePage</div>;
}
