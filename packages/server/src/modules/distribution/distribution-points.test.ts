import { addUtcMonths } from '@concord/protocol';
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
} from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import {
  buy as buyOne,
  completeDelivered as completeAll,
  type Member,
  refundAfterSale,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { runOrderTimers } from '../orders/timers.js';
import { runPointsRetirement } from './points-burn.js';
import { pointsBalance } from './points-ledger.js';
import { distributionPolicy } from './policy.js';
import { cycleOf } from './supplier-tokens.js';

const DAY = 86_400_000;
let t: TestApp;
let operatorToken: string;

let producer: Member;

const member = () => signedInMember(t);
const buy = (buyer: Member, skuId: string, quantity: number) => buyOne(t, buyer, skuId, quantity);
/** Pays (webhooks), ships and confirms delivery of the order. */
const deliver = (buyer: Member, orderId: string, seller: Member = producer) =>
  shipAndDeliver(t, seller, buyer, orderId);
const completeDelivered = () => completeAll(t);

async function buyAndComplete(buyer: Member, skuId: string, quantity: number): Promise<string> {
  const orderId = await buy(buyer, skuId, quantity);
  await deliver(buyer, orderId);
  await completeDelivered();
  expect(await statusOf(orderId)).toBe('completed');
  return orderId;
}

const statusOf = async (orderId: string) =>
  (await rows<{ status: string }>(t.ctx.database.db, sql`select status from orders where id = ${orderId}`))[0]?.status;

const points = async (m: { token: string }) =>
  (await t.app.inject({ method: 'GET', url: '/v1/points', headers: bearer(m.token) })).json();

const balance = (m: { pair: KeyPair }) => pointsBalance(t.ctx.database.db, m.pair.did);

const me = async (m: Member) =>
  (await t.app.inject({ method: 'GET', url: '/v1/distribution/me', headers: bearer(m.token) })).json();

const summary = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/points/summary', headers: bearer(operatorToken) })).json();

const refundCompleted = (buyer: Member, orderId: string, refundId: string, quantity: number) =>
  refundAfterSale(t, buyer, orderId, refundId, quantity, '售后:不新鲜');

let transferKeys = 0;
const transfer = (from: { token: string }, body: Record<string, unknown>, key = `points-transfer-${transferKeys++}`) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/points/transfers',
    headers: { ...bearer(from.token), 'idempotency-key': key },
    payload: body,
  });

async function invited(inviter: Member): Promise<Member> {
  const { code } = await accepted(t, inviter.pair, 'distribution.link.created', { kind: 'invite' });
  const invitee = await member();
  const bound = await accepted(t, invitee.pair, 'distribution.binding.created', { code });
  expect(bound).toMatchObject({ inviter: inviter.pair.did, invited: true });
  return invitee;
}

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  operatorToken = await signIn(t, t.operator);
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' });
  // A category that sets 12% aside for cashback, so every tier's rate is paid in full there.
  await defineCategory(
    t,
    'rice-fine',
    { zh: '精品大米', en: 'Fine rice' },
    { parent: 'rice', splitPolicy: { consumerCashbackBps: 1200 } },
  );
  const expert = await accountWithRole(t, 'expert');
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  const pair = await accountWithRole(t, 'producer');
  producer = { pair, token: await signIn(t, pair) };
  const publish = async (productId: string, category: string, priceFen: string, stock: number) => {
    await accepted(
      t,
      pair,
      'catalog.product.published',
      productBody(productId, { category, skus: [{ code: 'bag', options: {}, priceFen, stock }] }),
    );
    await accepted(t, pair, 'catalog.product.listed', { productId });
  };
  await publish('rice-fine', 'rice-fine', '10000', 1000);
  await publish('rice-plain', 'rice', '10000', 1000);
  await publish('rice-estate', 'rice', '50000000', 10);
});
afterAll(async () => {
  await t?.close();
});

describe('consumer points', () => {
  it('pays cashback by tier, capped by the order’s share, and the referral reward on the first completed order only', async () => {
    const inviter = await member();
    const invitee = await invited(inviter);

    // The invitee's first order: 5% cashback (normal tier) and 8% of it to the inviter.
    const first = await buyAndComplete(invitee, 'rice-fine:bag', 1);
    expect((await points(invitee)).awards).toMatchObject([
      { orderId: first, kind: 'cashback', points: '500', rateBps: 500, reversedPoints: '0' },
    ]);
    expect((await points(inviter)).awards).toMatchObject([
      { orderId: first, kind: 'referral', points: '800', rateBps: 800, holder: inviter.pair.did },
    ]);
    expect((await me(inviter)).stats).toMatchObject({ invites: 1, tier: 'normal' });

    // The second order pays cashback again, but no second referral reward.
    const second = await buyAndComplete(invitee, 'rice-fine:bag', 1);
    expect((await points(invitee)).awards.map((a: { orderId: string }) => a.orderId).sort()).toEqual(
      [first, second].sort(),
    );
    expect((await points(inviter)).awards).toHaveLength(1);
    expect((await me(inviter)).stats.invites).toBe(1);
    const [invite] = await rows<{ rewarded_order_id: string }>(
      t.ctx.database.db,
      sql`select rewarded_order_id from distribution_invites where invitee_did = ${invitee.pair.did}`,
    );
    expect(invite?.rewarded_order_id).toBe(first);

    // The inviter spends ¥1,000 at the normal rate; with one invitee who bought, that makes silver.
    await buyAndComplete(inviter, 'rice-fine:bag', 10);
    const view = await points(inviter);
    expect(view.tier).toBe('silver');
    expect(view.awards[0]).toMatchObject({ kind: 'cashback', points: '5000', rateBps: 500 });
    expect((await me(inviter)).stats).toMatchObject({ spendFen: '100000', completedOrders: 1, tier: 'silver' });

    // Silver pays 8% where the order sets 12% aside, and only the order's 5% where it sets 5%.
    await buyAndComplete(inviter, 'rice-fine:bag', 1);
    expect((await points(inviter)).awards[0]).toMatchObject({ kind: 'cashback', points: '800', rateBps: 800 });
    await buyAndComplete(inviter, 'rice-plain:bag', 1);
    expect((await points(inviter)).awards[0]).toMatchObject({ kind: 'cashback', points: '500', rateBps: 500 });
    expect(await balance(inviter)).toBe(800n + 5000n + 800n + 500n);

    // Every award is a movement on the POINTS ledger from issuance.
    const { movements } = await points(inviter);
    expect(movements.map((m: { code: string; points: string }) => [m.code, m.points])).toEqual([
      ['points_cashback', '500'],
      ['points_cashback', '800'],
      ['points_cashback', '5000'],
      ['points_referral', '800'],
    ]);
    expect(movements[0].counterparty).toBe('points:issuance');
  });

  it('takes back the refunded part of each award, as far as the holder still has the points', async () => {
    const inviter = await member();
    const invitee = await invited(inviter);
    const order = await buyAndComplete(invitee, 'rice-fine:bag', 4);
    expect(await balance(invitee)).toBe(2000n);
    expect(await balance(inviter)).toBe(3200n);
    expect((await me(inviter)).stats.invites).toBe(1);

    // A quarter refunded: a quarter of each award comes back to issuance.
    await refundCompleted(invitee, order, 'late-1', 1);
    expect(await balance(invitee)).toBe(1500n);
    expect(await balance(inviter)).toBe(2400n);
    expect((await me(invitee)).stats.spendFen).toBe('30000');

    // The inviter sends most of their points on; the rest of the order is refunded: the buyer's
    // cashback comes back whole, the inviter's reward only as far as their 400 points go.
    const friend = await member();
    expect((await transfer(inviter, { to: friend.pair.did, points: '2000' })).statusCode).toBe(201);
    expect(await balance(inviter)).toBe(400n);
    await refundCompleted(invitee, order, 'late-2', 3);
    expect(await statusOf(order)).toBe('refunded');
    expect(await balance(invitee)).toBe(0n);
    expect(await balance(inviter)).toBe(0n);
    const awards = await rows<{ kind: string; points: string; reversed_points: string }>(
      t.ctx.database.db,
      sql`select kind, points, reversed_points from distribution_points_awards where order_id = ${order} order by kind`,
    );
    expect(awards).toEqual([
      { kind: 'cashback', points: '2000', reversed_points: '2000' },
      { kind: 'referral', points: '3200', reversed_points: '1200' },
    ]);
    // Nothing bought any more: no spend, and the invitation no longer counts toward a tier.
    expect((await me(invitee)).stats).toMatchObject({ spendFen: '0', completedOrders: 1 });
    expect((await me(inviter)).stats.invites).toBe(0);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('transfers points with a 1% fee, keeps their age, and refuses bad transfers with nothing written', async () => {
    const sender = await member();
    await buyAndComplete(sender, 'rice-fine:bag', 2); // 1,000 points
    const recipient = await member();
    const feesBefore = BigInt((await summary()).feePoints);

    const sent = await transfer(sender, { to: recipient.pair.did, points: '101' }, 'transfer-once-1');
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({
      from: sender.pair.did,
      to: recipient.pair.did,
      debitPoints: '101',
      creditPoints: '99',
      feePoints: '2',
      balance: '899',
    });
    // The same request again under the same key is the same transfer.
    const again = await transfer(sender, { to: recipient.pair.did, points: '101' }, 'transfer-once-1');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(sent.json());
    expect(await balance(sender)).toBe(899n);
    expect(await balance(recipient)).toBe(99n);
    expect(BigInt((await summary()).feePoints) - feesBefore).toBe(2n);
    // The points received keep the day they were earned on.
    const senderView = await points(sender);
    const recipientView = await points(recipient);
    expect(recipientView.lots).toEqual([{ earnedOn: senderView.lots[0].earnedOn, points: '99' }]);
    expect(recipientView.transfers[0]).toMatchObject({ from: sender.pair.did, creditPoints: '99' });
    expect(recipientView.movements[0]).toMatchObject({ code: 'points_transfer', points: '99' });

    const before = await tableCounts(t.ctx.database);
    const refused = async (body: Record<string, unknown>, status: number, code: string, field?: string) => {
      const response = await transfer(sender, body);
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json().error.code).toBe(code);
      if (field !== undefined) expect(response.json().error.field).toBe(field);
    };
    await refused({ to: recipient.pair.did, points: '900' }, 409, 'insufficient_points', 'body.points');
    await refused({ to: sender.pair.did, points: '10' }, 422, 'self_transfer', 'body.to');
    await refused({ to: newKeyPair().did, points: '10' }, 404, 'not_found', 'body.to');
    await refused({ to: recipient.pair.did, points: '1' }, 422, 'transfer_too_small', 'body.points');
    await refused({ to: recipient.pair.did, points: '-5' }, 400, 'invalid_request');
    await refused({ to: recipient.pair.did, points: 10 }, 400, 'invalid_request');
    const noKey = await t.app.inject({
      method: 'POST',
      url: '/v1/points/transfers',
      headers: bearer(sender.token),
      payload: { to: recipient.pair.did, points: '10' },
    });
    expect(noKey.json().error.code).toBe('idempotency_key_required');
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/points/transfers',
      headers: { 'idempotency-key': 'anonymous-transfer' },
      payload: { to: recipient.pair.did, points: '10' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await balance(sender)).toBe(899n);

    // Two transfers at once that together exceed the balance: one goes through, never both.
    const racing = await Promise.all([
      transfer(sender, { to: recipient.pair.did, points: '600' }),
      transfer(sender, { to: recipient.pair.did, points: '600' }),
    ]);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await balance(sender)).toBe(299n);
    expect(await balance(recipient)).toBe(99n + 594n);
  });

  it('burns 5% of circulating points once a month, and minted always equals held + spent + burned + fees', async () => {
    const holder = await member();
    await buyAndComplete(holder, 'rice-fine:bag', 2); // 1,000 points
    const small = await member();
    expect((await transfer(holder, { to: small.pair.did, points: '20' })).statusCode).toBe(201); // 19 arrive
    expect(await balance(holder)).toBe(980n);

    const start = await summary();
    expect(start.conserved).toBe(true);
    const january = new Date('2031-01-15T08:00:00.000Z');
    const run = await runPointsRetirement(t.ctx, january, { pageSize: 3 });
    expect(run).toMatchObject({ period: '2031-01', status: 'done', ran: true });
    expect(await balance(holder)).toBe(980n - 49n);
    // Under 20 points, 5% rounds down to nothing: a burn never takes more than its rate.
    expect(await balance(small)).toBe(19n);
    const afterFirst = await summary();
    expect(BigInt(afterFirst.burnedPoints) - BigInt(start.burnedPoints)).toBe(run.retiredPoints);
    expect(BigInt(afterFirst.heldPoints)).toBe(BigInt(start.heldPoints) - run.retiredPoints);
    expect(afterFirst.conserved).toBe(true);

    // The same month again, even later in it: nothing more is burned.
    const repeat = await runPointsRetirement(t.ctx, new Date('2031-01-31T23:00:00.000Z'));
    expect(repeat).toMatchObject({ period: '2031-01', status: 'done', ran: false, retiredPoints: run.retiredPoints });
    expect(await balance(holder)).toBe(931n);

    // The next month burns again, 5% of what is left.
    const february = await runPointsRetirement(t.ctx, new Date('2031-02-01T00:30:00.000Z'));
    expect(february).toMatchObject({ period: '2031-02', ran: true });
    expect(await balance(holder)).toBe(931n - 46n);
    const burns = (await points(holder)).movements.filter((m: { code: string }) => m.code === 'points_burn');
    expect(burns.map((m: { points: string; reference: string }) => [m.points, m.reference])).toEqual([
      ['-46', '2031-02'],
      ['-49', '2031-01'],
    ]);

    const end = await summary();
    expect(end.conserved).toBe(true);
    expect(BigInt(end.mintedPoints)).toBe(
      BigInt(end.heldPoints) + BigInt(end.spentPoints) + BigInt(end.burnedPoints) + BigInt(end.feePoints),
    );
    expect(BigInt(end.reversedPoints)).toBeGreaterThan(0n); // the refunds above took points back
    const stranger = await member();
    const denied = await t.app.inject({ method: 'GET', url: '/v1/points/summary', headers: bearer(stranger.token) });
    expect(denied.statusCode).toBe(403);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
  it('in expiry mode retires the lots earned 12 months before, and a transfer keeps the points’ age', async () => {
    const holder = await member();
    await buyAndComplete(holder, 'rice-fine:bag', 2); // 1,000 points, earned a week from now
    const [{ earnedOn: older }] = (await points(holder)).lots;
    // A second order completes 60 days from now: a younger lot.
    const second = await buy(holder, 'rice-fine:bag', 1);
    await deliver(holder, second);
    t.clock.now = new Date(Date.now() + 60 * DAY);
    await runOrderTimers(t.ctx);
    t.clock.now = new Date();
    const younger = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
    // 400 of the old points go to a friend (4 as the fee): they are as old there.
    const friend = await member();
    expect((await transfer(holder, { to: friend.pair.did, points: '400' })).statusCode).toBe(201);
    expect((await points(holder)).lots).toEqual([
      { earnedOn: older, points: '600' },
      { earnedOn: younger, points: '500' },
    ]);
    expect((await points(friend)).lots).toEqual([{ earnedOn: older, points: '396' }]);

    const server = distributionPolicy(t.ctx);
    const policy = { ...server, points: { ...server.points, retirementMode: 'expiry' as const } };
    const at = new Date(addUtcMonths(Date.parse(`${older}T00:00:00.000Z`), 12) + DAY / 2);
    const run = await runPointsRetirement(t.ctx, at, { policy });
    expect(run).toMatchObject({ status: 'done', ran: true });
    expect(await balance(holder)).toBe(500n);
    expect(await balance(friend)).toBe(0n);
    expect((await points(holder)).lots).toEqual([{ earnedOn: younger, points: '500' }]);
    const expired = (await points(friend)).movements[0];
    expect(expired).toMatchObject({ code: 'points_expiry', points: '-396', counterparty: 'points:burned' });
    expect((await summary()).conserved).toBe(true);
  });
});

let redemptionKeys = 0;

describe('supplier incentives', () => {
  it('earns supplier tokens by sales and redeems them for a lower platform fee in the next cycle', async () => {
    const redeem = (tokens: string, key = `redeem-${redemptionKeys++}`, token = producer.token) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/supplier/token-redemptions',
        headers: { ...bearer(token), 'idempotency-key': key },
        payload: { tokens },
      });
    const tokens = async () =>
      (
        await t.app.inject({ method: 'GET', url: '/v1/supplier/token-redemptions', headers: bearer(producer.token) })
      ).json();
    const before = (await tokens()).tokens;
    // 1% of completed sales: ¥1,000,000 earns 1,000,000 token units.
    const buyer = await member();
    await buyAndComplete(buyer, 'rice-estate:bag', 2);
    const earned = (await tokens()).tokens;
    expect(BigInt(earned.earned) - BigInt(before.earned)).toBe(1_000_000n);
    const held = BigInt(earned.held);

    // 10,000 tokens lower the fee by one bps for the next cycle; the rest of an offer stays.
    const first = await redeem('15000', 'redeem-once');
    expect(first.statusCode, first.body).toBe(201);
    const cycle = cycleOf(new Date());
    expect(first.json()).toMatchObject({
      tokensOffered: '15000',
      tokensSpent: '10000',
      reductionBps: 1,
      feeBpsBefore: 600,
      feeBpsAfter: 599,
      cycle,
      effectiveCycle: cycle + 1,
      appliedAt: null,
      tokensHeld: (held - 10_000n).toString(),
    });
    expect((await redeem('15000', 'redeem-once')).json()).toEqual(first.json());
    const counts = await tableCounts(t.ctx.database);
    const refusedWith = async (tokensOffered: string, status: number, code: string, token?: string) => {
      const response = await redeem(tokensOffered, undefined, token);
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json().error.code).toBe(code);
    };
    await refusedWith('9999', 422, 'redemption_too_small');
    await refusedWith((held - 10_000n + 1n).toString(), 409, 'insufficient_tokens');
    await refusedWith('0', 400, 'invalid_request');
    await refusedWith('10000', 403, 'role_required', buyer.token);
    expect(await tableCounts(t.ctx.database)).toEqual(counts);

    // Redemptions for the same cycle stack, down to the floor of 5% and no further.
    const more = await redeem((held - 10_000n).toString());
    expect(more.json()).toMatchObject({ tokensSpent: '990000', reductionBps: 99, feeBpsBefore: 599, feeBpsAfter: 500 });
    await refusedWith('1000', 409, 'fee_at_floor');

    const listed = await tokens();
    expect(listed.tokens).toMatchObject({ redeemed: '1000000', held: (held - 1_000_000n).toString() });
    expect(listed.items.map((r: { reductionBps: number }) => r.reductionBps)).toEqual([99, 1]);
    expect(listed.currentCycle).toBe(cycle);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('gives back the refunded part of the tokens an order earned', async () => {
    const buyer = await member();
    const order = await buyAndComplete(buyer, 'rice-plain:bag', 4); // ¥400: 400 tokens
    const [award] = await rows<{ tokens: string }>(
      t.ctx.database.db,
      sql`select tokens from distribution_token_awards where order_id = ${order}`,
    );
    expect(award?.tokens).toBe('400');
    await refundCompleted(buyer, order, 'tokens-back', 1);
    const [after] = await rows<{ reversed_tokens: string }>(
      t.ctx.database.db,
      sql`select reversed_tokens from distribution_token_awards where order_id = ${order}`,
    );
    expect(after?.reversed_tokens).toBe('100');
  });

  it('cuts the deposit by 5% when the last ratings average below 4.5, naming the ratings it used, once per window', async () => {
    const pair = await accountWithRole(t, 'producer');
    const seller: Member = { pair, token: await signIn(t, pair) };
    await accepted(
      t,
      pair,
      'catalog.product.published',
      productBody('rice-rated', { skus: [{ code: 'bag', options: {}, priceFen: '3000', stock: 100 }] }),
    );
    await accepted(t, pair, 'catalog.product.listed', { productId: 'rice-rated' });
    const paid = await t.app.inject({
      method: 'POST',
      url: '/v1/catalog/deposits',
      headers: { ...bearer(seller.token), 'idempotency-key': 'rated-deposit-1' },
      payload: { amount: '100000' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    await deliverWebhooks(t);
    const deposit = async () =>
      (await t.app.inject({ method: 'GET', url: '/v1/catalog/deposits', headers: bearer(seller.token) })).json()
        .heldFen;
    expect(await deposit()).toBe('100000');

    const buyers = [await member(), await member(), await member()];
    const orders: { buyer: Member; id: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const buyer = buyers[i % buyers.length] as Member;
      orders.push({ buyer, id: await buy(buyer, 'rice-rated:bag', 1) });
    }
    const rate = (o: { buyer: Member; id: string }, stars: number, by: KeyPair = o.buyer.pair) =>
      send(t, by, 'distribution.producer.rated', { orderId: o.id, stars });

    // Not before delivery, not by another buyer, whole stars 1–5 only.
    const early = await rate(orders[0]!, 4);
    expect(early.json().error.code).toBe('not_delivered');
    for (const o of orders) await deliver(o.buyer, o.id, seller);
    expect((await rate(orders[0]!, 4, (orders[1] as { buyer: Member }).buyer.pair)).json().error.code).toBe(
      'not_your_order',
    );
    expect((await rate(orders[0]!, 6)).statusCode).toBe(400);
    expect((await rate(orders[0]!, 3.5)).statusCode).toBe(400);

    // Nine ratings of 4 stars decide nothing: the rule needs ten.
    for (const o of orders.slice(0, 9)) {
      const rated = await rate(o, 4);
      expect(rated.statusCode, rated.body).toBe(201);
      expect(rated.json().result).toMatchObject({ ratingOutcome: 'too_few_ratings', depositCut: null });
    }
    expect((await rate(orders[0]!, 5)).json().error.code).toBe('already_rated');
    // The tenth: an average of 4.0 < 4.5 cuts 5% of the deposit, naming the ten rated orders.
    const tenth = await rate(orders[9]!, 4);
    expect(tenth.statusCode, tenth.body).toBe(201);
    const cut = tenth.json().result.depositCut;
    expect(tenth.json().result).toMatchObject({ ratingOutcome: 'cut', averageHundredths: 400, windowRatings: 10 });
    expect(cut).toMatchObject({
      producer: pair.did,
      amountFen: '5000',
      averageHundredths: 400,
      depositLeftFen: '95000',
    });
    const used = orders.slice(0, 10).map((o) => o.id);
    expect([...cut.ratingOrders].sort()).toEqual([...used].sort());
    expect(await deposit()).toBe('95000');
    const [revenue] = await getAccounts(t.ctx.database.db, ['revenue:platform:deposit_cuts']);
    expect(revenue?.creditsPosted).toBe(5000n);

    // On the log: the cut is the platform's envelope, with the ratings it used.
    const [logged] = await rows<{
      actor: string;
      body: { ratingOrders: string[]; amountFen: string; averageTenths: number };
    }>(
      t.ctx.database.db,
      sql`select actor, envelope->'body' as body from events where type = 'distribution.deposit.cut' order by id desc limit 1`,
    );
    expect(logged?.actor).toBe(t.operator.did);
    expect(logged?.body).toMatchObject({ amountFen: '5000', averageTenths: 40 });
    expect([...(logged?.body.ratingOrders ?? [])].sort()).toEqual([...used].sort());

    // The next ratings start a new window: one 1-star rating decides nothing, the deposit stays.
    const next = await rate(orders[10]!, 1);
    expect(next.json().result).toMatchObject({ ratingOutcome: 'too_few_ratings', windowRatings: 1, depositCut: null });
    expect(await deposit()).toBe('95000');

    // Nobody else signs a cut, and the platform cannot cut again with ratings used already.
    const forged = {
      producer: pair.did,
      amountFen: '4750',
      ratingOrders: used,
      averageTenths: 40,
    };
    const byBuyer = await send(t, orders[11]!.buyer.pair, 'distribution.deposit.cut', forged);
    expect(byBuyer.json().error.code).toBe('role_required');
    const twice = await send(t, t.operator, 'distribution.deposit.cut', forged);
    expect(twice.json().error.code).toBe('ratings_not_current');
    expect(await deposit()).toBe('95000');

    const ratings = (
      await t.app.inject({ method: 'GET', url: '/v1/supplier/ratings', headers: bearer(seller.token) })
    ).json();
    expect(ratings).toMatchObject({ count: 11, averageHundredths: Math.floor(((40 + 1) * 100) / 11) });
    expect(ratings.cuts).toHaveLength(1);
    expect(ratings.cuts[0]).toMatchObject({ amountFen: '5000', averageHundredths: 400 });
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
});
