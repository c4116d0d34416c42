import type { SplitPolicyOverride } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, preparedRows, type Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import type { ProductStatus } from './tables.js';

/**
 * What the orders module asks of the catalog: the facts of the SKUs it sells, and stock taken
 * and given back in the order's transaction. The only way other modules touch catalog stock.
 */

export interface SkuForSale {
  skuId: string;
  productId: string;
  producerDid: string;
  category: string;
  titleZh: string;
  titleEn: string | null;
  priceFen: bigint;
  stock: number;
  productStatus: ProductStatus;
  modelId: string;
  modelVersion: number;
  expertDid: string;
  categorySplitOverride: SplitPolicyOverride | null;
}

interface SaleRow {
  sku_id: string;
  product_id: string;
  producer_did: string;
  category: string;
  title_zh: string;
  title_en: string | null;
  price_fen: string;
  stock: number | string;
  status: ProductStatus;
  model_id: string;
  model_version: number | string;
  expert_did: string;
  split_override: SplitPolicyOverride | null;
}

// The facts of a SKU for sale, joined from the catalog; `s` is catalog_skus.
const SALE_COLUMNS = `s.id as sku_id, s.product_id, p.producer_did, p.category, p.title_zh, p.title_en, s.price_fen,
    s.stock, p.status, p.model_id, p.model_version, v.expert_did, c.split_override`;
const SALE_JOINS = `join catalog_products p on p.id = s.product_id
    join catalog_model_versions v on v.model_id = p.model_id and v.version = p.model_version
    join catalog_categories c on c.slug = p.category`;
// Prepared (constant texts): every cart put, quote and checkout reads them, and planning these
// joins cost PostgreSQL more than running them.
const SKUS_FOR_SALE = `select ${SALE_COLUMNS} from catalog_skus s ${SALE_JOINS} where s.id = any($1::text[])`;
const CART_LINES_FOR_SALE = `select o.sku_id as cart_sku_id, o.quantity as cart_quantity, o.unit_price_fen::text as cart_price_fen, ${SALE_COLUMNS}
    from order_carts o
    left join (catalog_skus s ${SALE_JOINS}) on s.id = o.sku_id
   where o.buyer_did = $1
   order by o.added_at, o.sku_id`;

const skuOf = (row: SaleRow): SkuForSale => ({
  skuId: row.sku_id,
  productId: row.product_id,
  producerDid: row.producer_did,
  category: row.category,
  titleZh: row.title_zh,
  titleEn: row.title_en ?? null,
  priceFen: BigInt(row.price_fen),
  stock: Number(row.stock),
  productStatus: row.status,
  modelId: row.model_id,
  modelVersion: Number(row.model_version),
  expertDid: row.expert_did,
  categorySplitOverride: row.split_override,
});

/** The SKUs of `skuIds` that exist, by id (unknown ids are simply absent). */
export async function skusForSale(executor: Executor, skuIds: readonly string[]): Promise<Map<string, SkuForSale>> {
  const ids = [...new Set(skuIds)];
  const found = new Map<string, SkuForSale>();
  if (ids.length === 0) return found;
  const list = await preparedRows<SaleRow>(executor, 'skus_for_sale', SKUS_FOR_SALE, [ids]);
  for (const row of list) found.set(row.sku_id, skuOf(row));
  return found;
}

// Shared row locks on the products of these SKUs. A list, delist, republish or suspension takes
// its product's row for update (product-lock.ts), so it either committed before the order reads
// the SKUs (and the order sees it) or waits for the order to commit. Key share, the weakest lock
// that does so: orders of one product do not wait for each other, nor for a verdict's update.
const LOCK_PRODUCTS_FOR_SALE = `select p.id from catalog_products p
   where p.id in (select s.product_id from catalog_skus s where s.id = any($1::text[]))
   order by p.id for key share of p`;

/**
 * As skusForSale, for the transaction that sells them: their products are locked first, so what
 * is read (listed or not, the price, the model) stays so until the order commits.
 */
export async function skusToSell(tx: Tx, skuIds: readonly string[]): Promise<Map<string, SkuForSale>> {
  const ids = [...new Set(skuIds)];
  if (ids.length > 0) await preparedRows(tx, 'lock_products_for_sale', LOCK_PRODUCTS_FOR_SALE, [ids]);
  return skusForSale(tx, ids);
}

/** A buyer's cart line as stored, with its SKU as it is for sale now (undefined when the SKU is gone). */
export interface CartLineForSale {
  skuId: string;
  quantity: number;
  cartPriceFen: string;
  sku: SkuForSale | undefined;
}

/** A buyer's cart lines, oldest first, each with its SKU: one statement. */
export async function cartLinesForSale(executor: Executor, buyer: string): Promise<CartLineForSale[]> {
  const list = await preparedRows<
    Omit<SaleRow, 'sku_id'> & {
      sku_id: string | null;
      cart_sku_id: string;
      cart_quantity: number;
      cart_price_fen: string;
    }
  >(executor, 'cart_lines_for_sale', CART_LINES_FOR_SALE, [buyer]);
  return list.map((row) => ({
    skuId: row.cart_sku_id,
    quantity: Number(row.cart_quantity),
    cartPriceFen: String(row.cart_price_fen),
    sku: row.sku_id === null ? undefined : skuOf(row as SaleRow),
  }));
}

type StockLine = { skuId: string; quantity: number };

/** Lines in skuId order (so concurrent orders lock rows in the same order), with their index. */
function ordered(lines: readonly StockLine[]): { line: StockLine; index: number }[] {
  lines.forEach((line, index) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0 || line.quantity > 1_000_000_000) {
      throw new AppError(400, 'invalid_quantity', 'A quantity is a whole number from 1.', `items[${index}].quantity`);
    }
  });
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => (a.line.skuId < b.line.skuId ? -1 : a.line.skuId > b.line.skuId ? 1 : a.index - b.index));
}

// One statement for all lines: the rows are locked in id order (as concurrent orders lock them,
// so two orders never wait for each other crosswise), each takes only what is there (never
// oversold), and what comes back is the SKUs that could not be served: what all lines asked of
// each, and the stock seen.
const RESERVE_STOCK = `with wanted as (
    select sku_id, sum(quantity)::int8 as quantity
      from unnest($1::text[], $2::int8[]) as w(sku_id, quantity) group by sku_id),
  locked as (
    select s.id, s.stock from catalog_skus s join wanted w on w.sku_id = s.id order by s.id for update of s),
  taken as (
    update catalog_skus s set stock = s.stock - w.quantity
      from locked l join wanted w on w.sku_id = l.id
     where s.id = l.id and s.stock >= w.quantity
    returning s.id)
  select w.sku_id, w.quantity::text as asked, l.stock::text as stock
    from wanted w left join locked l on l.id = w.sku_id
   where not exists (select 1 from taken t where t.id = w.sku_id)`;

/**
 * Takes stock for every line in one statement: a line only takes what is there, so concurrent
 * orders never oversell. Throws 409 'out_of_stock' naming the first short line in skuId order
 * (`items[i]`, i its index in `lines`); the caller's transaction then undoes the rest.
 */
export async function reserveStock(tx: Tx, lines: readonly StockLine[]): Promise<void> {
  const sorted = ordered(lines);
  if (sorted.length === 0) return;
  const refused = await preparedRows<{ sku_id: string; asked: string; stock: string | null }>(
    tx,
    'reserve_stock',
    RESERVE_STOCK,
    [sorted.map(({ line }) => line.skuId), sorted.map(({ line }) => line.quantity)],
  );
  const short = new Map(refused.map((row) => [row.sku_id, row]));
  const first = sorted.find(({ line }) => short.has(line.skuId));
  const row = first && short.get(first.line.skuId);
  if (first === undefined || row === undefined) return;
  const message =
    row.stock === null
      ? `SKU ${row.sku_id} does not exist.`
      : `SKU ${row.sku_id} has ${row.stock} in stock; ${row.asked} asked.`;
  throw new AppError(409, 'out_of_stock', message, `items[${first.index}]`);
}

/**
 * Gives stock back (a cancelled or refunded order), in skuId order. A SKU that no longer exists
 * (its product was republished without it) has nothing to take it back, and is skipped.
 */
export async function releaseStock(tx: Tx, lines: readonly StockLine[]): Promise<void> {
  for (const { line } of ordered(lines)) {
    await tx.execute(sql`update catalog_skus set stock = stock + ${line.quantity} where id = ${line.skuId}`);
  }
}
