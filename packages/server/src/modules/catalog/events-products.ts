import { canonicalize, validateClaims } from '@concord/protocol';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, unprocessable } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { ancestorChain } from './category-tree.js';
import { checkImages, checkSkuCodes, currentModelVersion } from './product-checks.js';
import {
  CATEGORY_SLUG,
  ENTITY_ID,
  MODEL_VERSION,
  POSITIVE_FEN,
  SHA256_HEX,
  SKU_CODE,
  STOCK_MAX,
  text,
  validated,
} from './schema.js';
import { categorySearchText, productSearchText, searchVector } from './search.js';
import { products, skus } from './tables.js';

export const SKUS_MAX = 50;
export const IMAGES_MAX = 12;
const SKU_OPTIONS_MAX = 8;

const SKU_BODY = z
  .object({
    code: SKU_CODE,
    options: z
      .record(text(32), text(64))
      .refine((options) => Object.keys(options).length <= SKU_OPTIONS_MAX, `at most ${SKU_OPTIONS_MAX} options`)
      .describe('What tells this SKU apart, e.g. {"规格":"500g"}'),
    priceFen: POSITIVE_FEN,
    stock: z.number().int().min(0).max(STOCK_MAX),
  })
  .strict();

export const PRODUCT_PUBLISHED_BODY = z
  .object({
    productId: ENTITY_ID,
    category: CATEGORY_SLUG,
    title: z.object({ zh: text(100), en: text(100).optional() }).strict(),
    description: text(4000),
    images: z.array(SHA256_HEX).max(IMAGES_MAX).describe('SHA-256 of images uploaded with POST /v1/catalog/images'),
    model: z.object({ id: ENTITY_ID, version: MODEL_VERSION }).strict(),
    claims: z
      .record(z.string(), z.unknown())
      .describe("A value for each attribute of the model version: the product's digital twin"),
    skus: z.array(SKU_BODY).min(1).max(SKUS_MAX),
  })
  .strict();

type ProductBody = z.output<typeof PRODUCT_PUBLISHED_BODY>;

/**
 * A producer publishes a product as a draft, or replaces its own draft or delisted product (a
 * listed one is delisted first). The claims must fit a published, current model version whose
 * category is the product's or one above it. A replacement with another model version or other
 * claims is another product to test: its verdict starts over ('untested'), and it is refused
 * while a round tests the current claims. One that changes only texts, images or SKUs keeps it.
 */
export const productPublished = defineEvent({
  type: 'catalog.product.published',
  summary:
    'Publish a product draft (or replace your draft/delisted product): texts, images, model version, claims, SKUs. Other claims or another model version make the product untested again, and wait for an open consensus round to be decided.',
  body: PRODUCT_PUBLISHED_BODY,
  allowed: ['producer'],
  async handle({ tx, actor, eventId, now }, body) {
    const [existing] = await tx
      .select({
        producerDid: products.producerDid,
        status: products.status,
        modelId: products.modelId,
        modelVersion: products.modelVersion,
        claims: products.claims,
        claimsEventId: products.claimsEventId,
      })
      .from(products)
      .where(eq(products.id, body.productId))
      .for('update');
    if (existing !== undefined) {
      if (existing.producerDid !== actor) {
        throw new AppError(
          403,
          'not_owner',
          `Product ${body.productId} belongs to another producer.`,
          'body.productId',
        );
      }
      if (existing.status === 'listed') {
        throw conflict(
          'product_listed',
          `Product ${body.productId} is listed; delist it before replacing it.`,
          'body.productId',
        );
      }
      if (existing.status === 'suspended') {
        throw conflict(
          'product_suspended',
          `Product ${body.productId} is suspended by the operator.`,
          'body.productId',
        );
      }
    }
    const chain = await ancestorChain(tx, body.category);
    if (chain.length === 0)
      throw unprocessable('unknown_category', `There is no category ${body.category}.`, 'body.category');
    const model = await currentModelVersion(tx, body.model.id, body.model.version);
    if (!chain.some((c) => c.slug === model.category)) {
      throw unprocessable(
        'category_mismatch',
        `Model ${body.model.id} is for category ${model.category}; the product's category must be it or one below it.`,
        'body.category',
      );
    }
    const claims = validated(() => validateClaims(model.definition, body.claims, 'claims'));
    // Other claims (or another model) make another product to test: its verdict starts over.
    const claimsChanged =
      existing === undefined ||
      existing.modelId !== body.model.id ||
      existing.modelVersion !== body.model.version ||
      canonicalize(existing.claims) !== canonicalize(claims);
    if (existing !== undefined && claimsChanged) await refuseWhileTested(tx, body.productId);
    await checkImages(tx, body.images);
    checkSkuCodes(body.skus);

    const prices = body.skus.map((s) => BigInt(s.priceFen));
    const searchText = productSearchText({
      titleZh: body.title.zh,
      titleEn: body.title.en ?? null,
      description: body.description,
      modelName: model.definition.name,
    });
    const values = {
      category: body.category,
      titleZh: body.title.zh,
      titleEn: body.title.en ?? null,
      description: body.description,
      images: body.images,
      modelId: body.model.id,
      modelVersion: body.model.version,
      claims: { ...claims },
      status: 'draft' as const,
      suspendedReason: null,
      searchText,
      search: searchVector(searchText, await categorySearchText(tx, body.category)),
      minPriceFen: prices.reduce((a, b) => (b < a ? b : a)),
      maxPriceFen: prices.reduce((a, b) => (b > a ? b : a)),
      publishedEventId: eventId,
      statusEventId: eventId,
      claimsEventId: existing === undefined || claimsChanged ? eventId : existing.claimsEventId,
      ...(claimsChanged ? { verdict: 'untested' as const } : {}),
      updatedAt: now,
      listedAt: null,
    };
    if (existing === undefined) {
      const inserted = await tx
        .insert(products)
        .values({ id: body.productId, producerDid: actor, verdict: 'untested', createdAt: now, ...values })
        .onConflictDoNothing()
        .returning({ id: products.id });
      if (inserted.length === 0) {
        throw conflict(
          'product_id_taken',
          `Product ${body.productId} was just published by another request.`,
          'body.productId',
        );
      }
    } else {
      await tx.update(products).set(values).where(eq(products.id, body.productId));
    }
    const skuIds = await replaceSkus(tx, body.productId, body.skus);
    return { productId: body.productId, status: 'draft', skuIds };
  },
});

/**
 * A round tests the claims the product made when it opened (consensus/tally.ts reads them from the
 * product): they cannot change under it. Texts, images and SKUs can.
 */
async function refuseWhileTested(tx: Tx, productId: string): Promise<void> {
  const [open] = await rows<{ id: string }>(
    tx,
    sql`select id from consensus_rounds where product_id = ${productId} and status = 'open' limit 1`,
  );
  if (open !== undefined) {
    throw conflict(
      'round_open',
      `Round ${open.id} is testing the product's claims; its model and claims can change once it is decided.`,
      'body.claims',
    );
  }
}

/** The product's SKUs become exactly `list`: codes left out are removed, the others set. */
async function replaceSkus(tx: Tx, productId: string, list: ProductBody['skus']): Promise<string[]> {
  const codes = list.map((sku) => sku.code);
  await tx.delete(skus).where(and(eq(skus.productId, productId), notInArray(skus.code, codes)));
  const rowsToWrite = list.map((sku, position) => ({
    id: `${productId}:${sku.code}`,
    productId,
    code: sku.code,
    options: sku.options,
    priceFen: BigInt(sku.priceFen),
    stock: sku.stock,
    position,
  }));
  await tx
    .insert(skus)
    .values(rowsToWrite)
    .onConflictDoUpdate({
      target: skus.id,
      set: {
        options: sql`excluded.options`,
        priceFen: sql`excluded.price_fen`,
        stock: sql`excluded.stock`,
        position: sql`excluded.position`,
      },
    });
  return rowsToWrite.map((row) => row.id);
}
