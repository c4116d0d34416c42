import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { bearer, deliverWebhooks, signAs } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import {
  addressOf,
  buy,
  checkout,
  completeDelivered,
  type Member,
  pointsHolder,
  refundAfterSale,
  riceShop,
  shipAndDeliver,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { findPayment } from '../payments/service.js';
import { POINTS_SPENT, pointsBalance } from './points-ledger.js';
import { pointsSummary } from './points-transfers.js';

let t: TestApp;
let producer: Member;
const SKU = 'pts-rice:bag'; // ¥100 a bag

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'pts-rice', 500);
});
afterAll(async () => {
  await t?.close();
});

const holder = (points: bigint) => pointsHolder(t, points);

const balance = (m: Member) => pointsBalance(t.ctx.database.db, m.pair.did);
const orderOf = async (m: Member, orderId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: bearer(m.token) })).json();
const escrowOf = async (orderId: string) => {
  const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${orderId}`]);
  return escrow;
};

/** Quotes the cart holding `quantity` bags with up to `points` points, and returns the first order. */
async function quoteWith(m: Member, quantity: number, points?: string) {
  await t.app.inject({
    method: 'PUT',
    url: '/v1/cart/items',
    headers: bearer(m.token),
    payload: { skuId: SKU, quantity },
  });
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/checkout/quote',
    headers: bearer(m.token),
    ...(points === undefined ? {} : { payload: { points } }),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

let keys = 0;
/** Signs `body` as the buyer and sends it to checkout. */
async function place(m: Member, body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/checkout',
    headers: { ...bearer(m.token), 'idempotency-key': `pts-checkout-${keys++}` },
    payload: {
      envelope: signAs(t, m.pair, 'orders.order.placed', body),
      addressId: await addressOf(t, m),
      simulate: 'succeed',
    },
  });
}

describe('paying with points at checkout', () => {
  it('quotes points against the order and what is left to pay in money', async () => {
    const m = await holder(3_000n);
    const quote = await quoteWith(m, 1, '5000');
    expect(quote.pointsHeld).toBe('3000');
    expect(quote.orders[0].body.pointsSpent).toBe('3000');
    expect(quote.orders[0].pointsFen).toBe('3000');
    expect(quote.orders[0].moneyDueFen).toBe('7000');
    const without = await quoteWith(m, 1);
    expect(without.orders[0].body.pointsSpent).toBeUndefined();
    expect(without.orders[0].moneyDueFen).toBe('10000');
  });

  it('holds the points at placement, takes them when paid, and the platform fills the escrow', async () => {
    const m = await holder(5_000n);
    const orderId = await buy(t, m, SKU, 1, { points: '3000' });
    expect(await balance(m)).toBe(2_000n);
    const payment = await findPayment(t.ctx.database.db, `order-${orderId}`);
    expect(payment?.amount).toBe(7_000n);
    await deliverWebhooks(t);
    const order = await orderOf(m, orderId);
    expect(order).toMatchObject({ status: 'paid', pointsSpent: '3000', pointsFen: '3000', moneyFen: '7000' });
    const escrow = await escrowOf(orderId);
    expect(escrow?.creditsPosted).toBe(3_000n);
    expect(escrow?.creditsPending).toBe(7_000n);
    const [spent, redemption] = await getAccounts(t.ctx.database.db, [POINTS_SPENT, 'platform:points_redemption']);
    expect(spent?.creditsPosted).toBeGreaterThanOrEqual(3_000n);
    expect(redemption?.debitsPosted).toBeGreaterThanOrEqual(3_000n);
    const summary = await pointsSummary(t.ctx.database.db);
    expect(summary.spentPoints).toBeGreaterThanOrEqual(3_000n);
    expect(summary.conserved).toBe(true);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('gives the points back when the payment fails and the order is cancelled', async () => {
    const m = await holder(4_000n);
    const { response } = await checkout(t, m, SKU, 1, { points: '4000', simulate: 'fail' });
    expect(response.statusCode).toBe(201);
    const orderId = response.json().order.id as string;
    expect(await balance(m)).toBe(0n);
    await deliverWebhooks(t);
    expect((await orderOf(m, orderId)).status).toBe('cancelled');
    expect(await balance(m)).toBe(4_000n);
  });

  it('refunds points and money in the proportion the order was paid, exactly over partial refunds', async () => {
    const m = await holder(5_001n);
    const orderId = await buy(t, m, SKU, 2, { points: '5001' });
    expect(await balance(m)).toBe(0n);
    await shipAndDeliver(t, producer, m, orderId);
    await completeDelivered(t);
    const cashback = await balance(m); // 5% of ¥200, as points, at completion
    expect(cashback).toBe(1_000n);
    await refundAfterSale(t, m, orderId, 'r1', 1);
    // floor(5001 × 10000 / 20000) = 2500 fen of points back; 7500 in money. Half the cashback goes.
    expect(await balance(m)).toBe(2_500n + 500n);
    expect((await findPayment(t.ctx.database.db, `order-${orderId}`))?.refunded).toBe(7_500n);
    await refundAfterSale(t, m, orderId, 'r2', 1);
    // The last refund returns exactly what is left: 2501 points and 7499 fen.
    expect(await balance(m)).toBe(5_001n);
    expect((await findPayment(t.ctx.database.db, `order-${orderId}`))?.refunded).toBe(14_999n);
    const escrow = await escrowOf(orderId);
    expect((escrow?.creditsPosted ?? 0n) - (escrow?.debitsPosted ?? 0n)).toBe(0n);
    expect((await orderOf(m, orderId)).status).toBe('refunded');
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('pays an order in full with points: paid at once, no payment, completed like any other', async () => {
    const m = await holder(10_000n);
    const orderId = await buy(t, m, SKU, 1, { points: '10000' });
    const order = await orderOf(m, orderId);
    expect(order).toMatchObject({ status: 'paid', moneyFen: '0', paymentStatus: 'paid_with_points' });
    expect(await findPayment(t.ctx.database.db, `order-${orderId}`)).toBeUndefined();
    expect((await escrowOf(orderId))?.creditsPosted).toBe(10_000n);
    await shipAndDeliver(t, producer, m, orderId);
    await completeDelivered(t);
    expect((await orderOf(m, orderId)).status).toBe('completed');
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('refuses more points than held, or points that cannot pay the order exactly, writing nothing', async () => {
    const m = await holder(2_000n);
    const quote = await quoteWith(m, 1);
    const rich = await holder(20_000n);
    const richQuote = await quoteWith(rich, 1);
    await addressOf(t, m);
    await addressOf(t, rich);
    const before = await tableCounts(t.ctx.database);
    const tooMany = await place(m, { ...quote.orders[0].body, pointsSpent: '2001' });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error).toMatchObject({ code: 'insufficient_points', field: 'body.pointsSpent' });
    const beyond = await place(rich, { ...richQuote.orders[0].body, pointsSpent: '10001' });
    expect(beyond.statusCode).toBe(422);
    expect(beyond.json().error).toMatchObject({ code: 'points_not_usable', field: 'body.pointsSpent' });
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await balance(m)).toBe(2_000n);
    const [{ n } = { n: 0 }] = await rows<{ n: number }>(
      t.ctx.database.db,
      sql`select count(*)::int as n from orders where buyer_did in (${m.pair.did}, ${rich.pair.did})`,
    );
    expect(Number(n)).toBe(0);
  });
});
