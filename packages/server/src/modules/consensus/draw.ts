import { ConsensusError, drawStage, type PanelSeat, type RoundWeight, type StageDraw } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { experienceOf } from './experience.js';
import { findPanel } from './panels.js';
import { type ConsensusPolicy, DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';

/**
 * The draw of a round's testers (DESIGN §8.2): the category's panel of the round's cycle, less
 * everyone with a conflict of interest, weighted by experience and backing (protocol
 * `roundWeights`), then drawn by seeded sortition from a published checkpoint's root. Every input
 * is on the log (the panel election, the tests behind EP, the share links, earlier draws), so
 * anyone can redo the draw and must get the same names.
 */

/** The elected testers of `category` for `cycle` (panels.ts), or undefined when none was elected. */
export async function panelSeats(
  executor: Executor,
  category: string,
  cycle: number,
): Promise<{ seats: PanelSeat[]; electedAt: Date } | undefined> {
  const panel = await findPanel(executor, category, cycle);
  if (panel === undefined) return undefined;
  return {
    seats: panel.members.map((member) => ({ tester: member.did, backedStakeFen: member.backedPoints })),
    electedAt: panel.createdAt,
  };
}

/**
 * Who may not test a product of `producer` in `cycle`: the producer; promoters who earn from it
 * (a shop link naming the producer, or a product link of one of its products); and testers already
 * drawn for this producer's rounds `maxTestsPerProducerPerCycle` times this cycle, so no tester
 * becomes a producer's regular judge.
 */
export async function conflictsOf(
  executor: Executor,
  producer: string,
  cycle: number,
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
): Promise<Set<string>> {
  const promoters = await rows<{ did: string }>(
    executor,
    sql`select distinct owner_did as did from distribution_links
         where (kind = 'shop' and producer_did = ${producer})
            or (kind = 'product' and product_id in (select id from catalog_products where producer_did = ${producer}))`,
  );
  const frequent = await rows<{ did: string }>(
    executor,
    sql`select t.tester_did as did from consensus_round_testers t join consensus_rounds r on r.id = t.round_id
         where r.producer_did = ${producer} and r.cycle = ${cycle}
         group by t.tester_did having count(*) >= ${policy.maxTestsPerProducerPerCycle}`,
  );
  return new Set([producer, ...promoters.map((row) => row.did), ...frequent.map((row) => row.did)]);
}

export interface DrawInput {
  roundId: string;
  stage: number;
  checkpointRoot: string;
  producer: string;
  category: string;
  cycle: number;
  count: number;
  /** Drawn at earlier stages of the round: never drawn again. */
  alreadyDrawn: readonly string[];
}

/** A draw: the sortition's result and digest, the eligible panel's weights and the drawn. */
export type DrawOutcome = StageDraw;

/** Computes a draw (writes nothing); `undefined` when the category has no panel for the cycle. */
export async function computeDraw(
  executor: Executor,
  input: DrawInput,
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
): Promise<DrawOutcome | undefined> {
  const panel = await panelSeats(executor, input.category, input.cycle);
  if (panel === undefined) return undefined;
  const excluded = await conflictsOf(executor, input.producer, input.cycle, policy);
  for (const did of input.alreadyDrawn) excluded.add(did);
  const experience = await experienceOf(
    executor,
    panel.seats.filter((seat) => !excluded.has(seat.tester)).map((seat) => seat.tester),
    // Experience as it stood when the panel was elected (the election envelope's time): one
    // fixed time per panel, so every reading of the rule — ours, a replay's — weighs alike.
    panel.electedAt,
    policy,
  );
  try {
    return drawStage({
      roundId: input.roundId,
      stage: input.stage,
      checkpointRoot: input.checkpointRoot,
      count: input.count,
      seats: panel.seats,
      excluded,
      experience,
      weightPolicy: policy.weight,
    });
  } catch (error) {
    throw asAppError(error, 'body');
  }
}

/** Stores a draw: one row per drawn tester at `stage`, and the published result with its digest. */
export async function storeDraw(tx: Tx, roundId: string, stage: number, draw: DrawOutcome, eventId: bigint, now: Date) {
  for (const seat of draw.drawn) {
    await tx.execute(
      sql`insert into consensus_round_testers (round_id, tester_did, stage, ep, stake_points, weight)
          values (${roundId}, ${seat.tester}, ${stage}, ${seat.ep}, ${seat.stakeFen}::int8, ${seat.weight})`,
    );
  }
  await storeResult(tx, {
    kind: 'draw',
    subject: roundId,
    stage,
    result: draw.result,
    digest: draw.digest,
    eventId,
    at: now,
  });
}

/** A drawn tester as answered by the API (stake as a decimal string). */
export const seatView = (seat: RoundWeight) => ({
  tester: seat.tester,
  ep: seat.ep,
  stakePoints: seat.stakeFen,
  weight: seat.weight,
});

/** A protocol refusal as an API error, its field under `prefix` (e.g. body.report.values.x). */
export function asAppError(error: unknown, prefix: string): unknown {
  if (!(error instanceof ConsensusError)) return error;
  return new AppError(422, error.code, error.message, `${prefix}.${error.field}`);
}
