/** Placeholder: replaced by the nominator console. */
export function NominatorConsole() {
  return <div data-testid="placeholder">NominatorConsole</div>;
}
