import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
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
} from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { getAccounts } from '../accounting/ledger.js';
import { runOrderTimers } from './timers.js';

let t: TestApp;
let producer: KeyPair;
let producerToken: string;
const DAY = 86_400_000;

interface Buyer {
  pair: KeyPair;
  token: string;
  addressId: string;
}

async function newBuyer(): Promise<Buyer> {
  const pair = newKeyPair();
  await register(t, pair);
  const token = await signIn(t, pair);
  const address = await t.app.inject({
    method: 'POST',
    url: '/v1/addresses',
    headers: bearer(token),
    payload: { recipient: '张三', phone: '13800138000', region: '浙江省 杭州市 西湖区', detail: '文三路 100 号' },
  });
  expect(address.statusCode).toBe(201);
  return { pair, token, addressId: address.json().id };
}

const putInCart = (buyer: Buyer, skuId: string, quantity: number) =>
  t.app.inject({ method: 'PUT', url: '/v1/cart/items', headers: bearer(buyer.token), payload: { skuId, quantity } });
const quote = async (buyer: Buyer) => {
  const response = await t.app.inject({ method: 'POST', url: '/v1/checkout/quote', headers: bearer(buyer.token) });
  expect(response.statusCode).toBe(200);
  return response.json();
};
let keyCounter = 0;
const checkout = (buyer: Buyer, body: Record<string, unknown>, options: { simulate?: string; key?: string } = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/checkout',
    headers: { ...bearer(buyer.token), 'idempotency-key': options.key ?? `checkout-key-${keyCounter++}` },
    payload: {
      envelope: signAs(t, buyer.pair, 'orders.order.placed', body),
      addressId: buyer.addressId,
      simulate: options.simulate ?? 'succeed',
    },
  });
/** Cart, quote, sign and check out one SKU; returns the order. */
async function buy(buyer: Buyer, skuId: string, quantity: number, simulate = 'succeed') {
  expect((await putInCart(buyer, skuId, quantity)).statusCode).toBe(200);
  const { orders } = await quote(buyer);
  const placed = await checkout(buyer, orders[0].body, { simulate });
  expect(placed.statusCode, placed.body).toBe(201);
  return placed.json().order as { id: string; totalFen: string; status: string };
}
/** The status straight from the database (sessions expire when a test moves the clock far). */
const statusOf = async (id: string) =>
  (await rows<{ status: string }>(t.ctx.database.db, sql`select status from orders where id = ${id}`))[0]?.status;
const order = async (id: string, token = producerToken) =>
  (await t.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: bearer(token) })).json();
const stock = async (skuId: string) =>
  Number(
    (await rows<{ stock: number }>(t.ctx.database.db, sql`select stock from catalog_skus where id = ${skuId}`))[0]
      ?.stock,
  );
const ship = (orderId: string, by = producer, token = producerToken) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/shipment`,
    headers: bearer(token),
    payload: {
      envelope: signAs(t, by, 'orders.order.shipped', { orderId, carrier: '顺丰速运' }),
      trackingNumber: 'SF1234567890',
    },
  });

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' });
  const expert = await accountWithRole(t, 'expert');
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  producer = await accountWithRole(t, 'producer');
  producerToken = await signIn(t, producer);
  await accepted(t, producer, 'catalog.product.published', productBody('rice-1'));
  await accepted(t, producer, 'catalog.product.listed', { productId: 'rice-1' });
  await accepted(
    t,
    producer,
    'catalog.product.published',
    productBody('rice-2', { skus: [{ code: 'bag', options: {}, priceFen: '1000', stock: 5 }] }),
  );
  await accepted(t, producer, 'catalog.product.listed', { productId: 'rice-2' });
});
afterAll(async () => {
  await t?.close();
});

describe('orders', () => {
  it('go from cart to escrow to completion, each step an envelope on the log', async () => {
    const buyer = await newBuyer();
    const placed = await buy(buyer, 'rice-1:500g', 2);
    expect(placed).toMatchObject({ status: 'created', totalFen: '5980' });
    expect(await stock('rice-1:500g')).toBe(8);
    const cart = await t.app.inject({ method: 'GET', url: '/v1/cart', headers: bearer(buyer.token) });
    expect(cart.json().items).toEqual([]);

    expect(await deliverWebhooks(t)).toBeGreaterThan(0);
    const paid = await order(placed.id);
    expect(paid).toMatchObject({ status: 'paid', paymentStatus: 'succeeded' });
    // The line names the product in both languages, as it was when ordered.
    expect(paid.lines).toEqual([
      expect.objectContaining({ skuId: 'rice-1:500g', titleZh: '有机大米', titleEn: 'Organic rice', quantity: 2 }),
    ]);
    const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${placed.id}`]);
    expect(escrow).toMatchObject({ creditsPending: 5_980n, creditsPosted: 0n });

    expect((await ship(placed.id)).statusCode).toBe(201);
    const shipped = await order(placed.id, buyer.token);
    expect(shipped).toMatchObject({ status: 'shipped', carrier: '顺丰速运', trackingNumber: 'SF1234567890' });
    expect(shipped.shipping).toMatchObject({ recipient: '张三' });

    expect((await send(t, buyer.pair, 'orders.order.delivered', { orderId: placed.id })).statusCode).toBe(201);
    // Not completed before the return window ends; then the platform completes it.
    await runOrderTimers(t.ctx);
    expect(await statusOf(placed.id)).toBe('delivered');
    t.clock.now = new Date(t.clock.now.getTime() + 7 * DAY + 1_000);
    expect(await runOrderTimers(t.ctx)).toBeGreaterThanOrEqual(1);
    t.clock.now = new Date();
    expect(await statusOf(placed.id)).toBe('completed');

    // Every step is on the log, signed by whoever took it; no personal data in any of them.
    const logged = await rows<{ type: string; actor: string; canonical: string }>(
      t.ctx.database.db,
      sql`select type, actor, convert_from(canonical, 'UTF8') as canonical from events
          where type like 'orders.%' and convert_from(canonical, 'UTF8') like ${`%${placed.id}%`} order by id`,
    );
    expect(logged.map((e) => e.type)).toEqual([
      'orders.order.placed',
      'orders.order.paid',
      'orders.order.shipped',
      'orders.order.delivered',
      'orders.order.completed',
    ]);
    expect(logged.map((e) => e.actor)).toEqual([
      buyer.pair.did,
      t.operator.did,
      producer.did,
      buyer.pair.did,
      t.operator.did,
    ]);
    for (const e of logged) {
      expect(e.canonical).not.toContain('张三');
      expect(e.canonical).not.toContain('13800138000');
      expect(e.canonical).not.toContain('SF1234567890');
    }
    t.clock.now = new Date();
  });

  it('holds at most 100 different items in a cart, and still changes the quantity of one in it', async () => {
    const skusOf = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        code: `c${i}`,
        options: { n: String(i) },
        priceFen: '100',
        stock: 9,
      }));
    for (const [product, count] of [
      ['cart-a', 50],
      ['cart-b', 50],
      ['cart-c', 1],
    ] as const) {
      await accepted(t, producer, 'catalog.product.published', productBody(product, { skus: skusOf(count) }));
      await accepted(t, producer, 'catalog.product.listed', { productId: product });
    }
    const buyer = await newBuyer();
    for (const product of ['cart-a', 'cart-b']) {
      for (let i = 0; i < 50; i++) expect((await putInCart(buyer, `${product}:c${i}`, 1)).statusCode).toBe(200);
    }
    const full = await putInCart(buyer, 'cart-c:c0', 1);
    expect(full.statusCode).toBe(409);
    expect(full.json().error).toMatchObject({ code: 'cart_full', field: 'skuId' });
    const changed = await putInCart(buyer, 'cart-a:c0', 3);
    expect(changed.statusCode).toBe(200);
    const items = changed.json().items as { skuId: string; quantity: number; titleEn: string | null }[];
    expect(items).toHaveLength(100);
    expect(items.find((item) => item.skuId === 'cart-a:c0')).toMatchObject({
      quantity: 3,
      titleZh: '有机大米',
      titleEn: 'Organic rice',
    });
    expect(items.some((item) => item.skuId === 'cart-c:c0')).toBe(false);
  });

  it('refuses steps out of turn, by the wrong party, or above what was paid', async () => {
    const buyer = await newBuyer();
    const unpaid = await buy(buyer, 'rice-1:500g', 1, 'timeout');
    const early = await ship(unpaid.id);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('invalid_transition');
    const other = await newBuyer();
    const foreign = await send(t, other.pair, 'orders.order.cancelled', { orderId: unpaid.id, reason: 'buyer' });
    expect(foreign.json().error.code).toBe('not_your_order');
    const direct = await send(t, buyer.pair, 'orders.order.placed', {
      orderId: 'direct-order-1',
      producer: producer.did,
      items: [{ skuId: 'rice-1:500g', quantity: 1, unitPriceFen: '2990' }],
      totalFen: '2990',
      currency: 'CNY',
      policyHash: '0'.repeat(64),
      attribution: null,
    });
    expect(direct.json().error.code).toBe('use_checkout');
    expect(direct.statusCode).toBe(400);
    const fakePaid = await send(t, buyer.pair, 'orders.order.paid', { orderId: unpaid.id, paymentId: 'x' });
    expect(fakePaid.statusCode).toBe(403);
    const refund = await send(t, buyer.pair, 'orders.refund.requested', {
      orderId: unpaid.id,
      refundId: 'r1',
      reason: '不想要了',
    });
    expect(refund.json().error.code).toBe('not_refundable');
    // The buyer cancels it; the stock comes back.
    const before = await stock('rice-1:500g');
    expect(
      (await send(t, buyer.pair, 'orders.order.cancelled', { orderId: unpaid.id, reason: 'buyer' })).statusCode,
    ).toBe(201);
    expect(await stock('rice-1:500g')).toBe(before + 1);
    expect((await order(unpaid.id)).status).toBe('cancelled');
  });

  it('tells the buyer when a price changed, and takes nothing until they sign the new price', async () => {
    const buyer = await newBuyer();
    await putInCart(buyer, 'rice-1:5kg', 1);
    const { orders } = await quote(buyer);
    // The producer changes the price (delist, republish, list).
    await accepted(t, producer, 'catalog.product.delisted', { productId: 'rice-1' });
    const current = await stock('rice-1:500g');
    await accepted(
      t,
      producer,
      'catalog.product.published',
      productBody('rice-1', {
        skus: [
          { code: '500g', options: { 规格: '500g' }, priceFen: '2990', stock: current },
          { code: '5kg', options: { 规格: '5kg' }, priceFen: '13800', stock: 3 },
        ],
      }),
    );
    await accepted(t, producer, 'catalog.product.listed', { productId: 'rice-1' });
    const before = await tableCounts(t.ctx.database);
    const stale = await checkout(buyer, orders[0].body);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: 'price_changed',
      details: { changes: [{ skuId: 'rice-1:5kg', signed: '12800', current: '13800' }] },
    });
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    const fresh = await quote(buyer);
    expect(fresh.priceChanges).toEqual([{ skuId: 'rice-1:5kg', cartPriceFen: '12800', priceFen: '13800' }]);
    // Double submission: the same request under the same key answers the same; the same order
    // under a new key is refused.
    const payload = {
      envelope: signAs(t, buyer.pair, 'orders.order.placed', fresh.orders[0].body),
      addressId: buyer.addressId,
      simulate: 'succeed',
    };
    const submit = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/checkout',
        headers: { ...bearer(buyer.token), 'idempotency-key': 'checkout-once' },
        payload,
      });
    const placed = await submit();
    expect(placed.statusCode).toBe(201);
    const again = await submit();
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(placed.json());
    const twice = await checkout(buyer, fresh.orders[0].body);
    expect(twice.json().error.code).toBe('order_exists');
  });

  it('cancels an order whose payment failed, and one left unpaid past its window, returning the stock', async () => {
    const buyer = await newBuyer();
    const before = await stock('rice-2:bag');
    const failed = await buy(buyer, 'rice-2:bag', 1, 'fail');
    const lapsed = await buy(buyer, 'rice-2:bag', 1, 'timeout');
    expect(await stock('rice-2:bag')).toBe(before - 2);
    await deliverWebhooks(t);
    expect(await order(failed.id)).toMatchObject({ status: 'cancelled', cancelReason: 'payment_failed' });
    t.clock.now = new Date(t.clock.now.getTime() + 31 * 60_000);
    await runOrderTimers(t.ctx);
    t.clock.now = new Date();
    expect(await order(lapsed.id)).toMatchObject({ status: 'cancelled', cancelReason: 'expired' });
    expect(await stock('rice-2:bag')).toBe(before);
  });

  it('refunds part of an order before shipping and the rest after delivery, never above what was paid', async () => {
    const buyer = await newBuyer();
    expect((await putInCart(buyer, 'rice-1:500g', 3)).statusCode).toBe(200);
    const placed = (await checkout(buyer, (await quote(buyer)).orders[0].body)).json().order;
    await deliverWebhooks(t);
    const before = await stock('rice-1:500g');
    const ask = (refundId: string, lines?: { position: number; quantity: number }[]) =>
      send(t, buyer.pair, 'orders.refund.requested', {
        orderId: placed.id,
        refundId,
        reason: '包装破损',
        ...(lines ? { lines } : {}),
      });
    expect((await ask('too-many', [{ position: 0, quantity: 4 }])).json().error.code).toBe('exceeds_refundable');
    expect((await ask('part', [{ position: 0, quantity: 1 }])).json().result).toMatchObject({ amountFen: '2990' });
    expect((await ask('second')).json().error.code).toBe('refund_exists');
    const stranger = await newBuyer();
    expect(
      (await send(t, stranger.pair, 'orders.refund.approved', { orderId: placed.id, refundId: 'part' })).json().error
        .code,
    ).toBe('not_your_order');
    const approved = await send(t, producer, 'orders.refund.approved', { orderId: placed.id, refundId: 'part' });
    expect(approved.json().result).toMatchObject({ status: 'refunded', orderStatus: 'paid', refundedFen: '2990' });
    expect(await stock('rice-1:500g')).toBe(before + 1);
    const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${placed.id}`]);
    expect(escrow).toMatchObject({ creditsPending: 0n, creditsPosted: 5_980n });

    expect((await ship(placed.id)).statusCode).toBe(201);
    expect((await send(t, buyer.pair, 'orders.order.delivered', { orderId: placed.id })).statusCode).toBe(201);
    expect((await ask('refused')).statusCode).toBe(201);
    const noReason = await send(t, producer, 'orders.refund.refused', { orderId: placed.id, refundId: 'refused' });
    expect(noReason.json().error.code).toBe('reason_required');
    await accepted(t, producer, 'orders.refund.refused', {
      orderId: placed.id,
      refundId: 'refused',
      reason: '商品完好',
    });
    expect((await ask('rest')).json().result).toMatchObject({ amountFen: '5980' });
    const full = await send(t, t.operator, 'orders.refund.approved', { orderId: placed.id, refundId: 'rest' });
    expect(full.json().result).toMatchObject({ orderStatus: 'refunded', refundedFen: '8970' });
    const [after] = await getAccounts(t.ctx.database.db, [`escrow:order:${placed.id}`]);
    expect((after?.creditsPosted ?? 0n) - (after?.debitsPosted ?? 0n)).toBe(0n);
    expect((await ask('more')).json().error.code).toBe('not_refundable');
    const detail = await order(placed.id, buyer.token);
    expect(detail.refunds.map((r: { status: string }) => r.status)).toEqual(['refunded', 'refused', 'refunded']);
  });

  it('delivers a shipped order the buyer never confirmed, when the delivery window ends', async () => {
    const buyer = await newBuyer();
    const placed = await buy(buyer, 'rice-2:bag', 1);
    await deliverWebhooks(t);
    await ship(placed.id);
    t.clock.now = new Date(t.clock.now.getTime() + 10 * DAY + 1_000);
    await runOrderTimers(t.ctx);
    t.clock.now = new Date();
    expect(await statusOf(placed.id)).toBe('delivered');
  });

  it('sells exactly the stock when many buyers race for the last units', async () => {
    await accepted(
      t,
      producer,
      'catalog.product.published',
      productBody('rice-3', { skus: [{ code: 'last', options: {}, priceFen: '500', stock: 4 }] }),
    );
    await accepted(t, producer, 'catalog.product.listed', { productId: 'rice-3' });
    const buyers = await Promise.all(Array.from({ length: 10 }, () => newBuyer()));
    const bodies: Record<string, unknown>[] = [];
    for (const buyer of buyers) {
      await putInCart(buyer, 'rice-3:last', 1);
      bodies.push((await quote(buyer)).orders[0].body);
    }
    const results = await Promise.all(buyers.map((buyer, i) => checkout(buyer, bodies[i] as Record<string, unknown>)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(4);
    expect(results.filter((r) => r.statusCode !== 201).map((r) => r.json().error.code)).toEqual(
      Array(6).fill('out_of_stock'),
    );
    expect(await stock('rice-3:last')).toBe(0);
  });
});
