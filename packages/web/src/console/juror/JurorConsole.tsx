/** Placeholder: replaced by the juror console. */
export function JurorConsole() {
  return <div data-testid="placeholder">JurorConsole</div>;
}
