/** Placeholder: replaced by the producer console. */
export function ProducerConsole() {
  return <div data-testid="placeholder">ProducerConsole</div>;
}
