import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, grantRole, send } from '../../test-support/commerce.js';
import {
  buy,
  checkout,
  completeDelivered,
  type Member,
  refundAfterSale,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { availableOf, owedOf } from './accounts.js';
import { releaseDueCommissions } from './commissions.js';
import { computeCycleDistribution } from './cycle.js';
import { distributionPolicy } from './policy.js';

const DAY = 86_400_000;
let t: TestApp;
let producer: Member;

const member = () => signedInMember(t);

async function promoter(): Promise<Member> {
  const m = await member();
  await grantRole(t, m.pair, 'promoter');
  return m;
}

async function linkOf(owner: KeyPair, body: Record<string, unknown>): Promise<string> {
  const result = await accepted(t, owner, 'distribution.link.created', body);
  return String(result.code);
}

const me = async (m: Member) =>
  (await t.app.inject({ method: 'GET', url: '/v1/distribution/me', headers: bearer(m.token) })).json();
const commissions = async (m: Member) =>
  (await t.app.inject({ method: 'GET', url: '/v1/distribution/commissions', headers: bearer(m.token) })).json().items;

/** Pays, ships, confirms delivery and lets the return window pass: the order completes. */
async function complete(buyer: Member, orderId: string) {
  await shipAndDeliver(t, producer, buyer, orderId, '中通快递');
  await completeDelivered(t);
  const [status] = await rows<{ status: string }>(
    t.ctx.database.db,
    sql`select status from orders where id = ${orderId}`,
  );
  expect(status?.status).toBe('completed');
}

const balances = async (did: string) => {
  const accounts = await getAccounts(t.ctx.database.db, [`earnings:${did}`, `debt:${did}`]);
  const earnings = accounts.find((a) => a.key === `earnings:${did}`);
  return {
    frozen: earnings?.creditsPending ?? 0n,
    available: availableOf(earnings),
    debt: owedOf(accounts.find((a) => a.key === `debt:${did}`)),
  };
};

const refundCompleted = (buyer: Member, orderId: string, refundId: string, quantity: number) =>
  refundAfterSale(t, buyer, orderId, refundId, quantity);

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-d', 100);
});
afterAll(async () => {
  await t?.close();
});

describe('commissions', () => {
  it('follow a share link to a frozen commission and its override, released after the freeze', async () => {
    const upline = await promoter();
    // The upline invites a friend who becomes a promoter: the friend's upline is who brought them.
    const invite = await linkOf(upline.pair, { kind: 'invite' });
    const seller = await member();
    const bound = await accepted(t, seller.pair, 'distribution.binding.created', { code: invite });
    // A promoter's invitation binds (commission); it does not also earn the referral reward.
    expect(bound).toMatchObject({ binding: 'bind', promoter: upline.pair.did, inviter: null, invited: false });
    await grantRole(t, seller.pair, 'promoter');
    expect((await me(seller)).promoter).toMatchObject({ level: 'promoter', upline: upline.pair.did });
    expect((await me(upline)).stats.directMembers).toBe(1);

    const productLink = await linkOf(seller.pair, { kind: 'product', productId: 'rice-d' });
    const link = (await t.app.inject({ method: 'GET', url: `/v1/links/${productLink}` })).json();
    expect(link).toMatchObject({ owner: seller.pair.did, kind: 'product', url: `/s/${productLink}` });
    const qr = await t.app.inject({ method: 'GET', url: `/v1/links/${productLink}/qr.png?size=128` });
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toBe('image/png');
    expect(qr.rawPayload.subarray(1, 4).toString()).toBe('PNG');

    const buyer = await member();
    await accepted(t, buyer.pair, 'distribution.binding.created', { code: productLink });
    const placed = await checkout(t, buyer, 'rice-d:bag', 2);
    expect(placed.response.statusCode, placed.response.body).toBe(201);
    const order = placed.response.json().order as { id: string };
    expect(placed.signed.attribution).toEqual({ promoter: seller.pair.did });
    const [stored] = await rows<{ attribution: unknown }>(
      t.ctx.database.db,
      sql`select attribution from orders where id = ${order.id}`,
    );
    expect(stored?.attribution).toEqual({
      promoter: seller.pair.did,
      promoterLevel: 'promoter',
      upline: upline.pair.did,
      uplineLevel: 'promoter',
    });

    await complete(buyer, order.id);
    // 10% direct and 3% override of ¥200, frozen until delivery + 30 + 7 days.
    const [direct] = await commissions(seller);
    expect(direct).toMatchObject({ orderId: order.id, kind: 'direct', amountFen: '2000', status: 'frozen' });
    const [override] = await commissions(upline);
    expect(override).toMatchObject({ kind: 'override', amountFen: '600', status: 'frozen', rateBps: 300 });
    expect(await balances(seller.pair.did)).toEqual({ frozen: 2000n, available: 0n, debt: 0n });
    const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${order.id}`]);
    expect(escrow).toMatchObject({ creditsPosted: 20_000n, debitsPending: 2_600n });

    // Not before the freeze ends, delivery + 37 days.
    t.clock.now = new Date(Date.now() + 36 * DAY);
    expect(await releaseDueCommissions(t.ctx)).toBe(0);
    t.clock.now = new Date(Date.now() + 37 * DAY + 1_000);
    expect(await releaseDueCommissions(t.ctx)).toBe(2);
    t.clock.now = new Date();
    expect(await balances(seller.pair.did)).toEqual({ frozen: 0n, available: 2000n, debt: 0n });
    expect((await commissions(seller))[0]).toMatchObject({ status: 'released' });
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);

    // The cycle computation finds the same commissions from the orders alone, and the points.
    const run = await computeCycleDistribution(t.ctx.database, distributionPolicy(t.ctx), {
      cycleKey: 'test-week',
      from: new Date(Date.now() - 7 * DAY),
      to: new Date(Date.now() + 8 * DAY),
    });
    const mine = run.distribution.commissions.filter((c) => c.orderId === order.id);
    expect(mine.map((c) => [c.kind, c.beneficiary, c.amountFen])).toEqual([
      ['direct', seller.pair.did, 2000n],
      ['override', upline.pair.did, 600n],
    ]);
    const entries = await rows<{ kind: string; party: string; amount_fen: string; points: string }>(
      t.ctx.database.db,
      sql`select kind, party, amount_fen, points from distribution_cycle_entries
           where cycle_key = 'test-week' and order_id = ${order.id} order by kind`,
    );
    expect(entries).toEqual([
      { kind: 'cashback', party: buyer.pair.did, amount_fen: '1000', points: '1000' },
      { kind: 'direct', party: seller.pair.did, amount_fen: '2000', points: '0' },
      { kind: 'override', party: upline.pair.did, amount_fen: '600', points: '0' },
    ]);
  });

  it('cancels frozen commission and claws back released commission on refunds after sale', async () => {
    const seller = await promoter();
    const shop = await linkOf(seller.pair, { kind: 'shop', producer: producer.pair.did });
    const buyer = await member();
    await accepted(t, buyer.pair, 'distribution.binding.created', { code: shop });
    const order = { id: await buy(t, buyer, 'rice-d:bag', 4) };
    await complete(buyer, order.id);
    expect(await balances(seller.pair.did)).toMatchObject({ frozen: 4000n });

    // A quarter refunded while frozen: the commission shrinks to 3,000 and stays frozen.
    await refundCompleted(buyer, order.id, 'after-1', 1);
    const [frozen] = await commissions(seller);
    expect(frozen).toMatchObject({ amountFen: '4000', cancelledFen: '1000', status: 'frozen' });
    expect(await balances(seller.pair.did)).toMatchObject({ frozen: 3000n, available: 0n });

    t.clock.now = new Date(Date.now() + 38 * DAY);
    expect(await releaseDueCommissions(t.ctx)).toBeGreaterThanOrEqual(1);
    t.clock.now = new Date();
    expect(await balances(seller.pair.did)).toEqual({ frozen: 0n, available: 3000n, debt: 0n });

    // The seller spends 2,500 of it (a payout); then two more units are refunded: 2,000 is
    // clawed back, 500 from the earnings left and 1,500 as a debt.
    const payout = await t.app.inject({
      method: 'POST',
      url: '/v1/payouts',
      headers: { ...bearer(seller.token), 'idempotency-key': 'seller-payout-1' },
      payload: {
        id: 'seller-payout-1',
        account: `earnings:${seller.pair.did}`,
        amount: '2500',
        destination: '招商银行 6214',
      },
    });
    expect(payout.statusCode, payout.body).toBe(201);
    await refundCompleted(buyer, order.id, 'after-2', 2);
    expect((await commissions(seller))[0]).toMatchObject({ clawedBackFen: '2000', status: 'released' });
    expect(await balances(seller.pair.did)).toEqual({ frozen: 0n, available: 0n, debt: 1500n });

    // The last unit: everything left (1,000) is clawed back, all of it debt now.
    await refundCompleted(buyer, order.id, 'after-3', 1);
    expect(await balances(seller.pair.did)).toEqual({ frozen: 0n, available: 0n, debt: 2500n });
    const [refunded] = await rows<{ status: string }>(
      t.ctx.database.db,
      sql`select status from orders where id = ${order.id}`,
    );
    expect(refunded?.status).toBe('refunded');
    // The escrow gave everything back to the buyer and holds nothing.
    const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${order.id}`]);
    expect(escrow!.creditsPosted - escrow!.debitsPosted).toBe(0n);

    // A later commission repays the debt before anything becomes available.
    const next = await member();
    await accepted(t, next.pair, 'distribution.binding.created', { code: shop });
    await complete(next, await buy(t, next, 'rice-d:bag', 3));
    t.clock.now = new Date(Date.now() + 38 * DAY);
    await releaseDueCommissions(t.ctx);
    t.clock.now = new Date();
    expect(await balances(seller.pair.did)).toEqual({ frozen: 0n, available: 500n, debt: 0n });
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('refuses self-referral, binding cycles, links to nothing and promoter-only links from consumers', async () => {
    const a = await promoter();
    const own = await linkOf(a.pair, { kind: 'invite' });
    const self = await send(t, a.pair, 'distribution.binding.created', { code: own });
    expect(self.json().error).toMatchObject({ code: 'self_referral', field: 'body.code' });
    const b = await promoter();
    expect((await send(t, b.pair, 'distribution.binding.created', { code: own })).statusCode).toBe(201);
    const back = await send(t, a.pair, 'distribution.binding.created', {
      code: await linkOf(b.pair, { kind: 'invite' }),
    });
    expect(back.json().error.code).toBe('referral_cycle');
    const missing = await send(t, a.pair, 'distribution.binding.created', { code: 'NoSuchCode1' });
    expect(missing.statusCode).toBe(404);
    const consumer = await member();
    const forbidden = await send(t, consumer.pair, 'distribution.link.created', {
      kind: 'product',
      productId: 'rice-d',
    });
    expect(forbidden.json().error.code).toBe('not_a_promoter');
    // An order placed under a binding signed away from the quote is refused.
    const buyer = await member();
    await accepted(t, buyer.pair, 'distribution.binding.created', {
      code: await linkOf(a.pair, { kind: 'product', productId: 'rice-d' }),
    });
    expect(await me(buyer)).toMatchObject({ boundTo: a.pair.did });
  });
});
