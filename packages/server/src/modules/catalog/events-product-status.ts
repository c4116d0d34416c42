import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/connection.js';
import { AppError, conflict, unprocessable } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { depositHeld, depositRequirement } from './deposits.js';
import { lockOwnProduct, lockProduct } from './product-lock.js';
import { ENTITY_ID, text } from './schema.js';
import { type ProductStatus, products } from './tables.js';

// Advisory lock class of "a producer's listings": listings of one producer take turns, so two
// of them cannot both count on the same deposit.
const LISTING_LOCK_CLASS = 5005;

const PRODUCT_BODY = z.object({ productId: ENTITY_ID }).strict();

async function setStatus(
  tx: Tx,
  productId: string,
  status: ProductStatus,
  eventId: bigint,
  now: Date,
  extra: { listedAt?: Date | null; suspendedReason?: string | null } = {},
) {
  await tx
    .update(products)
    .set({ status, statusEventId: eventId, updatedAt: now, ...extra })
    .where(eq(products.id, productId));
  return { productId, status };
}

/** The producer lists a draft or delisted product, if their deposit covers every category they list in. */
export const productListed = defineEvent({
  type: 'catalog.product.listed',
  summary: 'List your draft or delisted product; needs the deposit of every category you list in.',
  body: PRODUCT_BODY,
  allowed: ['producer'],
  async handle({ tx, actor, eventId, now }, { productId }) {
    await tx.execute(sql`select pg_advisory_xact_lock(${LISTING_LOCK_CLASS}, hashtext(${actor}))`);
    const product = await lockOwnProduct(tx, productId, actor);
    if (product.status === 'listed')
      throw conflict('already_listed', `Product ${productId} is listed already.`, 'body.productId');
    if (product.status === 'suspended') {
      throw conflict('product_suspended', `Product ${productId} is suspended by the operator.`, 'body.productId');
    }
    const requirement = await depositRequirement(tx, actor, product.category);
    const held = await depositHeld(tx, actor);
    if (held < requirement.requiredFen) {
      const each = requirement.categories.map((c) => `${c.slug} ${c.depositFen}`).join(', ');
      throw unprocessable(
        'deposit_required',
        `Listing needs a deposit of ${requirement.requiredFen} fen (${each}); you hold ${held} fen. Pay the ${requirement.requiredFen - held} fen missing with POST /v1/catalog/deposits.`,
        'body.productId',
      );
    }
    return setStatus(tx, productId, 'listed', eventId, now, { listedAt: now });
  },
});

/** The producer, or an operator, takes a listed product off sale. */
export const productDelisted = defineEvent({
  type: 'catalog.product.delisted',
  summary: 'Take a listed product off sale (its producer, or an operator).',
  body: PRODUCT_BODY,
  allowed: ['producer', 'operator'],
  async handle({ tx, actor, actorRoles, eventId, now }, { productId }) {
    const product = await lockProduct(tx, productId);
    if (product.producerDid !== actor && !actorRoles.has('operator')) {
      throw new AppError(403, 'not_owner', `Product ${productId} belongs to another producer.`, 'body.productId');
    }
    if (product.status !== 'listed') {
      throw conflict('not_listed', `Product ${productId} is ${product.status}, not listed.`, 'body.productId');
    }
    return setStatus(tx, productId, 'delisted', eventId, now);
  },
});

/** An operator suspends a product in any state (a failed verdict, a complaint), saying why. */
export const productSuspended = defineEvent({
  type: 'catalog.product.suspended',
  summary: 'Suspend a product, whatever its state, with a public reason (operator).',
  body: z.object({ productId: ENTITY_ID, reason: text(500) }).strict(),
  allowed: ['operator'],
  async handle({ tx, eventId, now }, { productId, reason }) {
    const product = await lockProduct(tx, productId);
    if (product.status === 'suspended') {
      throw conflict('already_suspended', `Product ${productId} is suspended already.`, 'body.productId');
    }
    return setStatus(tx, productId, 'suspended', eventId, now, { suspendedReason: reason });
  },
});

/** An operator lifts a suspension; the product comes back delisted, for its producer to list. */
export const productReinstated = defineEvent({
  type: 'catalog.product.reinstated',
  summary: 'Lift the suspension of a product; it becomes delisted (operator).',
  body: PRODUCT_BODY,
  allowed: ['operator'],
  async handle({ tx, eventId, now }, { productId }) {
    const product = await lockProduct(tx, productId);
    if (product.status !== 'suspended') {
      throw conflict('not_suspended', `Product ${productId} is ${product.status}, not suspended.`, 'body.productId');
    }
    return setStatus(tx, productId, 'delisted', eventId, now, { suspendedReason: null });
  },
});
