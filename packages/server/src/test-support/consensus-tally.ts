import { type ClaimValue, reportCommit, type TestReport, toHex } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { transaction } from '../db/connection.js';
import type { KeyPair } from '../keys.js';
import { computeDraw } from '../modules/consensus/draw.js';
import { electPanel } from '../modules/consensus/panels.js';
import { cycleOf } from '../modules/distribution/supplier-tokens.js';
import { newKeyPair, register, type TestApp } from './app.js';
import { accepted, accountWithRole } from './commerce.js';
import { grantPoints, type ListedProduct } from './shopping.js';

export { listedProduct, riceCatalog } from './shopping.js';

/**
 * Fixtures for the tally tests: a rice category with its model, producers with a listed product
 * and a lot, a panel of testers elected by Phragmén from real nominations, and rounds whose drawn
 * testers, commits and reveals are inserted directly — the rows a real round would have by its
 * reveal deadline (commits made with `reportCommit`, weights from the draw's `roundWeights`).
 */

export const CATEGORY = 'rice';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type TestedProduct = ListedProduct;

export async function registerLot(t: TestApp, product: TestedProduct, lotId: string): Promise<void> {
  await accepted(t, product.producer.pair, 'catalog.lot.registered', {
    productId: product.productId,
    lotId,
    productionDate: t.clock.now.toISOString().slice(0, 10),
    quantity: 1000,
  });
}

export interface Panel {
  cycle: number;
  testers: KeyPair[];
  /** nominators[0] backs testers 0…4, nominators[1] the others; the last tester also backs itself. */
  nominators: KeyPair[];
}

/**
 * `count` testers (approved: each starts with the genesis EP) standing for the rice panel with a
 * 10% commission, two nominators with `stakePoints` each behind them, the last tester staking
 * 200 points on itself, and the panel of the current cycle elected by the real election.
 */
export async function electedPanel(t: TestApp, count: number, stakePoints = 1_000n): Promise<Panel> {
  const testers: KeyPair[] = [];
  for (let i = 0; i < count; i++) {
    const tester = await accountWithRole(t, 'tester');
    await accepted(t, tester, 'consensus.candidate.declared', { category: CATEGORY, commissionBps: 1_000 });
    testers.push(tester);
  }
  const nominators = [newKeyPair(), newKeyPair()];
  for (const nominator of nominators) await register(t, nominator);
  const self = testers[count - 1] as KeyPair;
  await grantPoints(
    t,
    [...nominators, self].map((pair) => pair.did),
    stakePoints,
  );
  const half = Math.ceil(count / 2);
  await accepted(t, nominators[0] as KeyPair, 'consensus.nomination.set', {
    targets: testers.slice(0, half).map((tester) => tester.did),
    stakePoints: stakePoints.toString(),
  });
  await accepted(t, nominators[1] as KeyPair, 'consensus.nomination.set', {
    targets: testers.slice(half).map((tester) => tester.did),
    stakePoints: stakePoints.toString(),
  });
  await accepted(t, self, 'consensus.nomination.set', { targets: [self.did], stakePoints: '200' });
  const cycle = cycleOf(t.clock.now);
  await transaction(t.ctx.database.db, (tx) => electPanel(t.ctx, tx, CATEGORY, cycle));
  return { cycle, testers, nominators };
}

/** What a drawn tester does: reveal these values, commit and never reveal (`silent`), or nothing. */
export type Conduct = Record<string, ClaimValue> | 'silent' | 'absent';

export interface DrawnTester {
  tester: KeyPair;
  conduct: Conduct;
}

export const report = (roundId: string, tester: KeyPair, values: Record<string, ClaimValue>): TestReport => ({
  round: roundId,
  tester: tester.did,
  values,
  evidence: [],
  text: '按模型规定的方法实测。',
});

/**
 * A round of `product`'s lot at stage 0, drawn and past its reveal deadline (by a minute) at the
 * test clock: the drawn testers with the weights the draw gives them, and each one's commit
 * (3 days before the reveal deadline) and reveal (1 day before) as `conduct` says.
 */
export async function insertRound(
  t: TestApp,
  input: { roundId: string; product: TestedProduct; lotId: string; drawn: readonly DrawnTester[] },
): Promise<void> {
  const db = t.ctx.database.db;
  const now = t.clock.now;
  const cycle = cycleOf(now);
  const revealDeadline = new Date(now.getTime() - 60_000);
  const commitDeadline = new Date(revealDeadline.getTime() - 2 * DAY_MS);
  const checkpointRoot = toHex(nodeCrypto.randomBytes(32));
  const draw = await computeDraw(db, {
    roundId: input.roundId,
    stage: 0,
    checkpointRoot,
    producer: input.product.producer.pair.did,
    category: CATEGORY,
    cycle,
    count: 1,
    alreadyDrawn: [],
  });
  const weightOf = new Map((draw?.weights ?? []).map((w) => [w.tester, w]));
  await db.execute(
    sql`insert into consensus_rounds (id, product_id, lot_id, producer_did, category, model_id, model_version,
          claims_event_id, cycle, status, stage, checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline,
          opened_event_id, created_at)
        values (${input.roundId}, ${input.product.productId}, ${input.lotId}, ${input.product.producer.pair.did},
          ${CATEGORY}, 'rice-model', 1,
          (select claims_event_id from catalog_products where id = ${input.product.productId}), ${cycle}, 'open', 0, 1,
          ${checkpointRoot},
          ${commitDeadline.toISOString()}::timestamptz, ${revealDeadline.toISOString()}::timestamptz, 0,
          ${new Date(commitDeadline.getTime() - 14 * DAY_MS).toISOString()}::timestamptz)`,
  );
  await db.execute(sql`update catalog_products set verdict = 'testing' where id = ${input.product.productId}`);
  for (const { tester } of input.drawn) {
    const weight = weightOf.get(tester.did);
    if (weight === undefined) throw new Error(`${tester.did} is not eligible for the draw`);
    await db.execute(
      sql`insert into consensus_round_testers (round_id, tester_did, stage, ep, stake_points, weight)
          values (${input.roundId}, ${tester.did}, 0, ${weight.ep}, ${weight.stakeFen}::int8, ${weight.weight})`,
    );
  }
  for (const { tester, conduct } of input.drawn) {
    await act(t, input.roundId, tester, conduct, {
      committedAt: new Date(commitDeadline.getTime() - DAY_MS),
      revealedAt: new Date(revealDeadline.getTime() - DAY_MS),
    });
  }
}

// What each silent tester committed to, so a test can have them reveal it later (an extension).
const committed = new Map<string, { payload: TestReport; salt: string }>();

/**
 * A drawn tester's commit and reveal as `conduct` says, at the given times (the rows the commit
 * and reveal envelopes would leave). A silent tester commits to an honest report.
 */
export async function act(
  t: TestApp,
  roundId: string,
  tester: KeyPair,
  conduct: Conduct,
  at: { committedAt: Date; revealedAt: Date },
): Promise<void> {
  if (conduct === 'absent') return;
  const salt = toHex(nodeCrypto.randomBytes(16));
  const values = conduct === 'silent' ? { moisture: 14.5, organic: true, grade: '一级' } : conduct;
  const payload = report(roundId, tester, values);
  await t.ctx.database.db.execute(
    sql`update consensus_round_testers set commit = ${reportCommit(payload, salt)},
          committed_at = ${at.committedAt.toISOString()}::timestamptz, committed_event_id = 0
         where round_id = ${roundId} and tester_did = ${tester.did}`,
  );
  if (conduct === 'silent') committed.set(`${roundId} ${tester.did}`, { payload, salt });
  else await revealAt(t, roundId, tester, payload, salt, at.revealedAt);
}

/** A silent tester reveals what they committed to, at `at`. */
export async function revealCommitted(t: TestApp, roundId: string, tester: KeyPair, at: Date): Promise<void> {
  const secret = committed.get(`${roundId} ${tester.did}`);
  if (secret === undefined) throw new Error(`${tester.did} committed nothing in ${roundId}`);
  await revealAt(t, roundId, tester, secret.payload, secret.salt, at);
}

async function revealAt(t: TestApp, roundId: string, tester: KeyPair, payload: TestReport, salt: string, at: Date) {
  await t.ctx.database.db.execute(
    sql`update consensus_round_testers set report = ${JSON.stringify(payload)}::jsonb, salt = ${salt},
          revealed_at = ${at.toISOString()}::timestamptz, revealed_event_id = 0
         where round_id = ${roundId} and tester_did = ${tester.did}`,
  );
}
