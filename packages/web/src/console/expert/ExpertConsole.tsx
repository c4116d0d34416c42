/** Placeholder: replaced by the expert console. */
export function ExpertConsole() {
  return <div data-testid="placeholder">ExpertConsole</div>;
}
