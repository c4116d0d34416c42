import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, transaction } from '../../db/connection.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, deliverWebhooks, send, signAs } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import {
  addressOf,
  buy,
  checkout,
  DAY_MS,
  listedProduct,
  type Member,
  riceCatalog,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts } from '../accounting/ledger.js';
import { sandboxOutcome } from '../payments/sandbox.js';
import { findPayment } from '../payments/service.js';

/**
 * Steps the order API refuses — out of turn, by the wrong party, without what they need — each
 * answered with its status, code and field, and nothing changed by them.
 */

let t: TestApp;
let producer: Member;
let rival: Member;
const SKU = 'rice-r:bag';
const PRICE = 10_000n;

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

function expectRefused(response: Response, status: number, code: string, field?: string) {
  expect(response.statusCode, response.body).toBe(status);
  const { error } = response.json();
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
}

const statusOf = async (id: string) =>
  (await rows<{ status: string }>(t.ctx.database.db, sql`select status from orders where id = ${id}`))[0]?.status;
const stock = async (skuId: string) =>
  Number(
    (await rows<{ stock: number }>(t.ctx.database.db, sql`select stock from catalog_skus where id = ${skuId}`))[0]
      ?.stock,
  );
const escrowOf = async (orderId: string) => (await getAccounts(t.ctx.database.db, [`escrow:order:${orderId}`]))[0];
const holdState = async (paymentId: string) =>
  (
    await rows<{ state: string }>(
      t.ctx.database.db,
      sql`select state from ledger_transfers where id = ${`payment:${paymentId}:hold`}`,
    )
  )[0]?.state;
/** The payment's hold was voided, not posted: the escrow never held the money, and holds nothing. */
async function expectHoldVoidedAndEscrowEmpty(orderId: string): Promise<void> {
  expect(await holdState(`order-${orderId}`)).toBe('voided');
  expect(await escrowOf(orderId)).toMatchObject({
    creditsPending: 0n,
    creditsPosted: 0n,
    debitsPending: 0n,
    debitsPosted: 0n,
  });
}
/** What the sandbox was asked to pay back for a payment (its refund records). */
const providerRefunds = async (paymentId: string) =>
  (
    await rows<{ body: string }>(
      t.ctx.database.db,
      sql`select body from sandbox_webhook_outbox where event_id like ${`rfd_${paymentId}-%`} order by id`,
    )
  ).map((row) => JSON.parse(row.body) as { type: string; data: { amount: string } });

/** Everything a refused step could have changed: every table's row count, the order, the stock, its escrow. */
async function snapshot(orderId?: string) {
  return {
    tables: await tableCounts(t.ctx.database),
    stock: await stock(SKU),
    ...(orderId === undefined ? {} : { status: await statusOf(orderId), escrow: await escrowOf(orderId) }),
  };
}

const ship = (orderId: string, by: Member = producer) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/shipment`,
    headers: bearer(by.token),
    payload: {
      envelope: signAs(t, by.pair, 'orders.order.shipped', { orderId, carrier: '顺丰速运' }),
      trackingNumber: 'SF1234567890',
    },
  });
const confirmDelivery = (orderId: string, by: Member['pair']) => send(t, by, 'orders.order.delivered', { orderId });

/** A buyer's order of one bag, paid (its webhook delivered). */
async function paidOrder(buyer: Member): Promise<string> {
  const id = await buy(t, buyer, SKU, 1);
  await deliverWebhooks(t);
  expect(await statusOf(id)).toBe('paid');
  return id;
}

/** `quantity` of `skuId` in the buyer's cart, quoted: the order body the buyer would sign. */
async function quotedOrder(buyer: Member, skuId: string, quantity: number): Promise<Record<string, unknown>> {
  await addressOf(t, buyer);
  const cart = await t.app.inject({
    method: 'PUT',
    url: '/v1/cart/items',
    headers: bearer(buyer.token),
    payload: { skuId, quantity },
  });
  expect(cart.statusCode).toBe(200);
  const quote = await t.app.inject({ method: 'POST', url: '/v1/checkout/quote', headers: bearer(buyer.token) });
  return quote.json().orders[0].body as Record<string, unknown>;
}

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await riceCatalog(t);
  producer = (await listedProduct(t, 'rice-r', { stock: 50 })).producer;
  rival = (await listedProduct(t, 'rice-x')).producer;
});
afterAll(async () => {
  await t?.close();
});

describe('order steps refused', () => {
  it('refuses delivery confirmed by anyone but the buyer, and before shipping; nothing changes', async () => {
    const buyer = await signedInMember(t);
    const id = await paidOrder(buyer);

    // Before shipping: not even the buyer confirms delivery.
    let before = await snapshot(id);
    expectRefused(await confirmDelivery(id, buyer.pair), 409, 'invalid_transition', 'body.orderId');
    expect(await snapshot(id)).toEqual(before);

    expect((await ship(id)).statusCode).toBe(201);
    const stranger = await signedInMember(t);
    before = await snapshot(id);
    expectRefused(await confirmDelivery(id, stranger.pair), 403, 'not_your_order');
    // The producer of the order is a party to it, but not the one who confirms delivery.
    expectRefused(await confirmDelivery(id, producer.pair), 403, 'not_allowed', 'body.orderId');
    // The platform delivers only once the buyer's delivery window has passed.
    expectRefused(await confirmDelivery(id, t.operator), 409, 'not_due', 'body.orderId');
    expect(await snapshot(id)).toEqual(before);
    expect(before.status).toBe('shipped');

    expect((await confirmDelivery(id, buyer.pair)).statusCode).toBe(201);
    expect(await statusOf(id)).toBe('delivered');
  });

  it('refuses a shipment by a producer who does not own the order; nothing changes', async () => {
    const buyer = await signedInMember(t);
    const id = await paidOrder(buyer);
    const before = await snapshot(id);
    expectRefused(await ship(id, rival), 403, 'not_your_order');
    expect(await snapshot(id)).toEqual(before);
    const seen = (await t.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: bearer(buyer.token) })).json();
    expect(seen).toMatchObject({ status: 'paid', carrier: null, trackingNumber: null, shippedAt: null });
    // The rival cannot even see it.
    const hidden = await t.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: bearer(rival.token) });
    expectRefused(hidden, 404, 'not_found', 'id');
  });

  it('refuses to cancel a paid order, by its buyer or the operator: the stock and the escrow stay', async () => {
    const buyer = await signedInMember(t);
    const id = await paidOrder(buyer);
    const before = await snapshot(id);
    expect(before.escrow).toMatchObject({ creditsPending: PRICE, creditsPosted: 0n });
    expectRefused(
      await send(t, buyer.pair, 'orders.order.cancelled', { orderId: id, reason: 'buyer' }),
      409,
      'invalid_transition',
      'body.orderId',
    );
    expectRefused(
      await send(t, t.operator, 'orders.order.cancelled', { orderId: id, reason: 'operator' }),
      409,
      'invalid_transition',
      'body.orderId',
    );
    expect(await snapshot(id)).toEqual(before);
    expect(await holdState(`order-${id}`)).toBe('pending');
  });

  it('refuses to complete an order before its return window ends, and while a refund is open', async () => {
    const buyer = await signedInMember(t);
    const id = await paidOrder(buyer);
    expect((await ship(id)).statusCode).toBe(201);
    expect((await confirmDelivery(id, buyer.pair)).statusCode).toBe(201);

    let before = await snapshot(id);
    expectRefused(await send(t, t.operator, 'orders.order.completed', { orderId: id }), 409, 'not_due', 'body.orderId');
    expect(await snapshot(id)).toEqual(before);

    await accepted(t, buyer.pair, 'orders.refund.requested', { orderId: id, refundId: 'open-1', reason: '口感不对' });
    t.clock.now = new Date(Date.now() + 7 * DAY_MS + 60_000);
    try {
      before = await snapshot(id);
      expectRefused(
        await send(t, t.operator, 'orders.order.completed', { orderId: id }),
        409,
        'refund_open',
        'body.orderId',
      );
      expect(await snapshot(id)).toEqual(before);
    } finally {
      t.clock.now = new Date();
    }
    expect(before).toMatchObject({ status: 'delivered', escrow: { creditsPending: PRICE, creditsPosted: 0n } });
    expect(await holdState(`order-${id}`)).toBe('pending');
  });
});

describe('checkout refused', () => {
  it('refuses a product taken off sale after the quote: nothing reserved, nothing written', async () => {
    const buyer = await signedInMember(t);
    const { producer: seller, skuId } = await listedProduct(t, 'rice-off', { stock: 7 });
    const signed = await quotedOrder(buyer, skuId, 2);
    await accepted(t, seller.pair, 'catalog.product.delisted', { productId: 'rice-off' });

    const before = await tableCounts(t.ctx.database);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/checkout',
      headers: { ...bearer(buyer.token), 'idempotency-key': 'refusal-not-listed' },
      payload: {
        envelope: signAs(t, buyer.pair, 'orders.order.placed', signed),
        addressId: await addressOf(t, buyer),
        simulate: 'succeed',
      },
    });
    expectRefused(refused, 409, 'not_for_sale', 'body.items[0].skuId');
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await stock(skuId)).toBe(7);
    // Nor can it be put in a cart while it is off sale.
    const again = await t.app.inject({
      method: 'PUT',
      url: '/v1/cart/items',
      headers: bearer(buyer.token),
      payload: { skuId, quantity: 1 },
    });
    expectRefused(again, 409, 'not_for_sale', 'skuId');
  });

  it('refuses a product delisted and repriced while its checkout waits: nothing sold at the old listing', async () => {
    const buyer = await signedInMember(t);
    const { skuId } = await listedProduct(t, 'rice-race', { stock: 5 });
    const signed = await quotedOrder(buyer, skuId, 1);
    const before = await tableCounts(t.ctx.database);

    // A delist and a new price, as a republish writes them, held uncommitted while the checkout comes in.
    const db = t.ctx.database.db;
    let commit!: () => void;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let written!: () => void;
    const writtenYet = new Promise<void>((resolve) => {
      written = resolve;
    });
    const republishing = transaction(db, async (tx) => {
      await tx.execute(sql`select id from catalog_products where id = 'rice-race' for update`);
      await tx.execute(sql`update catalog_products set status = 'delisted' where id = 'rice-race'`);
      await tx.execute(sql`update catalog_skus set price_fen = price_fen + 100 where product_id = 'rice-race'`);
      written();
      await held;
    });
    await writtenYet;
    const placing = t.app.inject({
      method: 'POST',
      url: '/v1/checkout',
      headers: { ...bearer(buyer.token), 'idempotency-key': 'refusal-race' },
      payload: {
        envelope: signAs(t, buyer.pair, 'orders.order.placed', signed),
        addressId: await addressOf(t, buyer),
        simulate: 'succeed',
      },
    });
    // On PostgreSQL the checkout runs beside the write: the write commits once the checkout waits
    // on it. PGlite has one connection, so there the checkout simply runs after.
    if (t.ctx.database.kind === 'postgres') {
      const waiting = async () =>
        (
          await rows<{ n: number }>(
            db,
            sql`select count(*)::int as n from pg_stat_activity
                 where datname = current_database() and wait_event_type = 'Lock' and query ilike '%catalog_%'`,
          )
        )[0]?.n ?? 0;
      await expect.poll(waiting, { timeout: 10_000 }).toBeGreaterThan(0);
    }
    commit();
    await republishing;
    expectRefused(await placing, 409, 'not_for_sale', 'body.items[0].skuId');
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await stock(skuId)).toBe(5);
  });

  it('refuses a checkout without an Idempotency-Key: nothing written, the cart kept', async () => {
    const buyer = await signedInMember(t);
    const addressId = await addressOf(t, buyer);
    await t.app.inject({
      method: 'PUT',
      url: '/v1/cart/items',
      headers: bearer(buyer.token),
      payload: { skuId: SKU, quantity: 1 },
    });
    const quote = await t.app.inject({ method: 'POST', url: '/v1/checkout/quote', headers: bearer(buyer.token) });
    const before = await snapshot();
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/checkout',
      headers: bearer(buyer.token),
      payload: {
        envelope: signAs(t, buyer.pair, 'orders.order.placed', quote.json().orders[0].body),
        addressId,
        simulate: 'succeed',
      },
    });
    expectRefused(refused, 400, 'idempotency_key_required', 'Idempotency-Key');
    expect(await snapshot()).toEqual(before);
    const cart = await t.app.inject({ method: 'GET', url: '/v1/cart', headers: bearer(buyer.token) });
    expect(cart.json().items).toEqual([expect.objectContaining({ skuId: SKU, quantity: 1 })]);
  });
});

describe('money given back', () => {
  it('voids the whole escrow hold when an unshipped order is refunded in full, and pays the buyer it all', async () => {
    const buyer = await signedInMember(t);
    const { response } = await checkout(t, buyer, SKU, 2);
    expect(response.statusCode).toBe(201);
    const id = response.json().order.id as string;
    await deliverWebhooks(t);
    expect(await escrowOf(id)).toMatchObject({ creditsPending: 2n * PRICE, creditsPosted: 0n });
    const stockBefore = await stock(SKU);

    await accepted(t, buyer.pair, 'orders.refund.requested', { orderId: id, refundId: 'all', reason: '不想要了' });
    const approved = await accepted(t, producer.pair, 'orders.refund.approved', { orderId: id, refundId: 'all' });
    expect(approved).toMatchObject({
      status: 'refunded',
      amountFen: (2n * PRICE).toString(),
      orderStatus: 'refunded',
      refundedFen: (2n * PRICE).toString(),
    });
    expect(await statusOf(id)).toBe('refunded');
    await expectHoldVoidedAndEscrowEmpty(id);
    expect(await findPayment(t.ctx.database.db, `order-${id}`)).toMatchObject({
      status: 'succeeded',
      amount: 2n * PRICE,
      refunded: 2n * PRICE,
    });
    expect(await providerRefunds(`order-${id}`)).toEqual([
      expect.objectContaining({ type: 'refund.succeeded', data: expect.objectContaining({ amount: '20000' }) }),
    ]);
    expect(await stock(SKU)).toBe(stockBefore + 2);
    // Nothing is left to refund.
    expectRefused(
      await send(t, buyer.pair, 'orders.refund.requested', { orderId: id, refundId: 'more', reason: '再退' }),
      409,
      'not_refundable',
      'body.orderId',
    );
  });

  it('refunds a payment that succeeds after its order was cancelled; the order stays cancelled', async () => {
    const buyer = await signedInMember(t);
    const stockBefore = await stock(SKU);
    const id = await buy(t, buyer, SKU, 1, { simulate: 'timeout' });
    await deliverWebhooks(t);
    expect(await statusOf(id)).toBe('created');
    await accepted(t, buyer.pair, 'orders.order.cancelled', { orderId: id, reason: 'buyer' });
    expect(await stock(SKU)).toBe(stockBefore);

    // The provider reports the charge a success after all, late.
    const payment = await findPayment(t.ctx.database.db, `order-${id}`);
    expect(payment).toMatchObject({ status: 'created', amount: PRICE });
    await transaction(t.ctx.database.db, (tx) =>
      sandboxOutcome(tx, 'payment', payment?.providerRef as string, PRICE, 'succeed', t.clock.now),
    );
    expect(await deliverWebhooks(t)).toBe(1);

    expect(await statusOf(id)).toBe('cancelled');
    expect(await findPayment(t.ctx.database.db, `order-${id}`)).toMatchObject({
      status: 'succeeded',
      refunded: PRICE,
    });
    await expectHoldVoidedAndEscrowEmpty(id);
    expect(await providerRefunds(`order-${id}`)).toEqual([
      expect.objectContaining({ type: 'refund.succeeded', data: expect.objectContaining({ amount: '10000' }) }),
    ]);
    // The stock released at cancellation is not taken again.
    expect(await stock(SKU)).toBe(stockBefore);
    const events = await rows<{ type: string }>(
      t.ctx.database.db,
      sql`select type from events where type like 'orders.order.%' and convert_from(canonical, 'UTF8') like ${`%${id}%`} order by id`,
    );
    expect(events.map((e) => e.type)).toEqual(['orders.order.placed', 'orders.order.cancelled']);
  });
});
