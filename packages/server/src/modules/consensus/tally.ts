import {
  ConsensusError,
  type QualityModelDefinition,
  type StageTally,
  type TestReport,
  tallyStage,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { SHA256_HEX } from '../catalog/schema.js';
import { defineEvent } from '../events/registry.js';
import { platformAct } from '../orders/platform-acts.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';
import { type ComputedRewards, computeRewards, rewardDecidedRound } from './rewards.js';
import { drawNextStage, extendRound, findRound, ROUND_ID, type RoundRow, type RoundTesterRow } from './rounds.js';
import { signedAt } from './signed-time.js';
import { applyVerdict, restoreProductVerdict, suspensionReason } from './verdict.js';

/**
 * The tally of a test round (DESIGN §8.3–8.4). Once a round's reveal deadline has passed, the
 * platform signs `consensus.round.tallied` naming the result's digest, decision and verdict. The
 * handler recomputes everything from the database — who was drawn, their weights, commits and
 * reveals, the model's attributes and the product's claims — with the protocol's pure rules
 * (`classifyReportReveals`, `tallyRound`), so an envelope can only say what the rules give; anyone
 * holding the log can redo it and compare digests.
 */

/** How often the job looks for rounds whose reveals are closed. */
export const TALLY_INTERVAL_MS = 60_000;

export const ROUND_TALLIED_BODY = z
  .object({
    roundId: ROUND_ID,
    stage: z.number().int().min(0).max(1_000).describe('The stage tallied: 0, then one more per extension'),
    digest: SHA256_HEX.describe('resultDigest of the tally (protocol tallyRound)'),
    decision: z.enum(['decided', 'extend', 'inconclusive']),
    verdict: z.enum(['pass', 'fail', 'pending', 'inconclusive']),
    rewardsDigest: SHA256_HEX.optional().describe(
      'A decided round: resultDigest of its rewards (protocol rewardRound, before the pool is known)',
    ),
  })
  .strict();

export type { RoundRow } from './rounds.js';

type TesterRow = Omit<RoundTesterRow, 'ep' | 'stake_points' | 'accuracy'>;

export type { TalliedTester } from '@concord/protocol';

export interface ComputedTally extends StageTally {
  drawableCount: number;
  /** A decided round's rewards (rewards.ts), computed with the tally so its envelope names both. */
  rewards?: ComputedRewards;
}

const ms = (value: Date | string) => new Date(value).getTime();

/** A round's row (rounds.ts `findRound`). */
export const roundRow = findRound;

/** A protocol refusal of the inputs read from the database: the round cannot be tallied as stored. */
function asAppError(error: unknown): unknown {
  if (!(error instanceof ConsensusError)) return error;
  return new AppError(422, error.code, `The round cannot be tallied: ${error.message}`, error.field);
}

/**
 * Recomputes the tally of `round` at its current stage from the database (writes nothing).
 * `drawableCount` — the panel members an extension could still draw — is what the next stage's
 * draw would draw from (draw.ts `computeDraw`): the panel of the round's cycle less those drawn,
 * the producer and everyone else with a conflict, with a weight above 0. (Counting the panel less
 * the drawn and the producer only would be simpler, but a panel member the draw always excludes
 * would then keep a round without quorum extending with empty draws, stage after stage.)
 */
export async function computeTally(executor: Executor, round: RoundRow): Promise<ComputedTally> {
  const [subject] = await rows<{
    claims: Record<string, number | boolean | string>;
    definition: QualityModelDefinition;
  }>(
    executor,
    sql`select p.claims, v.definition from catalog_products p
          join catalog_model_versions v on v.model_id = ${round.model_id} and v.version = ${round.model_version}
         where p.id = ${round.product_id}`,
  );
  if (subject === undefined) {
    throw new AppError(422, 'round_subject_missing', `Round ${round.id}: its product or model version is missing.`);
  }
  const testers = (
    await rows<TesterRow>(
      executor,
      sql`select tester_did, stage, weight, commit, committed_at, report, salt, revealed_at, reveal_status
            from consensus_round_testers where round_id = ${round.id} order by tester_did`,
    )
  ).map((t) => ({ ...t, stage: Number(t.stage), weight: Number(t.weight) }));
  const next = await drawNextStage(executor, round, 1);
  const drawableCount = (next?.weights ?? []).filter((w) => w.weight > 0).length;
  let stage: StageTally;
  try {
    stage = tallyStage({
      roundId: round.id,
      stage: round.stage,
      commitDeadlineMs: ms(round.commit_deadline),
      revealDeadlineMs: ms(round.reveal_deadline),
      testers: testers.map((t) => ({
        tester: t.tester_did,
        stage: t.stage,
        weight: t.weight,
        commit: t.commit,
        committedAtMs: t.committed_at === null ? null : ms(t.committed_at),
        report: t.report as TestReport | null,
        salt: t.salt,
        revealedAtMs: t.revealed_at === null ? null : ms(t.revealed_at),
        revealStatus: t.reveal_status,
      })),
      attributes: subject.definition.attributes,
      claims: subject.claims,
      drawableCount,
      policy: DEFAULT_CONSENSUS_POLICY.tally,
    });
  } catch (error) {
    throw asAppError(error);
  }
  if (stage.tally.decision !== 'decided') return { ...stage, drawableCount };
  return { ...stage, drawableCount, rewards: await computeRewards(executor, round, stage.testers) };
}

/** The tally's body for the envelope: exactly what the rules give for the round now. */
export const talliedBody = (round: RoundRow, computed: ComputedTally) => ({
  roundId: round.id,
  stage: round.stage,
  digest: computed.digest,
  decision: computed.tally.decision,
  verdict: computed.tally.verdict,
  ...(computed.rewards === undefined ? {} : { rewardsDigest: computed.rewards.digest }),
});

async function storeTally(tx: Tx, round: RoundRow, computed: ComputedTally, eventId: bigint, now: Date) {
  await storeResult(tx, {
    kind: 'tally',
    subject: round.id,
    stage: round.stage,
    result: computed.tally,
    digest: computed.digest,
    eventId,
    at: now,
  });
  for (const t of computed.testers) {
    await tx.execute(
      sql`update consensus_round_testers set reveal_status = ${t.status}, accuracy = ${t.accuracy}
           where round_id = ${round.id} and tester_did = ${t.tester}`,
    );
  }
}

export const roundTallied = defineEvent({
  type: 'consensus.round.tallied',
  summary:
    "The platform tallies a round after its reveal deadline: the digest, decision and verdict of protocol tallyRound over the round's valid reveals. Decided: the verdict's consequences and the rewards follow; extend: more testers are drawn. Derived: anyone can recompute it from the log.",
  body: ROUND_TALLIED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform tallies a round, by the protocol rule.');
    const ctx = appOf(event);
    const { tx, eventId } = event;
    const now = signedAt(event);
    const round = await roundRow(tx, body.roundId, true);
    if (round === undefined) throw notFound(`Round ${body.roundId}`, 'body.roundId');
    if (round.status !== 'open')
      throw conflict('round_closed', `Round ${round.id} is ${round.status}.`, 'body.roundId');
    if (round.stage !== body.stage) {
      throw conflict('stage_mismatch', `Round ${round.id} is at stage ${round.stage}.`, 'body.stage');
    }
    if (now.getTime() <= ms(round.reveal_deadline)) {
      throw conflict(
        'reveals_open',
        `Round ${round.id} takes reveals until ${new Date(round.reveal_deadline).toISOString()}.`,
        'body.roundId',
      );
    }
    const computed = await computeTally(tx, round);
    if (computed.digest !== body.digest) {
      throw new AppError(
        422,
        'digest_mismatch',
        `The tally of round ${round.id} at stage ${round.stage} has digest ${computed.digest}.`,
        'body.digest',
      );
    }
    const { tally } = computed;
    if (tally.decision !== body.decision || tally.verdict !== body.verdict) {
      throw new AppError(
        422,
        'tally_mismatch',
        `The tally says ${tally.decision} / ${tally.verdict}.`,
        tally.decision !== body.decision ? 'body.decision' : 'body.verdict',
      );
    }
    if (computed.rewards?.digest !== body.rewardsDigest) {
      throw new AppError(
        422,
        'rewards_digest_mismatch',
        computed.rewards === undefined
          ? `Round ${round.id} is not decided at this tally: it has no rewards to name.`
          : `The rewards of round ${round.id} have digest ${computed.rewards.digest}.`,
        'body.rewardsDigest',
      );
    }
    await storeTally(tx, round, computed, eventId, now);
    const summary = {
      roundId: round.id,
      stage: round.stage,
      digest: computed.digest,
      decision: tally.decision,
      verdict: tally.verdict,
      revealed: tally.revealed,
      drawn: tally.drawnCount,
    };

    if (tally.decision === 'extend') {
      const { drawn } = await extendRound(ctx, tx, round.id, tally.drawMore, now);
      return { ...summary, drawMore: tally.drawMore, extendedWith: drawn };
    }
    if (tally.decision === 'inconclusive') {
      await tx.execute(
        sql`update consensus_rounds set status = 'inconclusive', verdict = 'inconclusive',
               decided_at = ${now.toISOString()}::timestamptz, decided_event_id = ${eventId.toString()}::int8
             where id = ${round.id}`,
      );
      const productVerdict = await restoreProductVerdict(tx, round.product_id);
      return { ...summary, productVerdict };
    }
    const verdict = tally.verdict as 'pass' | 'fail';
    const appealUntil = new Date(now.getTime() + DEFAULT_CONSENSUS_POLICY.appealDays * 86_400_000);
    await tx.execute(
      sql`update consensus_rounds set status = 'decided', verdict = ${verdict},
             decided_at = ${now.toISOString()}::timestamptz, decided_event_id = ${eventId.toString()}::int8,
             appeal_until = ${appealUntil.toISOString()}::timestamptz
           where id = ${round.id}`,
    );
    const failReason = suspensionReason(round.id, tally.failedMandatory);
    const consequences = await applyVerdict(ctx, tx, round, verdict, failReason, now);
    const rewards = await rewardDecidedRound(ctx, tx, round, computed.rewards as ComputedRewards, eventId, now);
    return { ...summary, appealUntil: appealUntil.toISOString(), consequences, rewards };
  },
});

export interface TallyRun {
  roundId: string;
  eventId?: string;
  decision?: string;
  verdict?: string;
  /** Why the round could not be tallied this time (an API error code); it is tried again later. */
  error?: string;
}

/**
 * Tallies up to `limit` open rounds whose reveal deadline has passed, oldest deadline first, each
 * in its own transaction as a platform act. A round the rules refuse (say, its model version is
 * gone) is reported and left open for the operator; the others go on.
 */
export async function tallyDueRounds(ctx: AppContext, limit = 50): Promise<TallyRun[]> {
  const now = ctx.clock();
  const due = await rows<{ id: string }>(
    ctx.database.db,
    sql`select id from consensus_rounds where status = 'open' and reveal_deadline < ${now.toISOString()}::timestamptz
         order by reveal_deadline, id limit ${limit}`,
  );
  const runs: TallyRun[] = [];
  for (const { id } of due) {
    try {
      const receipt = await transaction(ctx.database.db, async (tx) => {
        const round = await roundRow(tx, id, true);
        if (round === undefined || round.status !== 'open' || now.getTime() <= ms(round.reveal_deadline)) return null;
        return platformAct(ctx, tx, roundTallied.type, talliedBody(round, await computeTally(tx, round)));
      });
      if (receipt !== null) {
        runs.push({
          roundId: id,
          eventId: receipt.eventId,
          decision: String(receipt.result.decision),
          verdict: String(receipt.result.verdict),
        });
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      runs.push({ roundId: id, error: error.code });
    }
  }
  return runs;
}
