import { shareOf } from '../money/allocate.js';
import { minBig, requireAmount, requireId, requireInteger, requireList, requireTimeMs } from './checks.js';
import { DistributionError } from './distribution-error.js';
import type { DistributionPolicy } from './policy.js';

/**
 * Suppliers (seed `002_…`): tokens earned by sales that buy a lower platform fee in a later
 * cycle (供应商通证…降低抽成比例), and the rating rule that cuts a poorly rated supplier's
 * deposit (商品质量评分低于4.5星,保证金扣除5%).
 */

/** Supplier tokens (minor units) earned on `salesFen` of completed sales: `tokenEarnBps` of it, rounded down. */
export function supplierTokensEarned(salesFen: bigint, policy: DistributionPolicy): bigint {
  return shareOf(requireAmount(salesFen, 'salesFen', 'the sales'), policy.supplier.tokenEarnBps);
}

export interface TokenRedemptionInput {
  readonly tokensHeld: bigint;
  /** Tokens the supplier offers; only whole bps of reduction are bought. */
  readonly tokensOffered: bigint;
  /** The platform fee the supplier pays now, in bps (the split policy's platformServiceFeeBps for them). */
  readonly platformFeeBps: number;
  /** The cycle the redemption is made in. */
  readonly cycle: number;
}

export interface TokenRedemption {
  readonly reductionBps: number;
  /** Whole bps × tokensPerFeeBps: the rest of the offer stays with the supplier. */
  readonly tokensSpent: bigint;
  /** The fee in the effective cycle. */
  readonly feeBps: number;
  /** cycle + redemptionDelayCycles: a cycle already running keeps the fee its orders were priced with. */
  readonly effectiveCycle: number;
}

/**
 * Redeeming tokens for a lower platform fee in one later cycle: each `tokensPerFeeBps` tokens
 * lower the fee by one bps, never below `platformFeeFloorBps` (and never below zero); tokens that
 * would buy a part of a bps, or go past the floor, are not spent.
 *
 * Throws `DistributionError`: `invalid_amount`, `invalid_integer`, `insufficient_tokens`.
 */
export function redeemSupplierTokens(input: TokenRedemptionInput, policy: DistributionPolicy): TokenRedemption {
  const held = requireAmount(input.tokensHeld, 'tokensHeld', 'the tokens held');
  const offered = requireAmount(input.tokensOffered, 'tokensOffered', 'the tokens offered');
  const feeBps = requireInteger(input.platformFeeBps, 'platformFeeBps', 0, 10_000, 'the platform fee');
  const cycle = requireInteger(input.cycle, 'cycle', 0, Number.MAX_SAFE_INTEGER - 100, 'the cycle');
  if (offered > held) {
    throw new DistributionError('insufficient_tokens', 'tokensOffered', `${offered} tokens offered, ${held} held`);
  }
  const { tokensPerFeeBps, platformFeeFloorBps, redemptionDelayCycles } = policy.supplier;
  const roomBps = BigInt(Math.max(0, feeBps - platformFeeFloorBps));
  const reductionBps = minBig(offered / tokensPerFeeBps, roomBps);
  return {
    reductionBps: Number(reductionBps),
    tokensSpent: reductionBps * tokensPerFeeBps,
    feeBps: feeBps - Number(reductionBps),
    effectiveCycle: cycle + redemptionDelayCycles,
  };
}

/** One buyer rating of a supplier's product, after delivery. */
export interface SupplierRating {
  readonly ratingId: string;
  /** 1–5 stars. */
  readonly stars: number;
  readonly atMs: number;
}

export type RatingOutcome = 'cut' | 'keep' | 'too_few_ratings';

export interface RatingEvaluation {
  readonly outcome: RatingOutcome;
  /** The ratings the decision used: the last `ratingWindow`, newest first. Goes into the envelope. */
  readonly ratingsUsed: SupplierRating[];
  /** The average in hundredths of a star, rounded down, for display (the decision is exact). */
  readonly averageHundredths: number;
  /** The deposit cut: `depositCutBps` of the deposit, rounded down; 0 unless 'cut'. */
  readonly cutFen: bigint;
}

/** Bounds the ratings passed in; the rule uses only the last `ratingWindow` of them. */
export const MAX_RATINGS_PER_EVALUATION = 100_000;

/**
 * The rating rule: the last `ratingWindow` ratings (by time, then id, newest first); with fewer
 * than `ratingMinCount` of them nothing is decided; an average strictly below
 * `ratingThresholdTenths` (compared exactly: Σ·10 < threshold·n) cuts `depositCutBps` of
 * `depositFen`.
 *
 * Throws `DistributionError`: `invalid_rating` (not an integer 1–5), `invalid_id`,
 * `invalid_time`, `invalid_amount`, `too_many_items`.
 */
export function evaluateSupplierRatings(
  ratings: readonly SupplierRating[],
  depositFen: bigint,
  policy: DistributionPolicy,
): RatingEvaluation {
  requireList(ratings, 'ratings', MAX_RATINGS_PER_EVALUATION, 'the ratings');
  const deposit = requireAmount(depositFen, 'depositFen', 'the deposit');
  ratings.forEach((rating, index) => {
    requireId(rating.ratingId, `ratings[${index}].ratingId`, 'the rating id');
    requireTimeMs(rating.atMs, `ratings[${index}].atMs`);
    if (!Number.isInteger(rating.stars) || rating.stars < 1 || rating.stars > 5) {
      throw new DistributionError('invalid_rating', `ratings[${index}].stars`, 'a rating is 1 to 5 whole stars');
    }
  });
  const { ratingWindow, ratingMinCount, ratingThresholdTenths, depositCutBps } = policy.supplier;
  const ratingsUsed = [...ratings]
    .sort((a, b) => b.atMs - a.atMs || (a.ratingId < b.ratingId ? 1 : a.ratingId > b.ratingId ? -1 : 0))
    .slice(0, ratingWindow);
  const count = ratingsUsed.length;
  const starsSum = ratingsUsed.reduce((sum, rating) => sum + rating.stars, 0);
  const averageHundredths = count === 0 ? 0 : Math.floor((starsSum * 100) / count);
  if (count < ratingMinCount) return { outcome: 'too_few_ratings', ratingsUsed, averageHundredths, cutFen: 0n };
  if (starsSum * 10 < ratingThresholdTenths * count) {
    return { outcome: 'cut', ratingsUsed, averageHundredths, cutFen: shareOf(deposit, depositCutBps) };
  }
  return { outcome: 'keep', ratingsUsed, averageHundredths, cutFen: 0n };
}
