import {
  type ClaimValue,
  classifyReportReveals,
  type RewardResult,
  resultDigest,
  type TallyResult,
  type TestReport,
  tallyRound,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, transaction } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import {
  accepted,
  bearer,
  deliverWebhooks,
  productBody,
  riceClaims,
  riceModel,
  send,
  signAs,
} from '../../test-support/commerce.js';
import {
  act,
  type DrawnTester,
  electedPanel,
  insertRound,
  listedProduct,
  type Panel,
  registerLot,
  revealCommitted,
  riceCatalog,
  type TestedProduct,
} from '../../test-support/consensus-tally.js';
import { tableCounts } from '../../test-support/database.js';
import {
  buy,
  completeDelivered,
  DAY_MS,
  type Member,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts } from '../accounting/ledger.js';
import { depositHeld } from '../catalog/deposits.js';
import { POINTS_SLASHED } from './rewards.js';
import { openDueRounds } from './rounds.js';
import { tallyDueRounds } from './tally.js';
import { replaceVerdict } from './verdict.js';

let t: TestApp;
let panel: Panel;
const db = () => t.ctx.database.db;
const tester = (i: number) => panel.testers[i] as KeyPair;

const honest = (moisture: number, organic = true, grade = '一级'): Record<string, ClaimValue> => ({
  moisture,
  organic,
  grade,
});

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await riceCatalog(t);
  panel = await electedPanel(t, 9);
});
afterAll(async () => {
  await t?.close();
});

interface TesterRow {
  tester_did: string;
  stage: number;
  weight: number;
  report: TestReport | null;
  salt: string | null;
  commit: string | null;
  committed_at: Date | string | null;
  revealed_at: Date | string | null;
  reveal_status: string | null;
  accuracy: number | null;
}

const testersOf = (roundId: string) =>
  rows<TesterRow>(db(), sql`select * from consensus_round_testers where round_id = ${roundId} order by tester_did`);

const roundOf = async (roundId: string) =>
  (
    await rows<{ status: string; stage: number; verdict: string | null; appeal_until: Date | string | null }>(
      db(),
      sql`select status, stage, verdict, appeal_until from consensus_rounds where id = ${roundId}`,
    )
  )[0];

const productOf = async (productId: string) =>
  (
    await rows<{ status: string; verdict: string; suspended_reason: string | null }>(
      db(),
      sql`select status, verdict, suspended_reason from catalog_products where id = ${productId}`,
    )
  )[0];

const resultOf = async (kind: string, roundId: string, stage: number) =>
  (
    await rows<{ result: unknown; digest: string }>(
      db(),
      sql`select result, digest from consensus_results where kind = ${kind} and subject = ${roundId} and stage = ${stage}`,
    )
  )[0];

/** The tally as anyone would redo it from the round's rows (stage 0: every tester against the deadlines). */
async function recomputed(roundId: string, drawableCount: number): Promise<TallyResult> {
  const [round] = await rows<{ commit_deadline: Date | string; reveal_deadline: Date | string }>(
    db(),
    sql`select commit_deadline, reveal_deadline from consensus_rounds where id = ${roundId}`,
  );
  const testers = await testersOf(roundId);
  const ms = (value: Date | string) => new Date(value).getTime();
  const outcomes = classifyReportReveals({
    round: roundId,
    participants: testers.map((row) => row.tester_did),
    commits: testers.flatMap((row) =>
      row.commit === null || row.committed_at === null
        ? []
        : [{ participant: row.tester_did, commit: row.commit, atMs: ms(row.committed_at) }],
    ),
    reveals: testers.flatMap((row) =>
      row.report === null || row.salt === null || row.revealed_at === null
        ? []
        : [{ participant: row.tester_did, payload: row.report, salt: row.salt, atMs: ms(row.revealed_at) }],
    ),
    commitDeadlineMs: ms(round?.commit_deadline as string),
    revealDeadlineMs: ms(round?.reveal_deadline as string),
  });
  const weightOf = new Map(testers.map((row) => [row.tester_did, Number(row.weight)]));
  return tallyRound({
    attributes: riceModel().attributes,
    claims: riceClaims(),
    reports: outcomes.flatMap((o) =>
      o.status === 'valid' && o.payload !== null
        ? [{ tester: o.participant, weight: weightOf.get(o.participant) ?? 0, values: o.payload.values }]
        : [],
    ),
    drawnCount: testers.length,
    drawableCount,
  });
}

const draw = (conducts: DrawnTester['conduct'][], from = 0): DrawnTester[] =>
  conducts.map((conduct, i) => ({ tester: tester(from + i), conduct }));

/** Listed product `rice-<tag>`, its lot `L-<tag>` and round `r-<tag>`, whose drawn testers act as `conducts`. */
async function testedRound(tag: string, conducts: DrawnTester['conduct'][]): Promise<TestedProduct> {
  t.clock.now = new Date();
  const product = await listedProduct(t, `rice-${tag}`);
  await registerLot(t, product, `L-${tag}`);
  await insertRound(t, { roundId: `r-${tag}`, product, lotId: `L-${tag}`, drawn: draw(conducts) });
  return product;
}

describe('a round whose testers agree with the claims', () => {
  const roundId = 'r-pass';

  beforeAll(async () => {
    await testedRound('pass', [
      honest(14.5),
      honest(14.4),
      honest(14.6),
      honest(14.5),
      honest(14.3),
      honest(15.6, false, '二级'),
      'silent',
    ]);
  });

  it('refuses a tally whose digest is not the rule’s, writing nothing', async () => {
    const someone = await signedInMember(t);
    const before = await tableCounts(t.ctx.database);
    const tampered = await send(t, t.operator, 'consensus.round.tallied', {
      roundId,
      stage: 0,
      digest: '0'.repeat(64),
      decision: 'decided',
      verdict: 'fail',
    });
    expect(tampered.statusCode, tampered.body).toBe(422);
    expect(tampered.json().error).toMatchObject({ code: 'digest_mismatch', field: 'body.digest' });

    const expected = await recomputed(roundId, 2);
    const wrongVerdict = await send(t, t.operator, 'consensus.round.tallied', {
      roundId,
      stage: 0,
      digest: resultDigest(expected),
      decision: 'decided',
      verdict: 'fail',
    });
    expect(wrongVerdict.json().error.code).toBe('tally_mismatch');
    // The rewards are published with the tally: a digest that is not theirs is refused too.
    const wrongRewards = await send(t, t.operator, 'consensus.round.tallied', {
      roundId,
      stage: 0,
      digest: resultDigest(expected),
      decision: 'decided',
      verdict: 'pass',
      rewardsDigest: '0'.repeat(64),
    });
    expect(wrongRewards.json().error).toMatchObject({ code: 'rewards_digest_mismatch', field: 'body.rewardsDigest' });
    // Only the platform's key may sign a tally.
    const forged = await send(t, someone.pair, 'consensus.round.tallied', {
      roundId,
      stage: 0,
      digest: resultDigest(expected),
      decision: 'decided',
      verdict: 'pass',
    });
    expect(forged.statusCode).toBe(403);
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect((await roundOf(roundId))?.status).toBe('open');
  });

  it('passes: the digest is the rule’s, the lot gets a badge and the product is passed', async () => {
    const runs = await tallyDueRounds(t.ctx, 10);
    expect(runs).toEqual([expect.objectContaining({ roundId, decision: 'decided', verdict: 'pass' })]);
    const expected = await recomputed(roundId, 2);
    expect(expected.verdict).toBe('pass');
    const stored = await resultOf('tally', roundId, 0);
    expect(stored?.digest).toBe(resultDigest(expected));
    expect(stored?.result).toEqual(JSON.parse(JSON.stringify(expected)));

    const round = await roundOf(roundId);
    expect(round).toMatchObject({ status: 'decided', verdict: 'pass' });
    const appealDays = (new Date(round?.appeal_until as string).getTime() - t.clock.now.getTime()) / DAY_MS;
    expect(appealDays).toBeCloseTo(7, 5);
    expect(await productOf('rice-pass')).toMatchObject({ status: 'listed', verdict: 'passed' });
    const badges = await rows(db(), sql`select lot_id, revoked_at from consensus_badges where round_id = ${roundId}`);
    expect(badges).toEqual([{ lot_id: 'L-pass', revoked_at: null }]);

    const testers = new Map((await testersOf(roundId)).map((row) => [row.tester_did, row]));
    expect(testers.get(tester(6).did)).toMatchObject({ reveal_status: 'missing', accuracy: 0 });
    expect(testers.get(tester(0).did)?.reveal_status).toBe('valid');
    expect(Number(testers.get(tester(0).did)?.accuracy)).toBe(1);
  });

  it('records EP for every drawn tester and rewards the most accurate half; the inaccurate lose EP and stake', async () => {
    const tests = await rows<{ tester_did: string; accuracy: number; penalty: number }>(
      db(),
      sql`select tester_did, accuracy, penalty from consensus_tests where round_id = ${roundId}`,
    );
    expect(tests).toHaveLength(7);
    const testOf = new Map(tests.map((row) => [row.tester_did, row]));
    expect(testOf.get(tester(6).did)).toMatchObject({ accuracy: 0, penalty: 1 });
    expect(Number(testOf.get(tester(5).did)?.penalty)).toBe(1);
    expect(Number(testOf.get(tester(0).did)?.penalty)).toBe(0);

    const stored = await resultOf('rewards', roundId, 0);
    if (stored === undefined) throw new Error('no rewards stored');
    const { rewards, shares, inputs } = stored.result as {
      rewards: RewardResult;
      shares: { tester: string; fraction: number }[];
      inputs: { backing: string; testers: { tester: string; commissionBps: number }[] };
    };
    expect(stored.digest).toBe(resultDigest(rewards));
    expect(inputs.backing).toBe('election');
    expect(inputs.testers.every((row) => row.commissionBps === 1_000)).toBe(true);
    // The ⌈7/2⌉ = 4 most accurate win (t0 and t3 exact, t1 and t2 a tenth off); t4 loses unharmed.
    const byAccuracy = [...rewards.testers].sort((a, b) => b.accuracy - a.accuracy);
    const cutoff = byAccuracy[3]?.accuracy as number;
    const winners = rewards.testers.filter((row) => row.outcome === 'won').map((row) => row.tester);
    expect(new Set(winners)).toEqual(
      new Set(rewards.testers.filter((row) => row.accuracy >= cutoff).map((row) => row.tester)),
    );
    expect(winners).toHaveLength(4);
    expect(winners).toEqual(expect.arrayContaining([tester(0).did, tester(3).did]));
    expect(winners).not.toContain(tester(4).did);
    expect(shares.reduce((sum, share) => sum + share.fraction, 0)).toBeCloseTo(1, 9);
    const penalised = rewards.testers.filter((row) => row.penalised).map((row) => row.tester);
    expect(new Set(penalised)).toEqual(new Set([tester(5).did, tester(6).did]));

    // t5 and t6 are backed by the second nominator: 10% of that backing is slashed from its stake.
    const slashed = rewards.slashes.reduce((sum, leg) => sum + BigInt(leg.amountFen), 0n);
    expect(slashed).toBeGreaterThan(0n);
    expect(rewards.slashes.every((leg) => leg.party === panel.nominators[1]?.did)).toBe(true);
    const [nomination] = await rows<{ stake_points: string }>(
      db(),
      sql`select stake_points::text as stake_points from consensus_nominations where nominator_did = ${panel.nominators[1]?.did ?? ''}`,
    );
    expect(BigInt(nomination?.stake_points ?? '0')).toBe(1_000n - slashed);
    const stakeKey = `stake:${panel.nominators[1]?.did}`;
    const accounts = await getAccounts(db(), [POINTS_SLASHED, stakeKey]);
    const sink = accounts.find((account) => account.key === POINTS_SLASHED);
    const stake = accounts.find((account) => account.key === stakeKey);
    expect(sink?.creditsPosted).toBe(slashed);
    expect((stake?.creditsPosted ?? 0n) - (stake?.debitsPosted ?? 0n)).toBe(1_000n - slashed);
  });

  it('shows the verdict on the product page and the published results by round', async () => {
    t.clock.now = new Date();
    const page = (await t.app.inject({ method: 'GET', url: '/v1/catalog/products/rice-pass' })).json();
    expect(page.consensus.round).toMatchObject({
      id: roundId,
      lotId: 'L-pass',
      verdict: 'pass',
      testersDrawn: 7,
      testersRevealed: 6,
    });
    expect(page.consensus.attributes).toContainEqual({
      key: 'organic',
      mandatory: true,
      claimed: true,
      consensus: true,
      conforms: true,
    });
    expect(page.consensus.badge).toMatchObject({ roundId, lotId: 'L-pass' });
    expect(page.consensus.disclosure.zh).toContain('付费测评');
    expect(page.consensus.disclosure.en).toContain('paid tests');

    const published = await t.app.inject({ method: 'GET', url: `/v1/consensus/rounds/${roundId}/tally` });
    expect(published.statusCode, published.body).toBe(200);
    const body = published.json();
    expect(body.tallies).toHaveLength(1);
    expect(body.tallies[0].digest).toBe(resultDigest(body.tallies[0].result));
    expect(body.rewards.digest).toBe(resultDigest(body.rewards.result.rewards));
    expect((await t.app.inject({ method: 'GET', url: '/v1/consensus/rounds/r-none/tally' })).statusCode).toBe(404);
  });
});

describe('a round that fails a mandatory attribute', () => {
  const roundId = 'r-fail';
  let product: TestedProduct;
  let early: { buyer: Member; orderId: string };
  let buyers: { buyer: Member; orderId: string }[];

  beforeAll(async () => {
    // An order placed before the lot was registered is not offered a refund for it.
    t.clock.now = new Date(Date.now() - 10 * 60_000);
    product = await listedProduct(t, 'rice-fail', { depositFen: '100000' });
    const first = await signedInMember(t);
    early = { buyer: first, orderId: await buy(t, first, product.skuId, 1) };
    t.clock.now = new Date();
    await registerLot(t, product, 'L-fail');
    buyers = [];
    for (let i = 0; i < 2; i++) {
      const buyer = await signedInMember(t);
      buyers.push({ buyer, orderId: await buy(t, buyer, product.skuId, 1) });
    }
    await deliverWebhooks(t);
    // The second buyer's order goes all the way to completed.
    const completed = buyers[1] as { buyer: Member; orderId: string };
    await shipAndDeliver(t, product.producer, completed.buyer, completed.orderId);
    await completeDelivered(t);
    await insertRound(t, {
      roundId,
      product,
      lotId: 'L-fail',
      drawn: draw([honest(17.1), honest(17.0), honest(16.9), honest(17.0), honest(17.2), honest(16.8), 'absent']),
    });
  });

  it('fails the product: suspended with a public reason, refunds offered to the lot’s buyers, deposit cut', async () => {
    const runs = await tallyDueRounds(t.ctx, 10);
    expect(runs).toEqual([expect.objectContaining({ roundId, decision: 'decided', verdict: 'fail' })]);
    const tally = (await resultOf('tally', roundId, 0))?.result as TallyResult;
    expect(tally.failedMandatory).toEqual(['moisture']);
    expect(tally.attributes.find((a) => a.key === 'moisture')).toMatchObject({ claimed: 14.5, conforms: false });

    const now = await productOf('rice-fail');
    expect(now).toMatchObject({ status: 'suspended', verdict: 'failed' });
    expect(now?.suspended_reason).toContain(roundId);
    expect(now?.suspended_reason).toContain('moisture');

    const offers = await rows<{ order_id: string; buyer_did: string; status: string }>(
      db(),
      sql`select order_id, buyer_did, status from consensus_refund_offers where round_id = ${roundId} order by order_id`,
    );
    expect(offers).toEqual(
      buyers
        .map(({ buyer, orderId }) => ({ order_id: orderId, buyer_did: buyer.pair.did, status: 'offered' }))
        .sort((a, b) => a.order_id.localeCompare(b.order_id)),
    );
    expect(offers.map((offer) => offer.order_id)).not.toContain(early.orderId);

    expect(await depositHeld(db(), product.producer.pair.did)).toBe(80_000n);
    const cuts = await rows<{ amount: string }>(
      db(),
      sql`select amount::text as amount from ledger_transfers where id = ${`consensus-deposit-cut:${roundId}`}`,
    );
    expect(cuts).toEqual([{ amount: '20000' }]);
    const [cutEvent] = await rows<{ body: Record<string, unknown> }>(
      db(),
      sql`select envelope->'body' as body from events where type = 'consensus.deposit.cut'`,
    );
    expect(cutEvent?.body).toMatchObject({ roundId, amountFen: '20000' });
    expect(await roundOf(roundId)).toMatchObject({ status: 'decided', verdict: 'fail' });
    expect(await resultOf('rewards', roundId, 0)).toBeDefined();
  });

  it('lets a buyer take the offer: the platform refunds what is left of the order at once, completed included', async () => {
    t.clock.now = new Date();
    for (const [i, { buyer, orderId }] of buyers.entries()) {
      const listed = await t.app.inject({
        method: 'GET',
        url: '/v1/consensus/refund-offers',
        headers: bearer(buyer.token),
      });
      const [offer] = listed.json().items;
      expect(offer).toMatchObject({ roundId, orderId, status: 'offered' });
      const take = (key: string) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/consensus/refund-offers/${orderId}/take`,
          headers: { ...bearer(buyer.token), 'idempotency-key': key },
          payload: { envelope: signAs(t, buyer.pair, 'orders.refund.requested', offer.refundRequest) },
        });
      const taken = await take(`take-${i}-first`);
      expect(taken.statusCode, taken.body).toBe(201);
      expect(taken.json()).toMatchObject({ orderStatus: 'refunded', refundedFen: '10000', offer: { status: 'taken' } });
      const again = await take(`take-${i}-again`);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('offer_taken');
      const [order] = await rows<{ status: string; refunded_fen: string }>(
        db(),
        sql`select status, refunded_fen::text as refunded_fen from orders where id = ${orderId}`,
      );
      expect(order).toEqual({ status: 'refunded', refunded_fen: '10000' });
    }
    // Someone else's order, or one with no offer, cannot be taken.
    const stranger = buyers[0] as { buyer: Member };
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/consensus/refund-offers/${early.orderId}/take`,
      headers: { ...bearer(stranger.buyer.token), 'idempotency-key': 'take-stranger' },
      payload: {
        envelope: signAs(t, stranger.buyer.pair, 'orders.refund.requested', {
          orderId: early.orderId,
          refundId: 'nope-1',
          reason: 'not mine',
        }),
      },
    });
    expect(refused.statusCode).toBe(404);
  });
  it('follows a jury that overturns the verdict: lifted and passed, then failed again without a second cut', async () => {
    t.clock.now = new Date();
    await transaction(db(), (tx) => replaceVerdict(t.ctx, tx, roundId, 'pass', t.clock.now));
    expect(await roundOf(roundId)).toMatchObject({ verdict: 'pass' });
    expect(await productOf('rice-fail')).toMatchObject({ status: 'delisted', verdict: 'passed' });
    const badges = await rows(db(), sql`select revoked_at from consensus_badges where round_id = ${roundId}`);
    expect(badges).toEqual([{ revoked_at: null }]);
    // The offers already taken stay taken.
    const statuses = await rows<{ status: string }>(
      db(),
      sql`select distinct status from consensus_refund_offers where round_id = ${roundId}`,
    );
    expect(statuses).toEqual([{ status: 'taken' }]);

    await transaction(db(), (tx) => replaceVerdict(t.ctx, tx, roundId, 'fail', t.clock.now));
    const suspended = await productOf('rice-fail');
    expect(suspended).toMatchObject({ status: 'suspended', verdict: 'failed' });
    expect(suspended?.suspended_reason).toContain('overturned on appeal');
    expect(await depositHeld(db(), product.producer.pair.did)).toBe(80_000n);
    expect(
      await rows(db(), sql`select revoked_at from consensus_badges where round_id = ${roundId} and revoked_at is null`),
    ).toEqual([]);
  });
});

describe('a round with too few reveals', () => {
  const roundId = 'r-extend';

  beforeAll(async () => {
    await testedRound('extend', [honest(14.5), honest(14.4), honest(14.6), 'silent', 'silent', 'absent', 'absent']);
  });

  it('extends: more testers are drawn from the panel, the stage moves and the deadlines with it', async () => {
    // Two panel members are left to draw: the tally asks for both.
    const expected = await recomputed(roundId, 2);
    const runs = await tallyDueRounds(t.ctx, 10);
    expect(runs).toEqual([expect.objectContaining({ roundId, decision: 'extend', verdict: 'pending' })]);
    const stored = await resultOf('tally', roundId, 0);
    expect(stored?.digest).toBe(resultDigest(expected));
    expect(stored?.result).toMatchObject({ decision: 'extend', revealed: 3, drawMore: 2 });
    const round = await roundOf(roundId);
    expect(round).toMatchObject({ status: 'open', stage: 1, verdict: null });
    const testers = await testersOf(roundId);
    expect(testers).toHaveLength(9);
    const drawnNow = testers.filter((row) => Number(row.stage) === 1).map((row) => row.tester_did);
    expect(new Set(drawnNow)).toEqual(new Set([tester(7).did, tester(8).did]));
    expect(await productOf('rice-extend')).toMatchObject({ verdict: 'testing' });
    expect(await rows(db(), sql`select 1 from consensus_tests where round_id = ${roundId}`)).toEqual([]);
  });

  it('decides at the next stage with the earlier valid reveals and the new ones', async () => {
    const [deadlines] = await rows<{ commit_deadline: Date | string; reveal_deadline: Date | string }>(
      db(),
      sql`select commit_deadline, reveal_deadline from consensus_rounds where id = ${roundId}`,
    );
    const commitBy = new Date(deadlines?.commit_deadline as string).getTime();
    const revealBy = new Date(deadlines?.reveal_deadline as string).getTime();
    const inWindow = { committedAt: new Date(commitBy - DAY_MS), revealedAt: new Date(commitBy + DAY_MS) };
    // Testers 3 and 4 committed at stage 0 and reveal in the new window; 7 and 8 were drawn by the extension.
    await revealCommitted(t, roundId, tester(3), inWindow.revealedAt);
    await revealCommitted(t, roundId, tester(4), inWindow.revealedAt);
    await act(t, roundId, tester(7), honest(14.5), inWindow);
    await act(t, roundId, tester(8), honest(14.7), inWindow);

    t.clock.now = new Date(revealBy + 60_000);
    const runs = await tallyDueRounds(t.ctx, 10);
    t.clock.now = new Date();
    expect(runs).toEqual([expect.objectContaining({ roundId, decision: 'decided', verdict: 'pass' })]);
    const tally = (await resultOf('tally', roundId, 1))?.result as TallyResult;
    expect(tally).toMatchObject({ decision: 'decided', revealed: 7, drawnCount: 9 });
    const statuses = new Map((await testersOf(roundId)).map((row) => [row.tester_did, row.reveal_status]));
    expect(statuses.get(tester(0).did)).toBe('valid');
    expect(statuses.get(tester(3).did)).toBe('valid');
    expect(statuses.get(tester(5).did)).toBe('missing');
    expect(await productOf('rice-extend')).toMatchObject({ verdict: 'passed' });
  });
});

describe('a round the panel cannot complete', () => {
  it('is inconclusive: nothing but the status, and the product is untested again', async () => {
    await testedRound('none', [
      honest(14.5),
      honest(14.5),
      'silent',
      'absent',
      'absent',
      'absent',
      'absent',
      'absent',
      'absent',
    ]);
    const runs = await tallyDueRounds(t.ctx, 10);
    expect(runs).toEqual([expect.objectContaining({ roundId: 'r-none', decision: 'inconclusive' })]);
    expect(await roundOf('r-none')).toMatchObject({ status: 'inconclusive', verdict: 'inconclusive' });
    expect(await productOf('rice-none')).toMatchObject({ status: 'listed', verdict: 'untested' });
    expect(await rows(db(), sql`select 1 from consensus_tests where round_id = 'r-none'`)).toEqual([]);
    expect(await rows(db(), sql`select 1 from consensus_badges where round_id = 'r-none'`)).toEqual([]);
    const page = (await t.app.inject({ method: 'GET', url: '/v1/catalog/products/rice-none' })).json();
    expect(page.consensus).toBeNull();
  });
});

describe('a product republished after its verdict', () => {
  const productId = 'rice-again';
  const otherClaims = { ...riceClaims(), moisture: 13.5 };
  let product: TestedProduct;
  // A draft is shown to its producer only.
  const page = async () =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/catalog/products/${productId}`,
        headers: bearer(product.producer.token),
      })
    ).json();
  const republish = (overrides: Record<string, unknown>) =>
    send(
      t,
      product.producer.pair,
      'catalog.product.published',
      productBody(productId, { skus: [{ code: 'bag', options: {}, priceFen: '10000', stock: 50 }], ...overrides }),
    );
  const agreeing = (): DrawnTester['conduct'][] => [
    honest(14.5),
    honest(14.4),
    honest(14.6),
    honest(14.5),
    honest(14.5),
    honest(14.4),
    'silent',
  ];

  beforeAll(async () => {
    product = await testedRound('again', agreeing());
    expect(await tallyDueRounds(t.ctx, 10)).toEqual([
      expect.objectContaining({ roundId: 'r-again', decision: 'decided', verdict: 'pass' }),
    ]);
    expect(await productOf(productId)).toMatchObject({ verdict: 'passed' });
    await accepted(t, product.producer.pair, 'catalog.product.delisted', { productId });
  });

  it('keeps its verdict when only its texts or SKUs change', async () => {
    const response = await republish({
      title: { zh: '有机大米 新包装' },
      skus: [{ code: 'bag', options: {}, priceFen: '9900', stock: 40 }],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(await productOf(productId)).toMatchObject({ status: 'draft', verdict: 'passed' });
    const shown = await page();
    expect(shown.verdict).toBe('passed');
    expect(shown.consensus.round.id).toBe('r-again');
    expect(shown.consensus.badge).toMatchObject({ roundId: 'r-again' });
  });

  it('refuses other claims while a round tests it, writing nothing; other texts pass', async () => {
    t.clock.now = new Date();
    await registerLot(t, product, 'L-again-2');
    await insertRound(t, { roundId: 'r-again-2', product, lotId: 'L-again-2', drawn: draw(agreeing()) });
    const before = await tableCounts(t.ctx.database);
    const refused = await republish({ claims: otherClaims });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'round_open', field: 'body.claims' });
    expect(refused.json().error.message).toContain('r-again-2');
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await productOf(productId)).toMatchObject({ status: 'draft', verdict: 'testing' });
    expect((await republish({ description: '当季新米，真空包装。' })).statusCode).toBe(201);
    expect(await productOf(productId)).toMatchObject({ verdict: 'testing' });
  });

  it('starts over with other claims: untested, no consensus or badge on its page, the rounds kept', async () => {
    expect(await tallyDueRounds(t.ctx, 10)).toEqual([
      expect.objectContaining({ roundId: 'r-again-2', decision: 'decided', verdict: 'pass' }),
    ]);
    expect(await productOf(productId)).toMatchObject({ verdict: 'passed' });
    const response = await republish({ claims: otherClaims });
    expect(response.statusCode, response.body).toBe(201);
    expect(await productOf(productId)).toMatchObject({ status: 'draft', verdict: 'untested' });
    const shown = await page();
    expect(shown.verdict).toBe('untested');
    expect(shown.claims).toEqual(otherClaims);
    expect(shown.consensus).toBeNull();
    const kept = await rows<{ id: string; verdict: string }>(
      db(),
      sql`select id, verdict from consensus_rounds where product_id = ${productId} order by id`,
    );
    expect(kept).toEqual([
      { id: 'r-again', verdict: 'pass' },
      { id: 'r-again-2', verdict: 'pass' },
    ]);
  });

  it('is tested again once listed: the job opens a round on its newest lot, against the new claims', async () => {
    t.clock.now = new Date();
    await accepted(t, product.producer.pair, 'catalog.product.listed', { productId });
    await t.integrate();
    expect(await openDueRounds(t.ctx, 10)).toBe(1);
    const opened = await rows<{ lot_id: string; current: boolean }>(
      db(),
      sql`select r.lot_id, r.claims_event_id = p.claims_event_id as current
            from consensus_rounds r join catalog_products p on p.id = r.product_id
           where r.product_id = ${productId} and r.status = 'open'`,
    );
    expect(opened).toEqual([{ lot_id: 'L-again-2', current: true }]);
    expect(await productOf(productId)).toMatchObject({ verdict: 'testing' });
    expect(await openDueRounds(t.ctx, 10)).toBe(0);
  });
  it('a jury ruling on a round of the replaced claims leaves the verdict alone; the listing is still suspended', async () => {
    t.clock.now = new Date();
    await transaction(db(), (tx) => replaceVerdict(t.ctx, tx, 'r-again-2', 'fail', t.clock.now));
    expect(await roundOf('r-again-2')).toMatchObject({ verdict: 'fail' });
    // The lot its buyers got failed, whatever the product claims now: the operator reviews it.
    const after = await productOf(productId);
    expect(after).toMatchObject({ status: 'suspended', verdict: 'testing' });
    expect(after?.suspended_reason).toContain('r-again-2');
    expect((await page()).consensus).toBeNull();
  });
});
