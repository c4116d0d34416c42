import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, deliverWebhooks, grantRole, send } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import {
  buy as buyOne,
  type CheckoutOptions,
  checkout as checkoutCart,
  shipAndDeliver as deliver,
  type Member,
  riceShop,
  signedInMember,
} from '../../test-support/shopping.js';
import { runOrderTimers } from '../orders/timers.js';

const DAY = 86_400_000;
let t: TestApp;
let producer: Member;
let operatorToken: string;

const member = () => signedInMember(t);

type Origin = { device?: string; ip?: string };
const fromOrigin = (origin: Origin): CheckoutOptions => ({
  ...(origin.device === undefined ? {} : { headers: { 'x-device-id': origin.device } }),
  ...(origin.ip === undefined ? {} : { remoteAddress: origin.ip }),
});

/** Puts one bag in the cart, quotes, signs and checks out from `origin`; returns the response. */
const checkout = async (buyer: Member, origin: Origin = {}) =>
  (await checkoutCart(t, buyer, 'rice-a:bag', 1, fromOrigin(origin))).response;
const buy = (buyer: Member, origin: Origin = {}) => buyOne(t, buyer, 'rice-a:bag', 1, fromOrigin(origin));
const shipAndDeliver = (buyer: Member, orderId: string) => deliver(t, producer, buyer, orderId, '中通快递');

const reviewOf = async (orderId: string) =>
  (
    await rows<{ status: string; reasons: unknown; decided_by: string | null; event_id: string | null }>(
      t.ctx.database.db,
      sql`select status, reasons, decided_by, event_id::text from distribution_reviews where order_id = ${orderId}`,
    )
  )[0];
const commissionsOf = async (orderId: string) =>
  rows<{ kind: string; amount_fen: string; status: string }>(
    t.ctx.database.db,
    sql`select kind, amount_fen::text, status from distribution_commissions where order_id = ${orderId} order by kind`,
  );
const queue = async (status = 'pending') =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/v1/operator/reviews?status=${status}&limit=100`,
      headers: bearer(operatorToken),
    })
  ).json().items as { orderId: string; status: string; reasons: { code: string }[]; decidedBy: string | null }[];

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  operatorToken = await signIn(t, t.operator);
  producer = await riceShop(t, 'rice-a', 500);
});
afterAll(async () => {
  await t?.close();
});

describe('anti-abuse review', () => {
  it('sends an order over the device limit to review: its rewards wait, approval creates them, rejection never', async () => {
    const seller = await member();
    await grantRole(t, seller.pair, 'promoter');
    const { code } = await accepted(t, seller.pair, 'distribution.link.created', {
      kind: 'product',
      productId: 'rice-a',
    });
    const buyer = await member();
    await accepted(t, buyer.pair, 'distribution.binding.created', { code });

    // One phone, different networks: the device limit is 3 orders in 24 hours.
    const device = 'phone-0001-abcdef';
    const passed = [];
    for (let i = 1; i <= 3; i++) passed.push(await buy(buyer, { device, ip: `198.51.100.${i}` }));
    const approvedLate = await buy(buyer, { device, ip: '198.51.100.4' });
    const rejected = await buy(buyer, { device, ip: '198.51.100.5' });
    const approvedEarly = await buy(buyer, { device, ip: '198.51.100.6' });
    for (const orderId of passed) expect(await reviewOf(orderId)).toBeUndefined();
    expect(await reviewOf(approvedLate)).toMatchObject({
      status: 'pending',
      reasons: [{ code: 'device_velocity', message: expect.stringContaining('4 orders from this device') }],
    });
    const pending = await queue();
    expect(pending.map((r) => r.orderId)).toEqual([approvedLate, rejected, approvedEarly]);
    expect(pending[0]).toMatchObject({ buyer: buyer.pair.did, producer: producer.pair.did, orderStatus: 'created' });

    // Only the operator decides.
    const notOperator = await send(t, buyer.pair, 'distribution.review.approved', { orderId: approvedLate });
    expect(notOperator.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/operator/reviews', headers: bearer(buyer.token) })).statusCode,
    ).toBe(403);
    const missing = await send(t, t.operator, 'distribution.review.approved', { orderId: passed[0] as string });
    expect(missing.statusCode).toBe(404);

    // Approved before completion: it earns at completion like any order.
    const early = await accepted(t, t.operator, 'distribution.review.approved', { orderId: approvedEarly });
    expect(early).toMatchObject({ status: 'approved', rewardsCreated: false });

    await deliverWebhooks(t);
    const all = [...passed, approvedLate, rejected, approvedEarly];
    for (const orderId of all) await shipAndDeliver(buyer, orderId);
    const start = t.clock.now;
    try {
      t.clock.now = new Date(start.getTime() + 7 * DAY + 1_000);
      expect(await runOrderTimers(t.ctx)).toBe(all.length);
      operatorToken = await signIn(t, t.operator);

      for (const orderId of [...passed, approvedEarly]) {
        expect(await commissionsOf(orderId)).toEqual([{ kind: 'direct', amount_fen: '1000', status: 'frozen' }]);
      }
      // Held: completed, but no commission while the review is pending.
      expect(await commissionsOf(approvedLate)).toEqual([]);
      expect(await commissionsOf(rejected)).toEqual([]);
      const [stats] = await rows<{ own_sales_fen: string }>(
        t.ctx.database.db,
        sql`select own_sales_fen::text from distribution_member_stats where did = ${seller.pair.did}`,
      );
      expect(stats?.own_sales_fen).toBe('40000');

      const late = await accepted(t, t.operator, 'distribution.review.approved', {
        orderId: approvedLate,
        note: '同一家庭多次购买，已电话核实',
      });
      expect(late).toMatchObject({ status: 'approved', orderStatus: 'completed', rewardsCreated: true });
      expect(await commissionsOf(approvedLate)).toEqual([{ kind: 'direct', amount_fen: '1000', status: 'frozen' }]);

      const no = await accepted(t, t.operator, 'distribution.review.rejected', { orderId: rejected, note: '刷单' });
      expect(no).toMatchObject({ status: 'rejected', rewardsCreated: false });
      expect(await commissionsOf(rejected)).toEqual([]);
      // Decisions are final.
      const again = await send(t, t.operator, 'distribution.review.approved', { orderId: rejected });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('already_decided');
      expect(await commissionsOf(rejected)).toEqual([]);

      // Every decision is recorded: who, when, why, and its envelope on the log.
      expect(await queue()).toEqual([]);
      const decided = await queue('approved');
      expect(decided.map((r) => r.orderId)).toEqual([approvedLate, approvedEarly]);
      expect(decided[0]).toMatchObject({ decidedBy: t.operator.did, note: '同一家庭多次购买，已电话核实' });
      const rejectedReview = await reviewOf(rejected);
      expect(rejectedReview).toMatchObject({ status: 'rejected', decided_by: t.operator.did });
      const [logged] = await rows<{ type: string }>(
        t.ctx.database.db,
        sql`select type from events where id = ${rejectedReview?.event_id}::int8`,
      );
      expect(logged?.type).toBe('distribution.review.rejected');
    } finally {
      t.clock.now = new Date();
      operatorToken = await signIn(t, t.operator);
    }
  });

  it('counts IP addresses too, never a loopback address, and flags a producer buying their own goods', async () => {
    const buyer = await member();
    const ip = '203.0.113.9';
    const orders = [];
    for (let i = 0; i < 6; i++) orders.push(await buy(buyer, { ip }));
    for (const orderId of orders.slice(0, 5)) expect(await reviewOf(orderId)).toBeUndefined();
    expect((await reviewOf(orders[5] as string))?.reasons).toEqual([expect.objectContaining({ code: 'ip_velocity' })]);
    // Local requests (tests, tools, a proxy on the same host) are not a client's address.
    const local = await member();
    for (let i = 0; i < 6; i++) expect(await reviewOf(await buy(local))).toBeUndefined();

    const own = await buy(producer);
    expect((await reviewOf(own))?.reasons).toEqual([expect.objectContaining({ code: 'buyer_is_producer' })]);
  });

  it('stores device and IP only as keyed hashes, never on the log, and refuses a malformed device id', async () => {
    const buyer = await member();
    const orderId = await buy(buyer, { device: 'tablet-secret-4242', ip: '192.0.2.77' });
    const [signal] = await rows<{ device_id: string; ip: string; buyer_did: string }>(
      t.ctx.database.db,
      sql`select device_id, ip, buyer_did from distribution_order_signals where order_id = ${orderId}`,
    );
    expect(signal?.buyer_did).toBe(buyer.pair.did);
    expect(signal?.device_id).toMatch(/^[0-9a-f]{64}$/);
    expect(signal?.ip).toMatch(/^[0-9a-f]{64}$/);
    const [leaks] = await rows<{ n: string }>(
      t.ctx.database.db,
      sql`select count(*)::text as n from events where envelope::text like '%tablet-secret%' or envelope::text like '%192.0.2.77%'`,
    );
    expect(leaks?.n).toBe('0');

    await buy(buyer); // warms the cart and address, so the refusal below is the only change
    const before = await tableCounts(t.ctx.database);
    const refused = await checkout(buyer, { device: 'bad id!' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'invalid_device_id', field: 'X-Device-Id' });
    const after = await tableCounts(t.ctx.database);
    // The refused checkout wrote nothing (the cart item it put back is the test's own doing).
    expect({ ...after, order_carts: 0 }).toEqual({ ...before, order_carts: 0 });
  });
});
