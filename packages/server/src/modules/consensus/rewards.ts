import {
  backingOf,
  ConsensusError,
  type PhragmenResult,
  type RewardResult,
  type RoundRewards,
  rewardTesterToJson,
  roundRewards,
  sumByParty,
  type TalliedTester,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows, type Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { createAccounts } from '../accounting/ledger.js';
import { POINTS_LEDGER, transferIdOf } from '../distribution/accounts.js';
import { commissionsIn } from './candidates.js';
import { recordTest } from './experience.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';
import type { RoundRow } from './rounds.js';
import { slashStake, stakedNominations } from './stake.js';

/**
 * Rewards, experience and slashes of a decided round (DESIGN §8.4; protocol `rewardRound`). Every
 * drawn tester takes part, with the accuracy the tally gave them (0 when they did not reveal a
 * valid report: not testing is not accurate), their round weight as drawn, their commission as a
 * candidate of the category, and the stake behind them as the panel's Phragmén election assigned
 * it.
 *
 * The pool: the round's share of the cycle's tester pool is paid by the settlement cycle, which
 * is not known when the round is decided; the rule runs here with a pool of 0, and the result is
 * stored with its inputs (consensus_results 'rewards'), so the settlement reruns `rewardRound`
 * with the real pool and gets the same winners. The shares (accuracy × weight of the winners)
 * are written beside it so the split is visible now. EP and slashes do not depend on the pool and
 * take effect at once.
 */

/** The POINTS sink of slashed stake (counted by the points summary among the other accounts). */
export const POINTS_SLASHED = 'points:slashed';

/**
 * The panel's election of the round's cycle and category (the backing a round's testers had), or
 * without one the current staked nominations, each split evenly over its targets.
 */
async function backingFor(executor: Executor, round: RoundRow, testers: readonly string[]) {
  const [panel] = await rows<{ result: PhragmenResult | string }>(
    executor,
    sql`select result from consensus_panels where cycle = ${round.cycle} and category = ${round.category}`,
  );
  if (panel !== undefined) {
    return { source: 'election' as const, backing: backingOf(testers, fromJsonb(panel.result), []) };
  }
  const staked = await stakedNominations(executor);
  return { source: 'nominations' as const, backing: backingOf(testers, undefined, staked) };
}

export interface ComputedRewards extends RoundRewards {
  /** Where the backing came from: the panel's election, or (no panel) the nominations. */
  source: 'election' | 'nominations';
}

/** The rewards of a decided round as the database stands (writes nothing). */
export async function computeRewards(
  executor: Executor,
  round: RoundRow,
  testers: readonly TalliedTester[],
): Promise<ComputedRewards> {
  const dids = testers.map((t) => t.tester);
  const commissions = await commissionsIn(executor, round.category, dids);
  const { source, backing } = await backingFor(executor, round, dids);
  try {
    return { source, ...roundRewards(testers, commissions, backing, DEFAULT_CONSENSUS_POLICY.reward) };
  } catch (error) {
    if (error instanceof ConsensusError) throw new AppError(422, error.code, error.message, error.field);
    throw error;
  }
}

export interface SlashApplied {
  party: string;
  /** What the rule slashed of this party's stake (summed over the testers it backs). */
  amountPoints: string;
  /** What left `stake:<party>` for the slashed sink: at most the stake the party still has. */
  slashedPoints: string;
}

/** Takes the slashed points out of each backer's stake (stake.ts `slashStake`) into points:slashed. */
async function applySlashes(ctx: AppContext, tx: Tx, round: RoundRow, rewards: RewardResult, now: Date) {
  const byParty = sumByParty(rewards.slashes, (leg) => leg.amountFen);
  const applied: SlashApplied[] = [];
  if (byParty.length === 0) return applied;
  await createAccounts(tx, [{ key: POINTS_SLASHED, ledger: POINTS_LEDGER, code: 'points_slashed' }]);
  for (const [party, amount] of byParty) {
    const slashed = await slashStake(tx, {
      party,
      amountPoints: amount,
      creditAccount: POINTS_SLASHED,
      transferId: transferIdOf(ctx.crypto, 'consensus-slash', round.id, party),
      reference: `round:${round.id}`,
      now,
    });
    applied.push({ party, amountPoints: amount.toString(), slashedPoints: slashed.toString() });
  }
  return applied;
}

export interface RewardSummary {
  digest: string;
  winners: string[];
  penalised: string[];
  slashedPoints: string;
}

/** The rewards of a decided round, its testers' EP and the slashes, in the tally's transaction. */
export async function rewardDecidedRound(
  ctx: AppContext,
  tx: Tx,
  round: RoundRow,
  computed: ComputedRewards,
  eventId: bigint,
  now: Date,
): Promise<RewardSummary> {
  const { rewards, inputs, source, digest } = computed;
  const winners = rewards.testers.filter((t) => t.outcome === 'won');
  const totalShare = winners.reduce((sum, t) => sum + t.accuracy * t.weight, 0);
  const shares = winners.map((t) => ({
    tester: t.tester,
    share: t.accuracy * t.weight,
    fraction: totalShare > 0 ? (t.accuracy * t.weight) / totalShare : 0,
  }));

  for (const t of rewards.testers) {
    await recordTest(tx, {
      tester: t.tester,
      roundId: round.id,
      accuracy: t.accuracy,
      penalty: t.epPenalty,
      completedAt: now,
    });
  }
  const slashes = await applySlashes(ctx, tx, round, rewards, now);

  // `rewards` is the protocol's result (the digest is of it); `inputs` let the settlement rerun it
  // with the real pool; `shares` and `slashes` say what the split and the slashes came to.
  const stored = {
    rewards,
    inputs: {
      backing: source,
      testers: inputs.map(rewardTesterToJson),
    },
    shares,
    slashes,
  };
  await storeResult(tx, {
    kind: 'rewards',
    subject: round.id,
    stage: round.stage,
    result: stored,
    digest,
    eventId,
    at: now,
  });
  return {
    digest,
    winners: winners.map((t) => t.tester),
    penalised: rewards.testers.filter((t) => t.penalised).map((t) => t.tester),
    slashedPoints: slashes.reduce((sum, s) => sum + BigInt(s.slashedPoints), 0n).toString(),
  };
}
