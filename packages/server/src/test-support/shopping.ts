import { transaction } from '../db/connection.js';
import type { KeyPair } from '../keys.js';
import { mintPoints } from '../modules/distribution/points-ledger.js';
import { runOrderTimers } from '../modules/orders/timers.js';
import { newKeyPair, register, signIn, type TestApp } from './app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  defineCategory,
  deliverWebhooks,
  productBody,
  riceModel,
  send,
  signAs,
} from './commerce.js';

/**
 * A shopper's way through the API for tests that need orders in some state: sign in, check out
 * a cart, pay, ship, deliver, complete and refund after sale — each step the request a client
 * sends, failing loudly when the server refuses it.
 */

export interface Member {
  pair: KeyPair;
  token: string;
}

export const DAY_MS = 86_400_000;

/** A new account, registered and signed in. */
export async function signedInMember(t: TestApp): Promise<Member> {
  const pair = newKeyPair();
  await register(t, pair);
  return { pair, token: await signIn(t, pair) };
}

const addresses = new WeakMap<TestApp, Map<string, string>>();

/** The buyer's shipping address id, made on first use. */
export async function addressOf(t: TestApp, buyer: Member): Promise<string> {
  let known = addresses.get(t);
  if (known === undefined) {
    known = new Map();
    addresses.set(t, known);
  }
  const found = known.get(buyer.pair.did);
  if (found !== undefined) return found;
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/addresses',
    headers: bearer(buyer.token),
    payload: { recipient: '王五', phone: '13700137000', region: '浙江省 杭州市', detail: '文一西路 9 号' },
  });
  if (response.statusCode !== 201) throw new Error(`address refused: ${response.statusCode} ${response.body}`);
  const id = String(response.json().id);
  known.set(buyer.pair.did, id);
  return id;
}

export interface CheckoutOptions {
  /** Extra request headers (e.g. X-Device-Id). */
  headers?: Record<string, string>;
  /** The client's address as the server sees it. */
  remoteAddress?: string;
  /** The most points to pay with (the quote puts them on the order). */
  points?: string;
  /** The sandbox payment's outcome (default: it succeeds). */
  simulate?: 'succeed' | 'fail' | 'timeout';
}

let checkoutKeys = 0;

/**
 * Puts `quantity` of `skuId` in the cart, quotes, signs the first order of the quote and checks it
 * out (the sandbox payment succeeds). Returns the response and the body the buyer signed.
 */
export async function checkout(
  t: TestApp,
  buyer: Member,
  skuId: string,
  quantity: number,
  options: CheckoutOptions = {},
): Promise<{ response: Awaited<ReturnType<TestApp['app']['inject']>>; signed: Record<string, unknown> }> {
  const addressId = await addressOf(t, buyer);
  const cart = await t.app.inject({
    method: 'PUT',
    url: '/v1/cart/items',
    headers: bearer(buyer.token),
    payload: { skuId, quantity },
  });
  if (cart.statusCode !== 200) throw new Error(`cart refused: ${cart.statusCode} ${cart.body}`);
  const quote = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/checkout/quote',
      headers: bearer(buyer.token),
      ...(options.points === undefined ? {} : { payload: { points: options.points } }),
    })
  ).json();
  const signed = quote.orders[0].body as Record<string, unknown>;
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/checkout',
    headers: { ...bearer(buyer.token), 'idempotency-key': `test-checkout-${checkoutKeys++}`, ...options.headers },
    ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
    payload: {
      envelope: signAs(t, buyer.pair, 'orders.order.placed', signed),
      addressId,
      simulate: options.simulate ?? 'succeed',
    },
  });
  return { response, signed };
}

/** `checkout` that must succeed; returns the order id. */
export async function buy(
  t: TestApp,
  buyer: Member,
  skuId: string,
  quantity: number,
  options: CheckoutOptions = {},
): Promise<string> {
  const { response } = await checkout(t, buyer, skuId, quantity, options);
  if (response.statusCode !== 201) throw new Error(`checkout refused: ${response.statusCode} ${response.body}`);
  return response.json().order.id as string;
}

/** Delivers the due payment webhooks, then the producer ships the order and the buyer confirms delivery. */
export async function shipAndDeliver(
  t: TestApp,
  producer: Member,
  buyer: Member,
  orderId: string,
  carrier = '顺丰速运',
): Promise<void> {
  await deliverWebhooks(t);
  const shipped = await t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/shipment`,
    headers: bearer(producer.token),
    payload: {
      envelope: signAs(t, producer.pair, 'orders.order.shipped', { orderId, carrier }),
      trackingNumber: 'SF5566778899',
    },
  });
  if (shipped.statusCode !== 201) throw new Error(`shipment refused: ${shipped.statusCode} ${shipped.body}`);
  const delivered = await send(t, buyer.pair, 'orders.order.delivered', { orderId });
  if (delivered.statusCode !== 201) throw new Error(`delivery refused: ${delivered.statusCode} ${delivered.body}`);
}

/**
 * Lets the return window of every delivered order pass, so the order timers complete them; then
 * the clock comes back to now (sessions expire when it moves that far).
 */
export async function completeDelivered(t: TestApp): Promise<void> {
  t.clock.now = new Date(Date.now() + 7 * DAY_MS + 1_000);
  await runOrderTimers(t.ctx);
  t.clock.now = new Date();
}

/** The buyer asks for `quantity` of the first line back after sale, and the operator approves it. */
export async function refundAfterSale(
  t: TestApp,
  buyer: Member,
  orderId: string,
  refundId: string,
  quantity: number,
  reason = '售后:质量问题',
): Promise<void> {
  const requested = await send(t, buyer.pair, 'orders.refund.requested', {
    orderId,
    refundId,
    lines: [{ position: 0, quantity }],
    reason,
  });
  if (requested.statusCode !== 201) throw new Error(`refund refused: ${requested.statusCode} ${requested.body}`);
  const approved = await send(t, t.operator, 'orders.refund.approved', { orderId, refundId });
  if (approved.statusCode !== 201) throw new Error(`approval refused: ${approved.statusCode} ${approved.body}`);
}

/** The rice category (no deposit needed to list) and an expert's rice model 'rice-model' v1. */
export async function riceCatalog(t: TestApp): Promise<void> {
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' });
  const expert = await accountWithRole(t, 'expert');
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
}

export interface ListedProduct {
  producer: Member;
  productId: string;
  skuId: string;
}

/**
 * A new producer (signed in) with a listed rice product `productId` whose SKU `<productId>:bag`
 * costs ¥100, and, when `depositFen` is given, a deposit paid and received.
 */
export async function listedProduct(
  t: TestApp,
  productId: string,
  options: { depositFen?: string; stock?: number } = {},
): Promise<ListedProduct> {
  const pair = await accountWithRole(t, 'producer');
  const producer: Member = { pair, token: await signIn(t, pair) };
  await accepted(
    t,
    pair,
    'catalog.product.published',
    productBody(productId, { skus: [{ code: 'bag', options: {}, priceFen: '10000', stock: options.stock ?? 50 }] }),
  );
  await accepted(t, pair, 'catalog.product.listed', { productId });
  if (options.depositFen !== undefined) {
    const paid = await t.app.inject({
      method: 'POST',
      url: '/v1/catalog/deposits',
      headers: { ...bearer(producer.token), 'idempotency-key': `deposit-${productId}` },
      payload: { amount: options.depositFen },
    });
    if (paid.statusCode !== 201) throw new Error(`deposit refused: ${paid.statusCode} ${paid.body}`);
    await deliverWebhooks(t);
  }
  return { producer, productId, skuId: `${productId}:bag` };
}

/**
 * A shop to buy from: the rice category, an expert's rice model, and a producer (signed in)
 * with one listed product `productId` whose SKU `<productId>:bag` costs ¥100.
 */
export async function riceShop(t: TestApp, productId: string, stock: number): Promise<Member> {
  await riceCatalog(t);
  return (await listedProduct(t, productId, { stock })).producer;
}

let grants = 0;

/** Mints `points` points to each of `dids` (standing in for cashback earned earlier). */
export async function grantPoints(t: TestApp, dids: readonly string[], points: bigint): Promise<void> {
  await transaction(t.ctx.database.db, async (tx) => {
    for (const did of dids) {
      await mintPoints(tx, {
        transferId: `test-grant-${grants++}`,
        did,
        points,
        code: 'points_cashback',
        reference: 'test',
        now: t.ctx.clock(),
      });
    }
  });
}

/** A new member, signed in, holding `points` points. */
export async function pointsHolder(t: TestApp, points: bigint): Promise<Member> {
  const member = await signedInMember(t);
  await grantPoints(t, [member.pair.did], points);
  return member;
}
