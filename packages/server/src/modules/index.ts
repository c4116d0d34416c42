import { registerCatalogEvents } from './catalog/events.js';
import { registerConsensusEvents } from './consensus/events.js';
import { registerDistributionEvents } from './distribution/events.js';
import { EventRegistry } from './events/registry.js';
import { IDENTITY_EVENTS } from './identity/events.js';
import { ORDER_EVENTS } from './orders/events.js';
import { registerSettlementEvents } from './settlement/events.js';

/** Every module's event types. A new module adds its list here; the pipeline stays as it is. */
export function createRegistry(): EventRegistry {
  const registry = new EventRegistry();
  for (const definition of IDENTITY_EVENTS) registry.register(definition);
  registerCatalogEvents(registry);
  for (const definition of ORDER_EVENTS) registry.register(definition);
  registerDistributionEvents(registry);
  registerConsensusEvents(registry);
  registerSettlementEvents(registry);
  return registry;
}
