/** Placeholder: replaced by the operator console. */
export function OperatorConsole() {
  return <div data-testid="placeholder">OperatorConsole</div>;
}
