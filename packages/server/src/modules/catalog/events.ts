import type { EventRegistry } from '../events/registry.js';
import { categoryDefined } from './events-categories.js';
import { lotRegistered, stockAdjusted } from './events-inventory.js';
import { modelDeprecated, modelPublished } from './events-models.js';
import { productDelisted, productListed, productReinstated, productSuspended } from './events-product-status.js';
import { productPublished } from './events-products.js';

/** Adds the catalog's event types to the registry (called from modules/index.ts). */
export function registerCatalogEvents(registry: EventRegistry): void {
  registry
    .register(categoryDefined)
    .register(modelPublished)
    .register(modelDeprecated)
    .register(productPublished)
    .register(lotRegistered)
    .register(stockAdjusted)
    .register(productListed)
    .register(productDelisted)
    .register(productSuspended)
    .register(productReinstated);
}
