import { drawSortition, resultDigest, roundWeights, toHex } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, transaction } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  deliverWebhooks,
  grantRole,
  productBody,
  send,
} from '../../test-support/commerce.js';
import { commitOfReport, newSalt, panelOf, riceReport } from '../../test-support/consensus.js';
import { tableCounts } from '../../test-support/database.js';
import { buy, DAY_MS, type Member, riceShop } from '../../test-support/shopping.js';
import { cycleOf } from '../distribution/supplier-tokens.js';
import { latestCheckpoint } from '../log/checkpoints.js';
import { conflictsOf } from './draw.js';
import { experienceOf } from './experience.js';
import { extendRound, openDueRounds } from './rounds.js';

const PRODUCT = 'cr-rice';
const SKU = `${PRODUCT}:bag`;
const LOT = 'L2026-01';

let t: TestApp;
let producer: Member;
let promoter: KeyPair;
let operatorToken: string;
const testers: Member[] = [];
const byDid = new Map<string, Member>();
/** Each tester's paid order placed before any round opened. */
const earlyOrders = new Map<string, string>();

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  operatorToken = await signIn(t, t.operator);
  producer = await riceShop(t, PRODUCT, 1_000);
  const today = t.clock.now.toISOString().slice(0, 10);
  await accepted(t, producer.pair, 'catalog.lot.registered', {
    productId: PRODUCT,
    lotId: LOT,
    productionDate: today,
    quantity: 500,
  });
  // The producer and a promoter who sells its shop are testers too, and sit on the panel.
  await grantRole(t, producer.pair, 'tester');
  promoter = await accountWithRole(t, 'promoter');
  await grantRole(t, promoter, 'tester');
  await accepted(t, promoter, 'distribution.link.created', { kind: 'shop', producer: producer.pair.did });
  for (let i = 0; i < 10; i++) {
    const pair = await accountWithRole(t, 'tester');
    const member = { pair, token: await signIn(t, pair) };
    testers.push(member);
    byDid.set(pair.did, member);
    earlyOrders.set(pair.did, await buy(t, member, SKU, 1));
  }
  await deliverWebhooks(t);
});
afterAll(async () => {
  await t?.close();
});

/** Runs `refused`, and checks that it wrote nothing at all. */
async function unchanged<T>(refused: () => Promise<T>): Promise<T> {
  const before = await tableCounts(t.ctx.database);
  const result = await refused();
  expect(await tableCounts(t.ctx.database)).toEqual(before);
  return result;
}

const openRound = (body: Record<string, unknown>, token = operatorToken) =>
  t.app.inject({ method: 'POST', url: '/v1/consensus/rounds', headers: bearer(token), payload: body });
const getRound = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/consensus/rounds/${id}` })).json();
const myRounds = async (member: Member) =>
  (await t.app.inject({ method: 'GET', url: '/v1/consensus/me/rounds', headers: bearer(member.token) })).json();
/** `member`'s entry for round `id` in their rounds. */
const myRound = async (member: Member, id: string) =>
  (await myRounds(member)).items.find((item: { id: string }) => item.id === id);
const errorOf = (response: { statusCode: number; json(): { error: { code: string; field?: string } } }) => ({
  status: response.statusCode,
  ...response.json().error,
});

/** What anyone can recompute: the weights of the eligible testers, and the sortition from the checkpoint root. */
/** Redraws as anyone can: weights from experience as of the panel's election (its envelope's time). */
async function redraw(roundId: string, stage: number, eligible: string[], count: number, root: string) {
  const [panel] = await rows<{ created_at: Date | string }>(
    t.ctx.database.db,
    sql`select created_at from consensus_panels where category = 'rice' order by cycle desc limit 1`,
  );
  const ep = await experienceOf(t.ctx.database.db, eligible, new Date(panel!.created_at));
  const { weights } = roundWeights(eligible.map((did) => ({ tester: did, ep: ep.get(did) ?? 0, stakeFen: 0n })));
  return drawSortition({
    checkpointRoot: root,
    roundId,
    stage,
    panel: weights.map((w) => ({ id: w.tester, weight: w.weight })),
    count,
  });
}

describe('consensus rounds', () => {
  let round: {
    roundId: string;
    drawn: { tester: string; weight: number }[];
    eligible: { tester: string }[];
    checkpoint: { size: number; root: string };
    commitDeadline: string;
    revealDeadline: string;
  };
  let drawn: string[];
  const salts = new Map<string, string>();

  it('refuses to open a round without the operator, a checkpoint, a panel, the product or the lot, writing nothing', async () => {
    const tester = testers[0]!;
    expect(errorOf(await unchanged(() => openRound({ productId: PRODUCT, lotId: LOT }, tester.token)))).toMatchObject({
      status: 403,
      code: 'role_required',
    });
    expect(errorOf(await unchanged(() => openRound({ productId: PRODUCT, lotId: LOT })))).toMatchObject({
      status: 409,
      code: 'no_checkpoint',
    });
    await t.integrate();
    expect(errorOf(await unchanged(() => openRound({ productId: PRODUCT, lotId: LOT })))).toMatchObject({
      status: 409,
      code: 'no_panel',
    });
    expect(errorOf(await unchanged(() => openRound({ productId: PRODUCT, lotId: 'L-none' })))).toMatchObject({
      status: 404,
      field: 'body.lotId',
    });
    expect(errorOf(await unchanged(() => openRound({ productId: 'no-such-rice', lotId: LOT })))).toMatchObject({
      status: 404,
      field: 'body.productId',
    });
    const direct = await unchanged(() =>
      send(t, tester.pair, 'consensus.round.opened', {
        roundId: 'r-own',
        productId: PRODUCT,
        lotId: LOT,
        checkpointSize: 1,
        digest: '0'.repeat(64),
      }),
    );
    expect(errorOf(direct)).toMatchObject({ status: 403, code: 'role_required' });
  });

  it('opens a round: 7 drawn from the panel, never the producer or its promoter, and anyone can redo the draw', async () => {
    await panelOf(t, 'rice', [producer.pair, promoter, ...testers.map((m) => m.pair)]);
    // The test clock stands still: a minute passes, so the orders made so far are from before the round.
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    const response = await openRound({ productId: PRODUCT, lotId: LOT });
    expect(response.statusCode, response.body).toBe(201);
    round = response.json();
    drawn = round.drawn.map((seat) => seat.tester);
    expect(drawn).toHaveLength(7);
    expect(new Set(drawn).size).toBe(7);
    const eligible = round.eligible.map((seat) => seat.tester);
    expect(eligible.sort()).toEqual(testers.map((m) => m.pair.did).sort());
    for (const tied of [producer.pair.did, promoter.did]) expect(drawn).not.toContain(tied);

    // The checkpoint is the log's, and the draw recomputes from its root.
    const checkpoint = await latestCheckpoint(t.ctx.database.db);
    expect(round.checkpoint).toEqual({ size: checkpoint!.size, root: toHex(checkpoint!.root) });
    const view = await getRound(round.roundId);
    expect(view).toMatchObject({
      status: 'open',
      stage: 0,
      productId: PRODUCT,
      lotId: LOT,
      checkpoint: round.checkpoint,
    });
    expect(Date.parse(view.commitDeadline) - Date.parse(view.openedAt)).toBe(14 * DAY_MS);
    expect(Date.parse(view.revealDeadline) - Date.parse(view.commitDeadline)).toBe(3 * DAY_MS);
    const again = await redraw(round.roundId, 0, eligible, 7, view.checkpoint.root);
    expect(again.drawn).toEqual(drawn);
    expect(view.draws).toEqual([
      { stage: 0, seed: again.seed, drawn, digest: resultDigest(again), eventId: expect.any(String) },
    ]);
    expect(view.testers.map((seat: { tester: string }) => seat.tester).sort()).toEqual([...drawn].sort());
    expect(view.testers[0]).toMatchObject({ stage: 0, ep: expect.any(Number), committed: false, revealStatus: null });

    const product = (await t.app.inject({ method: 'GET', url: `/v1/catalog/products/${PRODUCT}` })).json();
    expect(product.verdict).toBe('testing');
    expect(errorOf(await unchanged(() => openRound({ productId: PRODUCT, lotId: LOT })))).toMatchObject({
      status: 409,
      code: 'round_open',
    });
    const list = (await t.app.inject({ method: 'GET', url: `/v1/consensus/rounds?productId=${PRODUCT}` })).json();
    expect(list.items.map((item: { id: string }) => item.id)).toEqual([round.roundId]);
    // A producer's rounds (its console's list), and none of a producer without any.
    const mine = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/consensus/rounds?producer=${encodeURIComponent(producer.pair.did)}`,
      })
    ).json();
    expect(mine.items.map((item: { id: string; producer: string }) => [item.id, item.producer])).toEqual([
      [round.roundId, producer.pair.did],
    ]);
    const others = (
      await t.app.inject({ method: 'GET', url: `/v1/consensus/rounds?producer=${encodeURIComponent(promoter.did)}` })
    ).json();
    expect(others.items).toEqual([]);
    const decided = (await t.app.inject({ method: 'GET', url: '/v1/consensus/rounds?status=decided' })).json();
    expect(decided.items).toEqual([]);
  });

  it('the job opens a round for each lot without one, and keeps a tester from judging a producer too often', async () => {
    const other = await accountWithRole(t, 'producer');
    await accepted(
      t,
      other,
      'catalog.product.published',
      productBody('cr-rice-b', { skus: [{ code: 'bag', options: {}, priceFen: '9000', stock: 10 }] }),
    );
    await accepted(t, other, 'catalog.product.listed', { productId: 'cr-rice-b' });
    const today = t.clock.now.toISOString().slice(0, 10);
    for (const lotId of ['B1', 'B2', 'B3']) {
      await accepted(t, other, 'catalog.lot.registered', {
        productId: 'cr-rice-b',
        lotId,
        productionDate: today,
        quantity: 9,
      });
    }
    expect(await openDueRounds(t.ctx, 10)).toBe(3);
    expect(await openDueRounds(t.ctx, 10)).toBe(0);
    const opened = await rows<{ id: string; lot_id: string }>(
      t.ctx.database.db,
      sql`select id, lot_id from consensus_rounds where product_id = 'cr-rice-b' order by lot_id`,
    );
    expect(opened.map((r) => r.lot_id)).toEqual(['B1', 'B2', 'B3']);
    const drawnIn = async (id: string): Promise<string[]> => (await getRound(id)).draws[0].drawn;
    const [b1, b2, b3] = await Promise.all(opened.map((r) => drawnIn(r.id)));
    // 12 eligible, 7 + 7 drawn: at least two were drawn twice, and those sit the third lot out.
    const twice = b1!.filter((did) => b2!.includes(did));
    expect(twice.length).toBeGreaterThanOrEqual(2);
    for (const did of twice) expect(b3).not.toContain(did);
    // Whoever has now been drawn twice for this producer (in any two lots) sits out its next rounds.
    const timesDrawn = (did: string) => [b1!, b2!, b3!].filter((list) => list.includes(did)).length;
    const conflicts = await conflictsOf(t.ctx.database.db, other.did, cycleOf(t.clock.now));
    const panel = [producer.pair.did, promoter.did, ...testers.map((m) => m.pair.did)];
    // The first producer's ties do not matter for this one: its promoter and itself may test it.
    expect([...conflicts].sort()).toEqual([other.did, ...panel.filter((did) => timesDrawn(did) >= 2)].sort());
  });

  it('enrols a drawn tester by a paid purchase made for the round, and refuses every other commit', async () => {
    const [a, b, e, g] = drawn.map((did) => byDid.get(did)!);
    const outsider = testers.find((m) => !drawn.includes(m.pair.did))!;
    const reportA = riceReport(round.roundId, a!.pair);
    salts.set(a!.pair.did, newSalt());
    const commitA = commitOfReport(reportA, salts.get(a!.pair.did)!);
    const commit = (m: Member | KeyPair, orderId: string, hash = commitA) =>
      send(t, 'pair' in m ? m.pair : m, 'consensus.report.committed', {
        roundId: round.roundId,
        orderId,
        commit: hash,
      });

    expect(await myRound(a!, round.roundId)).toMatchObject({ id: round.roundId, next: { step: 'buy', orderId: null } });
    const orderA = await buy(t, a!, SKU, 1);
    const refusals = [
      [() => commit(a!, orderA), 409, 'order_not_paid'],
      [() => commit(outsider, earlyOrders.get(outsider.pair.did)!), 403, 'not_drawn'],
      [() => commit(b!, earlyOrders.get(b!.pair.did)!), 422, 'order_before_round'],
      [() => commit(b!, orderA), 403, 'not_your_order'],
      [() => commit(b!, 'no-such-order'), 404, 'not_found'],
      [() => commit(producer.pair, orderA), 403, 'not_drawn'],
    ] as const;
    for (const [request, status, code] of refusals) {
      expect(errorOf(await unchanged(request))).toMatchObject({ status, code });
    }
    await deliverWebhooks(t);
    expect((await myRound(a!, round.roundId)).next).toMatchObject({ step: 'commit', orderId: orderA });

    const committed = await commit(a!, orderA);
    expect(committed.statusCode, committed.body).toBe(201);
    expect(committed.json().result).toMatchObject({ orderId: orderA, revealFrom: round.commitDeadline });
    expect(errorOf(await unchanged(() => commit(a!, orderA)))).toMatchObject({
      status: 409,
      code: 'already_committed',
    });
    expect((await myRound(a!, round.roundId)).next).toEqual({
      step: 'wait',
      until: round.commitDeadline,
      orderId: orderA,
    });

    // g commits now (and will reveal too late); e buys but waits past the deadline.
    const reportG = riceReport(round.roundId, g!.pair, { moisture: 14.6, organic: true, grade: '一级' });
    salts.set(g!.pair.did, newSalt());
    const orderG = await buy(t, g!, SKU, 1);
    await buy(t, e!, SKU, 1);
    await deliverWebhooks(t);
    expect((await commit(g!, orderG, commitOfReport(reportG, salts.get(g!.pair.did)!))).statusCode).toBe(201);

    // The tally cannot extend a round whose reveal window is still open.
    const refused = await unchanged(() =>
      transaction(t.ctx.database.db, (tx) => extendRound(t.ctx, tx, round.roundId, 2, t.clock.now)).catch(
        (error: unknown) => error,
      ),
    );
    expect(refused).toMatchObject({ status: 409, code: 'reveal_window_open' });
  });

  it('classifies reveals: early before the commit deadline, valid or mismatch in the window, late after it', async () => {
    const [a, b, e, g] = drawn.map((did) => byDid.get(did)!);
    const reportA = riceReport(round.roundId, a!.pair);
    const reveal = (m: Member, report: unknown, salt: string) =>
      send(t, m.pair, 'consensus.report.revealed', { roundId: round.roundId, report, salt });

    const early = await reveal(a!, reportA, salts.get(a!.pair.did)!);
    expect(early.statusCode, early.body).toBe(201);
    expect(early.json().result).toMatchObject({ status: 'early', counts: false });
    const hidden = (await getRound(round.roundId)).testers.find((s: { tester: string }) => s.tester === a!.pair.did);
    expect(hidden).toMatchObject({ committed: true, revealStatus: 'early', report: null, salt: null });

    t.clock.now = new Date(Date.parse(round.commitDeadline) + 3_600_000);
    a!.token = await signIn(t, a!.pair);
    e!.token = await signIn(t, e!.pair);
    expect((await myRound(e!, round.roundId)).next).toMatchObject({ step: 'missed' });
    const [eOrder] = await rows<{ id: string }>(
      t.ctx.database.db,
      sql`select id from orders where buyer_did = ${e!.pair.did} and status = 'paid' order by created_at desc limit 1`,
    );
    const late = () =>
      send(t, e!.pair, 'consensus.report.committed', {
        roundId: round.roundId,
        orderId: eOrder!.id,
        commit: commitOfReport(riceReport(round.roundId, e!.pair), newSalt()),
      });
    expect(errorOf(await unchanged(late))).toMatchObject({ status: 409, code: 'commit_closed' });

    const wrongSalt = await reveal(a!, reportA, newSalt());
    expect(wrongSalt.json().result).toMatchObject({ status: 'mismatch', counts: false });
    const bad = [
      [
        { ...reportA, values: { ...reportA.values, colour: 'white' } },
        'unknown_attribute',
        'body.report.values.colour',
      ],
      [{ ...reportA, values: { moisture: 'dry' } }, 'value_kind_mismatch', 'body.report.values.moisture'],
      [{ ...reportA, evidence: ['not-a-hash'] }, 'invalid_report', 'body.report.evidence[0]'],
      [{ ...reportA, tester: b!.pair.did }, 'wrong_tester', 'body.report.tester'],
      [{ ...reportA, round: 'r-other' }, 'wrong_round', 'body.report.round'],
    ] as const;
    for (const [report, code, field] of bad) {
      expect(errorOf(await unchanged(() => reveal(a!, report, salts.get(a!.pair.did)!)))).toEqual({
        status: 422,
        code,
        field,
        message: expect.any(String),
      });
    }
    expect(errorOf(await unchanged(() => reveal(b!, riceReport(round.roundId, b!.pair), newSalt())))).toMatchObject({
      status: 409,
      code: 'not_committed',
    });
    expect((await myRound(a!, round.roundId)).next).toEqual({
      step: 'reveal',
      until: round.revealDeadline,
      orderId: expect.any(String),
    });

    const valid = await reveal(a!, reportA, salts.get(a!.pair.did)!);
    expect(valid.json().result).toMatchObject({ status: 'valid', counts: true });
    expect(errorOf(await unchanged(() => reveal(a!, reportA, salts.get(a!.pair.did)!)))).toMatchObject({
      status: 409,
      code: 'already_revealed',
    });
    expect((await myRound(a!, round.roundId)).next.step).toBe('done');

    t.clock.now = new Date(Date.parse(round.revealDeadline) + 3_600_000);
    const reportG = riceReport(round.roundId, g!.pair, { moisture: 14.6, organic: true, grade: '一级' });
    const tooLate = await reveal(g!, reportG, salts.get(g!.pair.did)!);
    expect(tooLate.json().result).toMatchObject({ status: 'late', counts: false });

    const view = await getRound(round.roundId);
    expect(view.revealsPublic).toBe(true);
    const seat = (did: string) => view.testers.find((s: { tester: string }) => s.tester === did);
    expect(seat(a!.pair.did)).toMatchObject({ revealStatus: 'valid', report: reportA, salt: salts.get(a!.pair.did) });
    expect(seat(g!.pair.did)).toMatchObject({ revealStatus: 'late', committed: true });
    expect(seat(e!.pair.did)).toMatchObject({ revealStatus: null, committed: false });
  });

  it('extends a round: more testers at stage 1 from the same checkpoint, and new deadlines', async () => {
    const stale = await unchanged(() =>
      send(t, t.operator, 'consensus.round.extended', {
        roundId: round.roundId,
        stage: 3,
        count: 2,
        digest: '0'.repeat(64),
      }),
    );
    expect(errorOf(stale)).toMatchObject({ status: 409, code: 'stage_mismatch' });
    // An extension naming a draw the rule does not give is refused: the digest is the draw's.
    const forged = await unchanged(() =>
      send(t, t.operator, 'consensus.round.extended', {
        roundId: round.roundId,
        stage: 1,
        count: 2,
        digest: '0'.repeat(64),
      }),
    );
    expect(errorOf(forged)).toMatchObject({ status: 422, code: 'digest_mismatch', field: 'body.digest' });

    const now = t.clock.now;
    const { drawn: more } = await transaction(t.ctx.database.db, (tx) => extendRound(t.ctx, tx, round.roundId, 2, now));
    expect(more).toHaveLength(2);
    for (const did of more) expect([...drawn, producer.pair.did, promoter.did]).not.toContain(did);

    const view = await getRound(round.roundId);
    expect(view.stage).toBe(1);
    expect(view.commitDeadline).toBe(new Date(now.getTime() + 14 * DAY_MS).toISOString());
    expect(view.revealDeadline).toBe(new Date(now.getTime() + 17 * DAY_MS).toISOString());
    expect(view.checkpoint).toEqual(round.checkpoint);
    const rest = testers.map((m) => m.pair.did).filter((did) => !drawn.includes(did));
    const again = await redraw(round.roundId, 1, rest, 2, round.checkpoint.root);
    expect(view.draws.map((d: { stage: number }) => d.stage)).toEqual([0, 1]);
    expect(view.draws[1]).toMatchObject({ seed: again.seed, drawn: more, digest: resultDigest(again) });
    const stages = new Map(view.testers.map((s: { tester: string; stage: number }) => [s.tester, s.stage]));
    for (const did of more) expect(stages.get(did)).toBe(1);
    // Reveals stay as they were; commits are kept.
    const [a, , e, g] = drawn.map((did) => byDid.get(did)!);
    const seat = (did: string) => view.testers.find((s: { tester: string }) => s.tester === did);
    expect(seat(a!.pair.did)).toMatchObject({ revealStatus: 'valid', stage: 0 });
    expect(seat(g!.pair.did)).toMatchObject({ committed: true });

    // A stage-0 tester who never committed stays out; a new one is asked to buy.
    const [eOrder] = await rows<{ id: string }>(
      t.ctx.database.db,
      sql`select id from orders where buyer_did = ${e!.pair.did} and status = 'paid' order by created_at desc limit 1`,
    );
    const missed = await unchanged(() =>
      send(t, e!.pair, 'consensus.report.committed', {
        roundId: round.roundId,
        orderId: eOrder!.id,
        commit: commitOfReport(riceReport(round.roundId, e!.pair), newSalt()),
      }),
    );
    expect(errorOf(missed)).toMatchObject({ status: 409, code: 'commit_closed' });
    const newcomer = byDid.get(more[0]!)!;
    newcomer.token = await signIn(t, newcomer.pair);
    expect(await myRound(newcomer, round.roundId)).toMatchObject({
      id: round.roundId,
      myStage: 1,
      next: { step: 'buy', until: view.commitDeadline },
    });
    t.clock.now = new Date();
  });
});
