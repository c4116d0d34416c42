import { WHOLE_BPS } from '../money/allocate.js';
import { byId, checkAmount, checkBps, checkCount, checkDistinct, checkId, checkList, checkNumber } from './checks.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

/**
 * Experience power (EP, 体验算力) and a tester's weight in a round (DESIGN §8.2–8.3).
 *
 * Everything here decides outcomes, and auditors replay it in other JS engines, so it uses only
 * the operations IEEE 754 rounds exactly (+ − × ÷, √, floor, %), never Math.pow/exp/log, whose
 * last bits may differ between engines.
 */

export const MS_PER_DAY = 86_400_000;
export const DEFAULT_HALF_LIFE_DAYS = 90;
/** Past this many half-lives a test counts for nothing (2⁻⁶⁴ of its accuracy would be noise). */
const HALVINGS_MAX = 64;

/** One test a tester completed: a verified purchase plus a report in a decided round. */
export interface CompletedTest {
  /** The tester's accuracy in that round, in [0, 1] (`tallyRound`). */
  readonly accuracy: number;
  /** EP the round took away for an inaccurate report (`rewardRound`), ≥ 0; absent is 0. */
  readonly penalty?: number | undefined;
  /** When the round was decided, Unix milliseconds (an integer). */
  readonly completedAtMs: number;
}

export interface ExperienceOptions {
  /** The moment EP is measured at (a cycle's close), Unix milliseconds. */
  readonly nowMs: number;
  /** After this many days a test counts half; an integer 1–3650. Default 90. */
  readonly halfLifeDays?: number | undefined;
}

/**
 * How much a test of age `ageMs` still counts: 1 when new, ½ after one half-life, ¼ after two…
 * Between whole half-lives the curve is a straight line (so after half a half-life it counts
 * 0.75, not 2^−½ ≈ 0.707): halving is exact in floating point and a line needs only × and ÷, so
 * every engine computes the same bits, where 2^−x would not. The factor is continuous, never
 * increases with age, and is 0 after 64 half-lives. A negative age (a test "in the future") is
 * the caller's mistake and throws.
 */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  checkCount(ageMs, 'ageMs', 0, Number.MAX_SAFE_INTEGER);
  checkCount(halfLifeMs, 'halfLifeMs', 1, Number.MAX_SAFE_INTEGER);
  // % on doubles is exact, so the split into whole half-lives and the rest is exact too.
  const remainderMs = ageMs % halfLifeMs;
  const halvings = (ageMs - remainderMs) / halfLifeMs;
  if (halvings >= HALVINGS_MAX) return 0;
  let factor = 1 - remainderMs / (2 * halfLifeMs);
  for (let i = 0; i < halvings; i++) factor /= 2;
  return factor;
}

/**
 * A tester's experience power at `nowMs`: Σ (accuracy − penalty) × decayFactor(age), floored at
 * 0. Each test is a verified purchase, so EP is costly to build and fades if not renewed; a
 * penalty fades at the same pace as the test that earned it. The sum runs in a fixed order (by
 * time, then accuracy, then penalty), so the result does not depend on the order of `tests`.
 *
 * Throws `ConsensusError`: `invalid_accuracy` (outside [0, 1]), `invalid_number` (a negative or
 * non-finite penalty), `invalid_time` (a test after `nowMs`, or not an integer), `too_many`.
 */
export function experiencePower(tests: readonly CompletedTest[], options: ExperienceOptions): number {
  const nowMs = checkCount(options.nowMs, 'nowMs', 0, Number.MAX_SAFE_INTEGER);
  const halfLifeDays = checkCount(
    options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS,
    'halfLifeDays',
    1,
    CONSENSUS_LIMITS.halfLifeDaysMax,
  );
  const halfLifeMs = halfLifeDays * MS_PER_DAY;
  const clean = checkList(tests, 'tests', CONSENSUS_LIMITS.testsMax).map((test, index) => {
    const at = `tests[${index}]`;
    const accuracy = test.accuracy;
    if (typeof accuracy !== 'number' || !(accuracy >= 0 && accuracy <= 1)) {
      throw new ConsensusError('invalid_accuracy', `${at}.accuracy`, 'an accuracy is a number within [0, 1]');
    }
    const penalty = checkNumber(test.penalty ?? 0, `${at}.penalty`, 0, Number.MAX_SAFE_INTEGER);
    const completedAtMs = test.completedAtMs;
    if (typeof completedAtMs !== 'number' || !Number.isSafeInteger(completedAtMs) || completedAtMs > nowMs) {
      throw new ConsensusError('invalid_time', `${at}.completedAtMs`, 'a completed test is an integer time ≤ nowMs');
    }
    return { accuracy, penalty, completedAtMs };
  });
  clean.sort((a, b) => a.completedAtMs - b.completedAtMs || a.accuracy - b.accuracy || a.penalty - b.penalty);
  let power = 0;
  for (const test of clean) {
    power += (test.accuracy - test.penalty) * decayFactor(nowMs - test.completedAtMs, halfLifeMs);
  }
  return power > 0 ? power : 0;
}

/**
 * How EP and backing stake make a round weight. Rates are basis points; the stake unit is in the
 * same unit as stakes (fen of points).
 */
export interface WeightPolicy {
  /** Stake that adds one whole EP-multiple at √1: weight = EP × (1 + √(stake / unit)). */
  readonly stakeUnitFen: bigint;
  /** The stake multiplier never exceeds this (≥ 1): stake amplifies proven experience, boundedly. */
  readonly stakeFactorMax: number;
  /** No tester holds more than this share of a round's total weight (1–10000 bps). */
  readonly maxShareBps: number;
  /** Below this EP a tester weighs nothing: fresh accounts cannot buy influence with stake. */
  readonly epMin: number;
}

export const DEFAULT_WEIGHT_POLICY: WeightPolicy = Object.freeze({
  stakeUnitFen: 10_000n,
  stakeFactorMax: 3,
  maxShareBps: 2_000,
  epMin: 0.5,
});

/**
 * The stake multiplier min(1 + √(stake / unit), stakeFactorMax). The square root damps stake:
 * 100× the stake buys 10× the multiplier, until the cap; with the default cap of 3 a whale's
 * stake can at most triple a tester's weight, and only a tester with experience has any.
 */
export function stakeFactor(stakeFen: bigint, policy: WeightPolicy = DEFAULT_WEIGHT_POLICY): number {
  const stake = checkAmount(stakeFen, 'stakeFen');
  const { stakeUnitFen, stakeFactorMax } = checkWeightPolicy(policy);
  // Number(bigint), ÷ and √ are all exactly rounded, so this is the same double everywhere.
  const factor = 1 + Math.sqrt(Number(stake) / Number(stakeUnitFen));
  return factor < stakeFactorMax ? factor : stakeFactorMax;
}

/**
 * A tester's weight before the round's share cap: EP × stakeFactor(stake), or 0 when EP is below
 * `epMin`. Multiplying (not adding) is what makes stake worthless without experience.
 */
export function testerWeight(ep: number, stakeFen: bigint, policy: WeightPolicy = DEFAULT_WEIGHT_POLICY): number {
  const power = checkNumber(ep, 'ep', 0);
  const factor = stakeFactor(stakeFen, policy);
  return power < policy.epMin ? 0 : power * factor;
}

export interface RoundWeightEntry {
  readonly tester: string;
  readonly ep: number;
  /** The stake backing the tester: its own plus its nominators' (e.g. its Phragmén backing). */
  readonly stakeFen: bigint;
}

export interface RoundWeight {
  readonly tester: string;
  readonly ep: number;
  readonly stakeFen: string;
  /** `testerWeight` before the share cap. */
  readonly baseWeight: number;
  /** After the share cap: what the tally and the rewards use. */
  readonly weight: number;
  readonly capped: boolean;
}

/** JSON-safe (stake as a decimal string), in tester-id order. */
export interface RoundWeightsResult {
  readonly maxShareBps: number;
  readonly totalWeight: number;
  readonly weights: RoundWeight[];
}

/**
 * The weights of a round's testers: each `testerWeight`, then capped so that no one holds more
 * than `maxShareBps` of the round's total. The cap c is the water level with
 * Σ min(wᵢ, c) · share = c: the heaviest testers are cut down to c, nobody is raised, and
 * zero weights stay zero. Where fewer testers have weight than 1/share (5 at the default 20%),
 * no level satisfies the cap and all of them get the same weight — the limit of the cap as it
 * tightens, and the only way no one dominates. A nominator, too, can only lift the testers it
 * backs to the cap: backing two testers gains at most two shares.
 *
 * Throws `ConsensusError` for a bad entry (`invalid_id`, `duplicate_id`, `invalid_number`,
 * `invalid_amount`) or policy (`invalid_policy`, `invalid_bps`).
 */
export function roundWeights(
  entries: readonly RoundWeightEntry[],
  policy: WeightPolicy = DEFAULT_WEIGHT_POLICY,
): RoundWeightsResult {
  checkWeightPolicy(policy);
  const list = checkList(entries, 'entries', CONSENSUS_LIMITS.roundTestersMax).map((entry, index) => {
    const tester = checkId(entry.tester, `entries[${index}].tester`);
    const ep = checkNumber(entry.ep, `entries[${index}].ep`, 0);
    const stakeFen = checkAmount(entry.stakeFen, `entries[${index}].stakeFen`);
    return { tester, ep, stakeFen, baseWeight: testerWeight(ep, stakeFen, policy) };
  });
  checkDistinct(
    list.map((entry) => entry.tester),
    'entries',
  );
  list.sort((a, b) => byId(a.tester, b.tester));
  const cap = shareCap(
    list.map((entry) => entry.baseWeight),
    policy.maxShareBps / WHOLE_BPS,
  );
  let totalWeight = 0;
  const weights = list.map((entry) => {
    const weight = entry.baseWeight > cap ? cap : entry.baseWeight;
    totalWeight += weight;
    return {
      tester: entry.tester,
      ep: entry.ep,
      stakeFen: entry.stakeFen.toString(),
      baseWeight: entry.baseWeight,
      weight,
      capped: weight < entry.baseWeight,
    };
  });
  return { maxShareBps: policy.maxShareBps, totalWeight, weights };
}

/** The water level described at `roundWeights`; +∞ when nobody needs cutting. */
function shareCap(baseWeights: readonly number[], share: number): number {
  const sorted = baseWeights.filter((weight) => weight > 0).sort((a, b) => b - a);
  const n = sorted.length;
  if (n === 0 || share >= 1) return Number.POSITIVE_INFINITY;
  // suffix[j] = Σ_{i ≥ j} sorted[i], summed from the smallest up, in one fixed order.
  const suffix = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) suffix[j] = sorted[j]! + suffix[j + 1]!;
  for (let j = 0; j < n; j++) {
    // With the j heaviest at level c: c = share · (j·c + suffix[j])  ⇔  c = share·suffix[j] / (1 − j·share).
    const free = 1 - j * share;
    if (free <= 0) break;
    const level = (share * suffix[j]!) / free;
    if (sorted[j]! <= level) return j === 0 ? Number.POSITIVE_INFINITY : level;
  }
  // Too few weighted testers to keep each under the share: all equal, at the lightest one's weight.
  return sorted[n - 1]!;
}

function checkWeightPolicy(policy: WeightPolicy): WeightPolicy {
  if (typeof policy.stakeUnitFen !== 'bigint' || policy.stakeUnitFen <= 0n) {
    throw new ConsensusError('invalid_policy', 'policy.stakeUnitFen', 'the stake unit is a positive bigint');
  }
  checkNumber(policy.stakeFactorMax, 'policy.stakeFactorMax', 1);
  checkNumber(policy.epMin, 'policy.epMin', 0);
  if (checkBps(policy.maxShareBps, 'policy.maxShareBps') === 0) {
    throw new ConsensusError('invalid_policy', 'policy.maxShareBps', 'the share cap must be above 0 bps');
  }
  return policy;
}
