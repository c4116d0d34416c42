import { type SplitPolicy, splitPolicyHash, toBase64Url } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { cartLinesForSale, type SkuForSale, skusForSale } from '../catalog/sales.js';
import { attributionFor } from '../distribution/attribution.js';
import { pointsForQuote } from '../distribution/points-checkout.js';
import { distributionPolicy } from '../distribution/policy.js';
import { policyOf } from './events-placement.js';
import type { OrderPlacedBody } from './schema.js';
import { moneyDueOf } from './store.js';

export interface CartItem {
  skuId: string;
  productId: string | null;
  titleZh: string | null;
  titleEn: string | null;
  quantity: number;
  /** The price when it was put in the cart. */
  cartPriceFen: string;
  /** The price now; null when the SKU is gone. */
  priceFen: string | null;
  priceChanged: boolean;
  available: boolean;
  stock: number;
}

const CART_ITEMS_MAX = 100;

export async function cartItems(executor: Executor, buyer: string): Promise<CartItem[]> {
  return (await cartWithSkus(executor, buyer)).items;
}

/** The cart, and the SKUs in it as they are for sale now. */
async function cartWithSkus(
  executor: Executor,
  buyer: string,
): Promise<{ items: CartItem[]; skus: Map<string, SkuForSale> }> {
  const lines = await cartLinesForSale(executor, buyer);
  const skus = new Map(lines.flatMap((line) => (line.sku === undefined ? [] : [[line.skuId, line.sku] as const])));
  const items = lines.map(
    ({ skuId, quantity, cartPriceFen, sku }): CartItem => ({
      skuId,
      productId: sku?.productId ?? null,
      titleZh: sku?.titleZh ?? null,
      titleEn: sku?.titleEn ?? null,
      quantity,
      cartPriceFen,
      priceFen: sku === undefined ? null : sku.priceFen.toString(),
      priceChanged: sku !== undefined && sku.priceFen.toString() !== cartPriceFen,
      available: sku !== undefined && sku.productStatus === 'listed' && sku.stock >= quantity,
      stock: sku?.stock ?? 0,
    }),
  );
  return { items, skus };
}

/**
 * Puts `quantity` of a SKU in the cart (0 takes it out), at today's price. One write, so no
 * transaction of its own: checkout checks the SKU again, whatever changes after this read.
 */
export async function setCartItem(executor: Executor, buyer: string, skuId: string, quantity: number): Promise<void> {
  if (quantity === 0) {
    await executor.execute(sql`delete from order_carts where buyer_did = ${buyer} and sku_id = ${skuId}`);
    return;
  }
  const sku = (await skusForSale(executor, [skuId])).get(skuId);
  if (sku === undefined) throw notFound(`SKU ${skuId}`, 'skuId');
  if (sku.productStatus !== 'listed')
    throw new AppError(409, 'not_for_sale', `${sku.titleZh} is not on sale.`, 'skuId');
  if (sku.stock < quantity)
    throw new AppError(409, 'out_of_stock', `${sku.titleZh} has ${sku.stock} in stock; ${quantity} asked.`, 'quantity');
  // The size check and the write in one statement: no row written means the cart is full.
  const written = await rows<{ sku_id: string }>(
    executor,
    sql`insert into order_carts (buyer_did, sku_id, quantity, unit_price_fen, added_at)
        select ${buyer}, ${skuId}, ${quantity}, ${sku.priceFen.toString()}::int8, now()
         where (select count(*) from order_carts where buyer_did = ${buyer} and sku_id <> ${skuId}) < ${CART_ITEMS_MAX}
        on conflict (buyer_did, sku_id) do update set quantity = excluded.quantity, unit_price_fen = excluded.unit_price_fen
        returning sku_id`,
  );
  if (written.length === 0)
    throw new AppError(409, 'cart_full', `A cart holds at most ${CART_ITEMS_MAX} different items.`, 'skuId');
}

export interface Quote {
  /** The bodies to sign as `orders.order.placed`, one per producer and split policy. */
  orders: { body: OrderPlacedBody; policy: SplitPolicy; pointsFen: bigint; moneyDueFen: bigint }[];
  /** The points the buyer can spend now. */
  pointsHeld: bigint;
  /** Items left out, and why. */
  unavailable: { skuId: string; reason: 'gone' | 'not_for_sale' | 'out_of_stock' }[];
  /** Items whose price changed since they were put in the cart: the buyer must see this. */
  priceChanges: { skuId: string; cartPriceFen: string; priceFen: string }[];
}

/**
 * Prepares the orders for the cart at today's prices: what the buyer reviews and signs. Nothing
 * is reserved until checkout; a price change after this makes checkout ask for a new quote.
 */
export async function quoteCart(ctx: AppContext, executor: Executor, buyer: string, points = 0n): Promise<Quote> {
  const { items, skus } = await cartWithSkus(executor, buyer);
  if (items.length === 0) throw new AppError(409, 'cart_empty', 'The cart is empty.');
  const groups = new Map<string, { producer: string; policy: SplitPolicy; items: OrderPlacedBody['items'] }>();
  const quote: Quote = { orders: [], pointsHeld: 0n, unavailable: [], priceChanges: [] };
  for (const item of items) {
    const sku = skus.get(item.skuId);
    if (sku === undefined) {
      quote.unavailable.push({ skuId: item.skuId, reason: 'gone' });
      continue;
    }
    if (sku.productStatus !== 'listed') {
      quote.unavailable.push({ skuId: item.skuId, reason: 'not_for_sale' });
      continue;
    }
    if (sku.stock < item.quantity) {
      quote.unavailable.push({ skuId: item.skuId, reason: 'out_of_stock' });
      continue;
    }
    if (item.priceChanged)
      quote.priceChanges.push({
        skuId: item.skuId,
        cartPriceFen: item.cartPriceFen,
        priceFen: sku.priceFen.toString(),
      });
    const policy = policyOf(sku);
    const key = `${sku.producerDid}\n${JSON.stringify(policy)}`;
    const group = groups.get(key) ?? { producer: sku.producerDid, policy, items: [] };
    group.items.push({ skuId: item.skuId, quantity: item.quantity, unitPriceFen: sku.priceFen.toString() });
    groups.set(key, group);
  }
  const totals = [...groups.values()].map((group) =>
    group.items.reduce((sum, item) => sum + BigInt(item.unitPriceFen) * BigInt(item.quantity), 0n),
  );
  const spending = await pointsForQuote(ctx, executor, buyer, points, totals);
  quote.pointsHeld = spending.held;
  for (const [i, group] of [...groups.values()].entries()) {
    const total = totals[i] as bigint;
    const { pointsSpent, pointsFen } = spending.perOrder[i] ?? { pointsSpent: 0n, pointsFen: 0n };
    quote.orders.push({
      policy: group.policy,
      pointsFen,
      moneyDueFen: moneyDueOf({ totalFen: total, pointsFen }),
      body: {
        orderId: `o${Date.now().toString(36)}${toBase64Url(ctx.crypto.randomBytes(9))}`,
        producer: group.producer,
        items: group.items,
        totalFen: total.toString(),
        currency: 'CNY',
        policyHash: splitPolicyHash(ctx.crypto, group.policy),
        attribution: await attributionFor(executor, distributionPolicy(ctx), buyer, group.producer, ctx.clock()),
        ...(pointsSpent > 0n ? { pointsSpent: pointsSpent.toString() } : {}),
      },
    });
  }
  return quote;
}
