/** Placeholder: replaced by the custodian console. */
export function CustodianConsole() {
  return <div data-testid="placeholder">CustodianConsole</div>;
}
