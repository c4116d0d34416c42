import { allocate, shareOf, splitByBps } from '../money/allocate.js';
import { byId, checkAmount, checkBps, checkDistinct, checkId, checkList, checkNumber } from './checks.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

/**
 * Rewards and penalties of a decided round (DESIGN §8.4); the settlement cycle pays them.
 *
 * The inputs are accuracy, weight and stake — nothing about what a tester reported, let alone
 * whether it was favourable to the producer. Paying for positive reviews is forbidden (US FTC
 * 16 CFR 465; China's 2024 rules on unfair online competition), and a reward that depends only
 * on agreeing with the independent consensus gives no reason to flatter anyone.
 */

export interface RewardStake {
  readonly nominator: string;
  readonly stakeFen: bigint;
}

export interface RewardTester {
  readonly tester: string;
  /** From the tally, in [0, 1]. */
  readonly accuracy: number;
  /** The round weight the tally used, ≥ 0. */
  readonly weight: number;
  /** The tester's cut of its reward before its backers share the rest. */
  readonly commissionBps: number;
  /** The tester's own locked stake: shares rewards and slashes like a nomination. */
  readonly selfStakeFen: bigint;
  readonly nominators: readonly RewardStake[];
}

/** A reward tester as JSON, stakes as decimal strings: how a round's reward inputs are stored and published. */
export interface RewardTesterJson {
  readonly tester: string;
  readonly accuracy: number;
  readonly weight: number;
  readonly commissionBps: number;
  readonly selfStakeFen: string;
  readonly nominators: readonly { readonly nominator: string; readonly stakeFen: string }[];
}

export const rewardTesterToJson = (t: RewardTester): RewardTesterJson => ({
  tester: t.tester,
  accuracy: t.accuracy,
  weight: t.weight,
  commissionBps: t.commissionBps,
  selfStakeFen: t.selfStakeFen.toString(),
  nominators: t.nominators.map((n) => ({ nominator: n.nominator, stakeFen: n.stakeFen.toString() })),
});

export const rewardTesterFromJson = (t: RewardTesterJson): RewardTester => ({
  tester: t.tester,
  accuracy: t.accuracy,
  weight: t.weight,
  commissionBps: t.commissionBps,
  selfStakeFen: BigInt(t.selfStakeFen),
  nominators: t.nominators.map((n) => ({ nominator: n.nominator, stakeFen: BigInt(n.stakeFen) })),
});

export interface RewardPolicy {
  /** A tester needs at least this accuracy to win, even in the more accurate half. */
  readonly winnerAccuracyMin: number;
  /** A tester who did not win and is below this accuracy is penalised. */
  readonly penaltyAccuracyBelow: number;
  /** EP a penalised tester loses (recorded as the test's `penalty`, it fades like EP does). */
  readonly epPenalty: number;
  /** Share of a penalised tester's backing stake slashed, borne by the backers pro rata. */
  readonly slashBps: number;
}

export const DEFAULT_REWARD_POLICY: RewardPolicy = Object.freeze({
  winnerAccuracyMin: 0.5,
  penaltyAccuracyBelow: 0.5,
  epPenalty: 1,
  slashBps: 1_000,
});

export interface RewardInput {
  /** The round's part of the cycle's tester pool. */
  readonly poolFen: bigint;
  readonly testers: readonly RewardTester[];
  readonly policy?: RewardPolicy | undefined;
}

export interface TesterReward {
  readonly tester: string;
  readonly accuracy: number;
  readonly weight: number;
  readonly outcome: 'won' | 'lost';
  /** The whole reward, before the commission and the backers' shares. */
  readonly rewardFen: string;
  readonly commissionFen: string;
  readonly penalised: boolean;
  readonly epPenalty: number;
  readonly slashFen: string;
}

/** One amount to one party: `tester` is commission plus the share of its own stake. */
export interface RewardLeg {
  readonly tester: string;
  readonly party: string;
  readonly role: 'tester' | 'nominator';
  readonly amountFen: string;
}

/** JSON-safe, testers in id order; paidFen + unpaidFen = poolFen. */
export interface RewardResult {
  readonly poolFen: string;
  readonly paidFen: string;
  /** What nobody won (no winner, or no winner with weight): back to the pool. */
  readonly unpaidFen: string;
  readonly slashedFen: string;
  readonly testers: TesterReward[];
  readonly payouts: RewardLeg[];
  readonly slashes: RewardLeg[];
}

/** Reward shares are integers: each accuracy × weight as a fraction of the largest, × 10¹². */
const REWARD_SCALE = 1e12;

/**
 * The rewards and penalties of a round:
 *
 * - **Winners**: rank the testers by accuracy; the ⌈n/2⌉ most accurate win, and so does anyone
 *   as accurate as the last of them (equal accuracy, equal outcome), provided their accuracy is
 *   at least `winnerAccuracyMin` and their weight positive.
 * - **Pool**: the winners share `poolFen` pro rata to accuracy × weight, by `allocate` (largest
 *   remainder), so the shares add up to the pool exactly; with no winner it stays unpaid.
 * - **Split**: of each winner's reward the tester keeps `commissionBps`, and the rest is shared by
 *   its backing stake — its own and its nominators' — pro rata (all to the tester when it has none).
 * - **Penalties**: a tester who lost with accuracy below `penaltyAccuracyBelow` loses `epPenalty`
 *   EP, and `slashBps` of its backing stake is slashed, borne by its backers pro rata. Losing
 *   while accurate (in a round where everyone was) costs nothing but the reward.
 *
 * No amount is negative; payouts add up to paidFen, slashes to slashedFen.
 *
 * Throws `ConsensusError`: `invalid_amount`, `invalid_accuracy`, `invalid_number`, `invalid_bps`,
 * `invalid_id`, `duplicate_id` (a tester, or a nominator twice behind one tester), `too_many`.
 */
export function rewardRound(input: RewardInput): RewardResult {
  const policy = checkRewardPolicy(input.policy ?? DEFAULT_REWARD_POLICY);
  const poolFen = checkAmount(input.poolFen, 'poolFen');
  const testers = checkList(input.testers, 'testers', CONSENSUS_LIMITS.roundTestersMax).map(checkTester);
  checkDistinct(
    testers.map((tester) => tester.tester),
    'testers',
  );
  testers.sort((a, b) => byId(a.tester, b.tester));

  const ranked = [...testers].sort((a, b) => b.accuracy - a.accuracy || byId(a.tester, b.tester));
  const cutoff = ranked.length === 0 ? 1 : ranked[Math.ceil(ranked.length / 2) - 1]!.accuracy;
  const won = testers.map(
    (tester) => tester.accuracy >= cutoff && tester.accuracy >= policy.winnerAccuracyMin && tester.weight > 0,
  );

  let largest = 0;
  testers.forEach((tester, i) => {
    const product = tester.accuracy * tester.weight;
    if (won[i] && product > largest) largest = product;
  });
  const units = testers.map((tester, i) =>
    won[i] && largest > 0 ? Math.floor(((tester.accuracy * tester.weight) / largest) * REWARD_SCALE) : 0,
  );
  const anyUnits = units.some((unit) => unit > 0);
  const rewards = anyUnits ? allocate(poolFen, units) : testers.map(() => 0n);

  const results: TesterReward[] = [];
  const payouts: RewardLeg[] = [];
  const slashes: RewardLeg[] = [];
  let paidFen = 0n;
  let slashedFen = 0n;
  testers.forEach((tester, i) => {
    const rewardFen = rewards[i]!;
    const [commissionFen, restFen] = splitByBps(rewardFen, [tester.commissionBps]) as [bigint, bigint];
    const backers = [
      { party: tester.tester, role: 'tester' as const, stakeFen: tester.selfStakeFen },
      ...tester.nominators.map((n) => ({ party: n.nominator, role: 'nominator' as const, stakeFen: n.stakeFen })),
    ];
    const stakes = backers.map((backer) => backer.stakeFen);
    const backingFen = stakes.reduce((sum, stake) => sum + stake, 0n);
    const shares = backingFen === 0n ? backers.map((_, b) => (b === 0 ? restFen : 0n)) : allocate(restFen, stakes);
    shares[0] = shares[0]! + commissionFen;
    backers.forEach((backer, b) => {
      if (shares[b]! > 0n) {
        payouts.push({
          tester: tester.tester,
          party: backer.party,
          role: backer.role,
          amountFen: shares[b]!.toString(),
        });
      }
    });
    paidFen += rewardFen;

    const penalised = !won[i] && tester.accuracy < policy.penaltyAccuracyBelow;
    let slashFen = 0n;
    if (penalised && backingFen > 0n) {
      slashFen = shareOf(backingFen, policy.slashBps);
      if (slashFen > 0n) {
        allocate(slashFen, stakes).forEach((amountFen, b) => {
          const backer = backers[b]!;
          if (amountFen > 0n) {
            slashes.push({
              tester: tester.tester,
              party: backer.party,
              role: backer.role,
              amountFen: amountFen.toString(),
            });
          }
        });
      }
    }
    slashedFen += slashFen;
    results.push({
      tester: tester.tester,
      accuracy: tester.accuracy,
      weight: tester.weight,
      outcome: won[i] ? 'won' : 'lost',
      rewardFen: rewardFen.toString(),
      commissionFen: commissionFen.toString(),
      penalised,
      epPenalty: penalised ? policy.epPenalty : 0,
      slashFen: slashFen.toString(),
    });
  });
  return {
    poolFen: poolFen.toString(),
    paidFen: paidFen.toString(),
    unpaidFen: (poolFen - paidFen).toString(),
    slashedFen: slashedFen.toString(),
    testers: results,
    payouts,
    slashes,
  };
}

function checkTester(tester: RewardTester, index: number): RewardTester {
  const at = `testers[${index}]`;
  const id = checkId(tester.tester, `${at}.tester`);
  const accuracy = tester.accuracy;
  if (typeof accuracy !== 'number' || !(accuracy >= 0 && accuracy <= 1)) {
    throw new ConsensusError('invalid_accuracy', `${at}.accuracy`, 'an accuracy is a number within [0, 1]');
  }
  const weight = checkNumber(tester.weight, `${at}.weight`, 0);
  const commissionBps = checkBps(tester.commissionBps, `${at}.commissionBps`);
  const selfStakeFen = checkAmount(tester.selfStakeFen, `${at}.selfStakeFen`);
  const nominators = checkList(tester.nominators, `${at}.nominators`, CONSENSUS_LIMITS.backersMax).map(
    (nomination, n) => ({
      nominator: checkId(nomination.nominator, `${at}.nominators[${n}].nominator`),
      stakeFen: checkAmount(nomination.stakeFen, `${at}.nominators[${n}].stakeFen`),
    }),
  );
  checkDistinct(
    nominators.map((nomination) => nomination.nominator),
    `${at}.nominators`,
  );
  nominators.sort((a, b) => byId(a.nominator, b.nominator));
  return { tester: id, accuracy, weight, commissionBps, selfStakeFen, nominators };
}

function checkRewardPolicy(policy: RewardPolicy): RewardPolicy {
  checkNumber(policy.winnerAccuracyMin, 'policy.winnerAccuracyMin', 0, 1);
  checkNumber(policy.penaltyAccuracyBelow, 'policy.penaltyAccuracyBelow', 0, 1);
  checkNumber(policy.epPenalty, 'policy.epPenalty', 0, 1_000_000);
  checkBps(policy.slashBps, 'policy.slashBps');
  return policy;
}
