import type { EventRegistry } from '../events/registry.js';
import { bindingCreated } from './bindings.js';
import { linkCreated } from './links.js';

export function registerDistributionEvents(registry: EventRegistry): void {
  registry.register(linkCreated);
  registry.register(bindingCreated);
}
