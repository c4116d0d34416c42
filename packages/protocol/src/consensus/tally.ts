import { attributeConforms, type Claims, type ClaimValue } from '../commerce/claims.js';
import { type ModelAttribute, QUALITY_MODEL_LIMITS } from '../commerce/quality-model.js';
import { WHOLE_BPS } from '../money/allocate.js';
import { byId, checkBps, checkCount, checkDistinct, checkId, checkList, checkNumber } from './checks.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

/**
 * The tally of a test round (DESIGN §8.3–8.4): per attribute the weighted median of what the
 * testers measured, how far they disagree, each tester's accuracy, whether the round must draw
 * more testers, and the verdict against the producer's claims.
 *
 * The weighted median is the consensus because it is robust: testers holding less than half the
 * weight cannot move it past the honest values, however far off they report.
 */

export interface TallyReport {
  readonly tester: string;
  /** The tester's round weight (`roundWeights`), ≥ 0. */
  readonly weight: number;
  /** The revealed measurements, attribute key → value. */
  readonly values: Readonly<Record<string, ClaimValue>>;
}

export interface TallyPolicy {
  /** Revealed testers with weight needed before a round can be decided. */
  readonly quorum: number;
  /** The most testers a round may draw in all; at the cap it decides with what it has. */
  readonly testerCap: number;
  /** Testers to draw per extension at least (more when the quorum needs more). */
  readonly extendStep: number;
  /** A numeric reading this many tolerances from the consensus earns 0 for that attribute. */
  readonly accuracySpanTolerances: number;
  /** Boolean and grade attributes: above this share of dissenting weight the round extends. */
  readonly dissentMaxBps: number;
}

export const DEFAULT_TALLY_POLICY: TallyPolicy = Object.freeze({
  quorum: 5,
  testerCap: 25,
  extendStep: 5,
  accuracySpanTolerances: 2,
  dissentMaxBps: 3_500,
});

export interface TallyInput {
  /** The attributes of a validated quality model (`validateQualityModel`). */
  readonly attributes: readonly ModelAttribute[];
  /** The product's validated claims (`validateClaims`). */
  readonly claims: Claims;
  /** The valid reveals only (`classifyReportReveals`), each with its tester's weight. */
  readonly reports: readonly TallyReport[];
  /** Testers drawn so far in this round, revealed or not. */
  readonly drawnCount: number;
  /**
   * Panel members still eligible to be drawn (not drawn yet, no conflict, weight > 0). A round
   * cannot extend past its panel: at 0 it decides as it would at the cap. Absent: only the cap
   * limits.
   */
  readonly drawableCount?: number | undefined;
  readonly policy?: TallyPolicy | undefined;
}

/** `decided`: the verdict is final; `extend`: draw `drawMore` testers; `inconclusive`: at the cap without a quorum. */
export type TallyDecision = 'decided' | 'extend' | 'inconclusive';
/** `pending` while the round extends. */
export type Verdict = 'pass' | 'fail' | 'pending' | 'inconclusive';

export interface AttributeTally {
  readonly key: string;
  readonly kind: ModelAttribute['kind'];
  readonly mandatory: boolean;
  /** How many weighted, well-formed measurements of it there were. */
  readonly reported: number;
  /** The weighted median, or null when nobody measured it. */
  readonly consensus: ClaimValue | null;
  readonly claimed: ClaimValue | null;
  /**
   * Numeric: the weighted median absolute deviation from the consensus, in the attribute's unit.
   * Boolean and grade: the share of weight farther from the consensus than the tolerance.
   */
  readonly dispersion: number | null;
  /** What `dispersion` is held to: the tolerance (numeric) or dissentMaxBps / 10000. */
  readonly dispersionLimit: number;
  readonly highDispersion: boolean;
  /** `attributeConforms(claimed, consensus)`; null when unclaimed or without consensus. */
  readonly conforms: boolean | null;
}

export interface TesterAccuracy {
  readonly tester: string;
  readonly weight: number;
  /** In [0, 1]: closeness to the consensus, averaged over the attributes by their weights. */
  readonly accuracy: number;
}

/** JSON-safe; attributes in model order, accuracies in tester-id order. */
export interface TallyResult {
  readonly decision: TallyDecision;
  readonly verdict: Verdict;
  /** Reports with weight: what the quorum counts. */
  readonly revealed: number;
  readonly drawnCount: number;
  /** How many more testers to draw when extending, else 0. */
  readonly drawMore: number;
  readonly attributes: AttributeTally[];
  /** Keys of the mandatory claimed attributes that do not conform. */
  readonly failedMandatory: string[];
  readonly accuracies: TesterAccuracy[];
}

/** Tally weights are integers: each weight's fraction of the heaviest, in units of 2⁻³². */
const WEIGHT_SCALE = 2 ** 32;
/** Boolean and grade values are small integer codes: a grade's index, at most gradesMax − 1. */
const QUALITY_CODES = QUALITY_MODEL_LIMITS.gradesMax;

/**
 * Tallies a round. The rules, all documented on the result's fields:
 *
 * - **Weights.** Each weight becomes an integer, floor(weight / heaviest × 2³²), so every sum
 *   below is exact and the result does not depend on the order of the reports. A report whose
 *   weight rounds to 0 is counted for accuracy but not for the consensus or the quorum.
 * - **Consensus** per attribute is the lower weighted median: the smallest value v such that the
 *   reports ≤ v hold at least half the weight. Boolean values are ordered false < true (so it is
 *   the weighted majority, an exact tie giving false); grades in the model's order, best first
 *   (an exact tie giving the better grade). A value that is not a measurement of the attribute —
 *   wrong kind, non-finite, an unknown grade, outside the model's [min, max] — counts as missing.
 * - **Dispersion**: numeric, the weighted median absolute deviation (MAD), high when above the
 *   tolerance, i.e. when most of the weight is farther than the tolerance from the consensus;
 *   boolean and grade, the share of weight farther than the tolerance, high above dissentMaxBps.
 * - **Accuracy** of a tester: for each attribute with a consensus, closeness
 *   max(0, 1 − distance / span) with span = accuracySpanTolerances × tolerance (numeric; grades
 *   count steps with a tolerance of at least ½), exact match only for booleans and zero
 *   tolerances; a missing value is 0. The closenesses are averaged with the attributes' weights.
 * - **Decision**: the round needs more when fewer than `quorum` weighted reports came in, or a
 *   claimed attribute has no consensus or a high dispersion. Then it extends while fewer than
 *   `testerCap` testers were drawn and the panel has testers left (`drawableCount`); at the cap,
 *   or with the panel exhausted, it decides anyway if the quorum is met and every mandatory
 *   claimed attribute has a consensus, and is `inconclusive` otherwise.
 * - **Verdict** once decided: an attribute conforms when `attributeConforms(claim, consensus)`
 *   — within the claim's tolerance and the model's bounds; a mandatory one that does not fails the
 *   product. Unclaimed attributes are tallied but judge nothing.
 *
 * Runs in O(reports × attributes) with a selection (not a sort) for each median: 10,000 reports
 * × 20 attributes take a few tens of milliseconds (bench/consensus.bench.mjs).
 *
 * Throws `ConsensusError` for the caller's inputs: `invalid_id`, `duplicate_id` (a tester twice),
 * `invalid_number` (a weight), `invalid_report` (values not an object), `invalid_count`
 * (drawnCount below the number of reports, policy counts), `invalid_bps`, `too_many`.
 */
export function tallyRound(input: TallyInput): TallyResult {
  const policy = checkTallyPolicy(input.policy ?? DEFAULT_TALLY_POLICY);
  const attributes = checkList(input.attributes, 'attributes', QUALITY_MODEL_LIMITS.attributesMax);
  const claims = input.claims;
  const reports = checkList(input.reports, 'reports', CONSENSUS_LIMITS.reportsMax);
  const drawnCount = checkCount(input.drawnCount, 'drawnCount', reports.length, Number.MAX_SAFE_INTEGER);
  const drawable =
    input.drawableCount === undefined
      ? Number.POSITIVE_INFINITY
      : checkCount(input.drawableCount, 'drawableCount', 0, Number.MAX_SAFE_INTEGER);
  const room = Math.min(policy.testerCap - drawnCount, drawable);
  const testers = reports.map((report, index) => checkId(report.tester, `reports[${index}].tester`));
  checkDistinct(testers, 'reports');
  let heaviest = 0;
  const weights = reports.map((report, index) => {
    if (typeof report.values !== 'object' || report.values === null) {
      throw new ConsensusError('invalid_report', `reports[${index}].values`, 'values is an object of key → value');
    }
    const weight = checkNumber(report.weight, `reports[${index}].weight`, 0);
    if (weight > heaviest) heaviest = weight;
    return weight;
  });
  const nReports = reports.length;
  const nAttributes = attributes.length;
  const units = new Float64Array(nReports);
  let revealed = 0;
  for (let r = 0; r < nReports; r++) {
    units[r] = heaviest > 0 ? Math.floor((weights[r]! / heaviest) * WEIGHT_SCALE) : 0;
    if (units[r]! > 0) revealed++;
  }

  // measured[r·A + a]: the value as a number (boolean 0/1, grade index), NaN when missing.
  const measured = new Float64Array(nReports * nAttributes);
  attributes.forEach((attribute, a) => {
    const grades = attribute.kind === 'grade' ? new Map((attribute.grades ?? []).map((g, i) => [g, i])) : undefined;
    const min = attribute.min ?? Number.NEGATIVE_INFINITY;
    const max = attribute.max ?? Number.POSITIVE_INFINITY;
    for (let r = 0; r < nReports; r++) {
      const value = (reports[r]!.values as Record<string, unknown>)[attribute.key];
      let x = Number.NaN;
      if (attribute.kind === 'numeric') {
        if (typeof value === 'number' && value >= min && value <= max) x = value;
      } else if (attribute.kind === 'boolean') {
        if (typeof value === 'boolean') x = value ? 1 : 0;
      } else if (typeof value === 'string') {
        x = grades!.get(value) ?? Number.NaN;
      }
      measured[r * nAttributes + a] = x;
    }
  });

  const values = new Float64Array(nReports);
  const selectWeights = new Float64Array(nReports);
  const tallies: AttributeTally[] = [];
  const consensusOf = new Float64Array(nAttributes);
  const spanOf = new Float64Array(nAttributes);
  for (let a = 0; a < nAttributes; a++) {
    const attribute = attributes[a]!;
    let n = 0;
    let total = 0;
    for (let r = 0; r < nReports; r++) {
      const x = measured[r * nAttributes + a]!;
      const w = units[r]!;
      if (w > 0 && !Number.isNaN(x)) {
        values[n] = x;
        selectWeights[n] = w;
        total += w;
        n++;
      }
    }
    const tolerance = attribute.tolerance;
    let consensus = Number.NaN;
    let dispersion = Number.NaN;
    let dispersionLimit: number;
    if (attribute.kind === 'numeric') {
      dispersionLimit = tolerance;
      spanOf[a] = policy.accuracySpanTolerances * tolerance;
      if (n > 0) {
        consensus = weightedMedian(values, selectWeights, n, total);
        for (let i = 0; i < n; i++) values[i] = Math.abs(values[i]! - consensus);
        dispersion = weightedMedian(values, selectWeights, n, total);
      }
    } else {
      dispersionLimit = policy.dissentMaxBps / WHOLE_BPS;
      spanOf[a] = attribute.kind === 'grade' ? policy.accuracySpanTolerances * Math.max(tolerance, 0.5) : 0;
      if (n > 0) {
        consensus = categoricalMedian(values, selectWeights, n, total);
        let dissent = 0;
        for (let i = 0; i < n; i++) if (Math.abs(values[i]! - consensus) > tolerance) dissent += selectWeights[i]!;
        dispersion = dissent / total;
      }
    }
    consensusOf[a] = consensus;
    const has = n > 0;
    const consensusValue = has ? fromNumber(attribute, consensus) : null;
    const claimed = Object.hasOwn(claims, attribute.key) ? (claims[attribute.key] ?? null) : null;
    tallies.push({
      key: attribute.key,
      kind: attribute.kind,
      mandatory: attribute.mandatory,
      reported: n,
      consensus: consensusValue,
      claimed,
      dispersion: has ? dispersion : null,
      dispersionLimit,
      highDispersion: has && dispersion > dispersionLimit,
      conforms:
        claimed === null || consensusValue === null ? null : attributeConforms(attribute, claimed, consensusValue),
    });
  }

  // Accuracy: attribute weights over the attributes that have a consensus.
  let weightSum = 0;
  for (let a = 0; a < nAttributes; a++) if (!Number.isNaN(consensusOf[a]!)) weightSum += attributes[a]!.weight;
  const accuracies: TesterAccuracy[] = new Array(nReports);
  for (let r = 0; r < nReports; r++) {
    let score = 0;
    for (let a = 0; a < nAttributes; a++) {
      const consensus = consensusOf[a]!;
      const x = measured[r * nAttributes + a]!;
      if (Number.isNaN(consensus) || Number.isNaN(x)) continue;
      const distance = Math.abs(x - consensus);
      const span = spanOf[a]!;
      const closeness = span > 0 ? (distance < span ? 1 - distance / span : 0) : distance === 0 ? 1 : 0;
      score += attributes[a]!.weight * closeness;
    }
    accuracies[r] = { tester: testers[r]!, weight: weights[r]!, accuracy: weightSum > 0 ? score / weightSum : 0 };
  }
  accuracies.sort((x, y) => byId(x.tester, y.tester));

  const claimedTallies = tallies.filter((tally) => tally.claimed !== null);
  const needsMore =
    revealed < policy.quorum || claimedTallies.some((tally) => tally.consensus === null || tally.highDispersion);
  let decision: TallyDecision = 'decided';
  if (needsMore) {
    if (room > 0) decision = 'extend';
    else if (revealed < policy.quorum || claimedTallies.some((tally) => tally.mandatory && tally.consensus === null)) {
      decision = 'inconclusive';
    }
  }
  const failedMandatory = claimedTallies
    .filter((tally) => tally.mandatory && tally.conforms === false)
    .map((tally) => tally.key);
  const verdict: Verdict =
    decision === 'extend'
      ? 'pending'
      : decision === 'inconclusive'
        ? 'inconclusive'
        : failedMandatory.length > 0
          ? 'fail'
          : 'pass';
  const drawMore = decision === 'extend' ? Math.min(room, Math.max(policy.quorum - revealed, policy.extendStep)) : 0;
  return {
    decision,
    verdict,
    revealed,
    drawnCount,
    drawMore,
    attributes: tallies,
    failedMandatory: decision === 'decided' ? failedMandatory : [],
    accuracies,
  };
}

/**
 * The lower weighted median of values[0, n) with positive integer weights summing to `total`:
 * the smallest v with 2·W(≤ v) ≥ total. Expected O(n) by three-way quickselect (median-of-three
 * pivots); reorders both arrays in place. Weights are integers below 2⁵³, so the sums are exact.
 */
export function weightedMedian(values: Float64Array, weights: Float64Array, n: number, total: number): number {
  let lo = 0;
  let hi = n;
  let below = 0;
  for (;;) {
    const pivot = medianOfThree(values[lo]!, values[(lo + hi) >>> 1]!, values[hi - 1]!);
    let lt = lo;
    let i = lo;
    let gt = hi;
    let lessWeight = 0;
    let equalWeight = 0;
    while (i < gt) {
      const v = values[i]!;
      if (v < pivot) {
        swap(values, weights, lt, i);
        lessWeight += weights[lt]!;
        lt++;
        i++;
      } else if (v > pivot) {
        gt--;
        swap(values, weights, i, gt);
      } else {
        equalWeight += weights[i]!;
        i++;
      }
    }
    if (2 * (below + lessWeight) >= total) {
      hi = lt;
    } else if (2 * (below + lessWeight + equalWeight) >= total) {
      return pivot;
    } else {
      below += lessWeight + equalWeight;
      lo = gt;
    }
  }
}

/** The lower weighted median of small integer codes (booleans 0/1, grade indices 0–9). */
function categoricalMedian(values: Float64Array, weights: Float64Array, n: number, total: number): number {
  const byCode = new Float64Array(QUALITY_CODES);
  for (let i = 0; i < n; i++) byCode[values[i]!] = byCode[values[i]!]! + weights[i]!;
  let running = 0;
  for (let code = 0; code < QUALITY_CODES; code++) {
    running += byCode[code]!;
    if (2 * running >= total) return code;
  }
  throw new Error('tally: categorical median past the last code');
}

function fromNumber(attribute: ModelAttribute, x: number): ClaimValue {
  if (attribute.kind === 'numeric') return x;
  if (attribute.kind === 'boolean') return x === 1;
  return attribute.grades![x]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

function swap(values: Float64Array, weights: Float64Array, i: number, j: number): void {
  const v = values[i]!;
  values[i] = values[j]!;
  values[j] = v;
  const w = weights[i]!;
  weights[i] = weights[j]!;
  weights[j] = w;
}

function checkTallyPolicy(policy: TallyPolicy): TallyPolicy {
  const quorum = checkCount(policy.quorum, 'policy.quorum', 1, CONSENSUS_LIMITS.reportsMax);
  checkCount(policy.testerCap, 'policy.testerCap', quorum, CONSENSUS_LIMITS.reportsMax);
  checkCount(policy.extendStep, 'policy.extendStep', 1, CONSENSUS_LIMITS.drawMax);
  checkNumber(policy.accuracySpanTolerances, 'policy.accuracySpanTolerances', Number.MIN_VALUE, 1_000);
  checkBps(policy.dissentMaxBps, 'policy.dissentMaxBps');
  return policy;
}
