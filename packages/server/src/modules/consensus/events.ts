import type { EventRegistry } from '../events/registry.js';

/** The consensus module's event types (each file defines its own; this list registers them). */
export function registerConsensusEvents(registry: EventRegistry): void {
  void registry;
}
