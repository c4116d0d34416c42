import { and, asc, desc, eq, gt, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { notFound } from '../../errors.js';
import { productConsensus } from '../consensus/verdict-view.js';
import { events } from '../events/tables.js';
import { subtreeSlugs } from './category-tree.js';
import { decodeCursor, pageOf } from './cursor.js';
import { blobUrl } from './images.js';
import { searchQuery } from './search.js';
import { lots, modelVersions, type ProductStatus, products, skus, type Verdict } from './tables.js';

/** Storefront and producer reads of products. */

const SUMMARY_COLUMNS = {
  id: products.id,
  producerDid: products.producerDid,
  category: products.category,
  titleZh: products.titleZh,
  titleEn: products.titleEn,
  images: products.images,
  modelId: products.modelId,
  modelVersion: products.modelVersion,
  status: products.status,
  verdict: products.verdict,
  minPriceFen: products.minPriceFen,
  maxPriceFen: products.maxPriceFen,
  listedAt: products.listedAt,
  updatedAt: products.updatedAt,
};

type SummaryRow = { [K in keyof typeof SUMMARY_COLUMNS]: (typeof products.$inferSelect)[K] };

export const summaryView = (p: SummaryRow) => ({
  id: p.id,
  producerDid: p.producerDid,
  category: p.category,
  title: { zh: p.titleZh, en: p.titleEn },
  imageUrls: p.images.map(blobUrl),
  model: { id: p.modelId, version: p.modelVersion },
  status: p.status,
  verdict: p.verdict,
  minPriceFen: p.minPriceFen.toString(),
  maxPriceFen: p.maxPriceFen.toString(),
  listedAt: p.listedAt?.toISOString() ?? null,
  updatedAt: p.updatedAt.toISOString(),
});

export interface ProductSearch {
  q?: string | undefined;
  category?: string | undefined;
  minPrice?: string | undefined;
  maxPrice?: string | undefined;
  verdict?: Verdict | undefined;
  cursor?: string | undefined;
  limit: number;
}

/**
 * Listed products. With a query: those holding every query token, best ts_rank first, then by
 * id; without: by id. A category takes in the categories below it; a price range keeps products
 * with some SKU price inside it.
 */
export async function searchProducts(executor: Executor, query: ProductSearch) {
  const after = decodeCursor(query.cursor);
  const conditions: (SQL | undefined)[] = [eq(products.status, 'listed')];
  if (query.category !== undefined) {
    const slugs = await subtreeSlugs(executor, query.category);
    if (slugs.length === 0) return { items: [], nextCursor: null };
    conditions.push(inArray(products.category, slugs));
  }
  if (query.minPrice !== undefined) conditions.push(gte(products.maxPriceFen, BigInt(query.minPrice)));
  if (query.maxPrice !== undefined) conditions.push(lte(products.minPriceFen, BigInt(query.maxPrice)));
  if (query.verdict !== undefined) conditions.push(eq(products.verdict, query.verdict));
  const tsquery = query.q === undefined ? undefined : searchQuery(query.q);
  if (tsquery === undefined) {
    if (after !== undefined) conditions.push(gt(products.id, after.id));
    const found = await executor
      .select(SUMMARY_COLUMNS)
      .from(products)
      .where(and(...conditions))
      .orderBy(asc(products.id))
      .limit(query.limit + 1);
    const page = pageOf(found, query.limit, (last) => ({ id: last.id }));
    return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
  }
  const rank = sql`ts_rank(${products.search}, ${tsquery})`;
  conditions.push(sql`${products.search} @@ ${tsquery}`);
  if (after !== undefined) {
    const afterRank = sql`${after.rank ?? '0'}::real`;
    conditions.push(sql`(${rank} < ${afterRank} or (${rank} = ${afterRank} and ${products.id} > ${after.id}))`);
  }
  const found = await executor
    .select({ ...SUMMARY_COLUMNS, rank: sql<string>`${rank}::text` })
    .from(products)
    .where(and(...conditions))
    .orderBy(desc(rank), asc(products.id))
    .limit(query.limit + 1);
  const page = pageOf(found, query.limit, (last) => ({ id: last.id, rank: last.rank }));
  return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
}

/** The producer's own products, every status, by id. */
export async function producerProducts(
  executor: Executor,
  did: string,
  query: { status?: ProductStatus | undefined; cursor?: string | undefined; limit: number },
) {
  const after = decodeCursor(query.cursor);
  const found = await executor
    .select(SUMMARY_COLUMNS)
    .from(products)
    .where(
      and(
        eq(products.producerDid, did),
        query.status === undefined ? undefined : eq(products.status, query.status),
        after === undefined ? undefined : gt(products.id, after.id),
      ),
    )
    .orderBy(asc(products.id))
    .limit(query.limit + 1);
  const page = pageOf(found, query.limit, (last) => ({ id: last.id }));
  return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
}

// A product page shows its most recent lots.
const LOTS_SHOWN_MAX = 100;

/**
 * A product page: texts, SKUs with stock, lots, the model version's definition with the claimed
 * value beside each attribute, the verdict and the latest decided consensus round behind it.
 * Drafts are seen only by their producer.
 */
export async function describeProduct(executor: Executor, id: string, viewer: string | undefined) {
  const [product] = await executor.select().from(products).where(eq(products.id, id));
  if (product === undefined || (product.status === 'draft' && product.producerDid !== viewer)) {
    throw notFound(`Product ${id}`, 'id');
  }
  const [model] = await executor
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, product.modelId), eq(modelVersions.version, product.modelVersion)));
  if (model === undefined) throw new Error(`product ${id} references a missing model version`);
  const skuRows = await executor.select().from(skus).where(eq(skus.productId, id)).orderBy(asc(skus.position));
  const lotRows = await executor
    .select()
    .from(lots)
    .where(eq(lots.productId, id))
    .orderBy(desc(lots.productionDate), asc(lots.lotId))
    .limit(LOTS_SHOWN_MAX);
  return {
    ...summaryView(product),
    description: product.description,
    images: product.images.map((sha256) => ({ sha256, url: blobUrl(sha256) })),
    suspendedReason: product.suspendedReason,
    skus: skuRows.map((s) => ({
      id: s.id,
      code: s.code,
      options: s.options,
      priceFen: s.priceFen.toString(),
      stock: s.stock,
    })),
    lots: lotRows.map((l) => ({ lotId: l.lotId, productionDate: l.productionDate, quantity: l.quantity })),
    qualityModel: {
      id: model.modelId,
      version: model.version,
      status: model.status,
      expertDid: model.expertDid,
      definition: model.definition,
    },
    claims: product.claims,
    attributes: model.definition.attributes.map((attribute) => ({
      ...attribute,
      claim: product.claims[attribute.key] ?? null,
    })),
    consensus: await productConsensus(executor, id),
    log: await logIndexes(executor, { product: product.publishedEventId, model: model.publishedEventId }),
  };
}

/** The log indexes of events by their ids (null for one not sequenced yet). */
async function logIndexes<K extends string>(
  executor: Executor,
  eventIds: Record<K, bigint>,
): Promise<Record<K, number | null>> {
  const ids = Object.values<bigint>(eventIds);
  const found = await executor
    .select({ id: events.id, logIndex: events.logIndex })
    .from(events)
    .where(inArray(events.id, ids));
  const byId = new Map(found.map((row) => [row.id, row.logIndex === null ? null : Number(row.logIndex)]));
  return Object.fromEntries(Object.entries<bigint>(eventIds).map(([key, id]) => [key, byId.get(id) ?? null])) as Record<
    K,
    number | null
  >;
}
