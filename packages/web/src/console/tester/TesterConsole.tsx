/** Placeholder: replaced by the tester console. */
export function TesterConsole() {
  return <div data-testid="placeholder">TesterConsole</div>;
}
