import type { EventRegistry } from '../events/registry.js';
import { bindingCreated } from './bindings.js';
import { promoterLevelChanged } from './levels-job.js';
import { linkCreated } from './links.js';
import { depositCut, producerRated } from './ratings.js';
import { reviewApproved, reviewRejected } from './reviews.js';

export function registerDistributionEvents(registry: EventRegistry): void {
  registry.register(linkCreated);
  registry.register(bindingCreated);
  registry.register(reviewApproved);
  registry.register(reviewRejected);
  registry.register(promoterLevelChanged);
  registry.register(producerRated);
  registry.register(depositCut);
}
