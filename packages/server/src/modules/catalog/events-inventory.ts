import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows } from '../../db/connection.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { lockOwnProduct } from './product-lock.js';
import { ENTITY_ID, LOT_ID, SKU_ID, STOCK_MAX } from './schema.js';
import { lots } from './tables.js';

// The latest time zone is UTC+14: a date that is today anywhere on Earth is not in the future.
const LATEST_OFFSET_MS = 14 * 3_600_000;

const DATE = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date YYYY-MM-DD')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value && value >= '1900-01-01';
  }, 'a real calendar date, from 1900');

/** The producer records a production lot of their product: the unit consensus rounds test. */
export const lotRegistered = defineEvent({
  type: 'catalog.lot.registered',
  summary: 'Register a production lot of your product (id, production date, quantity).',
  body: z
    .object({
      productId: ENTITY_ID,
      lotId: LOT_ID,
      productionDate: DATE,
      quantity: z.number().int().min(1).max(STOCK_MAX),
    })
    .strict(),
  allowed: ['producer'],
  async handle({ tx, actor, eventId, now }, body) {
    await lockOwnProduct(tx, body.productId, actor);
    const latestToday = new Date(now.getTime() + LATEST_OFFSET_MS).toISOString().slice(0, 10);
    if (body.productionDate > latestToday) {
      throw unprocessable(
        'date_in_future',
        `The production date ${body.productionDate} is in the future.`,
        'body.productionDate',
      );
    }
    const inserted = await tx
      .insert(lots)
      .values({
        productId: body.productId,
        lotId: body.lotId,
        productionDate: body.productionDate,
        quantity: body.quantity,
        registeredEventId: eventId,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ lotId: lots.lotId });
    if (inserted.length === 0) {
      throw conflict('lot_exists', `Lot ${body.lotId} of ${body.productId} is registered already.`, 'body.lotId');
    }
    return { productId: body.productId, lotId: body.lotId };
  },
});

/** The producer adds or removes stock of one SKU; stock never goes below zero. */
export const stockAdjusted = defineEvent({
  type: 'catalog.stock.adjusted',
  summary: 'Add (positive delta) or remove (negative delta) stock of one of your SKUs.',
  body: z
    .object({
      skuId: SKU_ID,
      delta: z
        .number()
        .int()
        .min(-STOCK_MAX)
        .max(STOCK_MAX)
        .refine((delta) => delta !== 0, 'must not be zero'),
    })
    .strict(),
  allowed: ['producer'],
  async handle({ tx, actor }, { skuId, delta }) {
    const [sku] = await rows<{ stock: number; producer_did: string }>(
      tx,
      sql`select s.stock, p.producer_did from catalog_skus s join catalog_products p on p.id = s.product_id
          where s.id = ${skuId} for update of s`,
    );
    if (sku === undefined) throw notFound(`SKU ${skuId}`, 'body.skuId');
    if (sku.producer_did !== actor) {
      throw new AppError(403, 'not_owner', `SKU ${skuId} belongs to another producer.`, 'body.skuId');
    }
    const stock = Number(sku.stock) + delta;
    if (stock < 0) {
      throw conflict(
        'insufficient_stock',
        `SKU ${skuId} has ${sku.stock} in stock; it cannot lose ${-delta}.`,
        'body.delta',
      );
    }
    if (stock > STOCK_MAX) {
      throw unprocessable('stock_too_large', `Stock is at most ${STOCK_MAX}.`, 'body.delta');
    }
    await tx.execute(sql`update catalog_skus set stock = ${stock} where id = ${skuId}`);
    return { skuId, stock };
  },
});
