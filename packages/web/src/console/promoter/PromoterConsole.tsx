/** Placeholder: replaced by the promoter console. */
export function PromoterConsole() {
  return <div data-testid="placeholder">PromoterConsole</div>;
}
