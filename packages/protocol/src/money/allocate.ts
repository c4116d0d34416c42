import { MoneyError } from './money-error.js';

/** 100% in basis points. */
export const WHOLE_BPS = 10_000;
const WHOLE_BPS_BIG = BigInt(WHOLE_BPS);

/** Bounds the work of one allocation; an order or a payout batch has far fewer parties. */
export const MAX_ALLOCATION_PARTIES = 10_000;

/**
 * Splits the WHOLE of `amountFen` among parties in proportion to their weights, by the
 * largest-remainder method. The weights are relative: `[1, 1, 2]`, `[2500, 2500, 5000]` and
 * `[1n, 1n, 2n]` give the same split; they need not sum to 10000 (see `splitByBps` for shares
 * that are basis points of the amount and leave a rest).
 *
 * Contract, with W = Σ weights:
 * - the shares sum to `amountFen` exactly;
 * - share i is floor(amountFen·wᵢ/W) or that plus one fen (exact when the quotient is whole), so
 *   a zero weight gets zero;
 * - the leftover fen go to the largest remainders; equal remainders go to the larger weight, and
 *   equal weights to the earlier party. Breaking ties by weight before position is what makes the
 *   split a pure function of each party's weight, so reordering parties whose weights differ only
 *   reorders their shares;
 * - a negative amount (a reversal) is the mirror image: allocate(−a, w) = −allocate(a, w).
 *
 * Throws `MoneyError`: `no_parties`, `too_many_parties`, `invalid_weight` (not a safe
 * non-negative integer), `negative_weight`, `zero_total_weight` (all zero but the amount is not),
 * `invalid_amount` (not a bigint).
 */
export function allocate(amountFen: bigint, weightsBps: readonly bigint[] | readonly number[]): bigint[] {
  assertAmount(amountFen);
  const weights = toBigWeights(weightsBps, 'weightsBps');
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0n);
  if (totalWeight === 0n) {
    if (amountFen === 0n) return weights.map(() => 0n);
    throw new MoneyError('zero_total_weight', 'weightsBps', 'a non-zero amount needs at least one positive weight');
  }
  if (amountFen < 0n) return largestRemainder(-amountFen, weights, totalWeight).map((share) => -share);
  return largestRemainder(amountFen, weights, totalWeight);
}

/**
 * Splits `amountFen` where each share is given in basis points OF THE AMOUNT (1500 = 15% of it),
 * and whatever the shares leave (10000 − Σ) is an implicit last "rest" share. All of them are
 * allocated together by `allocate`, so the result has `sharesBps.length + 1` parts, the rest last,
 * and they sum to `amountFen` exactly; each part is within one fen of amountFen·bps/10000.
 *
 * Throws `MoneyError` `invalid_bps` for a share that is not an integer in [0, 10000] and
 * `shares_exceed_whole` when the shares add up to more than 10000.
 */
export function splitByBps(amountFen: bigint, sharesBps: readonly bigint[] | readonly number[]): bigint[] {
  assertAmount(amountFen);
  if (sharesBps.length >= MAX_ALLOCATION_PARTIES) {
    throw new MoneyError('too_many_parties', 'sharesBps', `at most ${MAX_ALLOCATION_PARTIES - 1} shares`);
  }
  let usedBps = 0n;
  const shares = sharesBps.map((shareBps, index) => {
    const share = toBps(shareBps, `sharesBps.${index}`);
    usedBps += share;
    return share;
  });
  if (usedBps > WHOLE_BPS_BIG) {
    throw new MoneyError('shares_exceed_whole', 'sharesBps', `the shares add up to ${usedBps} bps, over 10000`);
  }
  return allocate(amountFen, [...shares, WHOLE_BPS_BIG - usedBps]);
}

/**
 * One share computed on its own: amountFen·bps/10000 rounded toward zero (the floor for a
 * non-negative amount; rounding toward zero keeps shareOf(−a) = −shareOf(a)). Use `splitByBps`
 * instead when several shares of one amount must add up.
 */
export function shareOf(amountFen: bigint, bps: bigint | number): bigint {
  assertAmount(amountFen);
  return (amountFen * toBps(bps, 'bps')) / WHOLE_BPS_BIG;
}

function largestRemainder(amountFen: bigint, weights: readonly bigint[], totalWeight: bigint): bigint[] {
  const shares = weights.map((weight) => (amountFen * weight) / totalWeight);
  const remainders = weights.map((weight) => (amountFen * weight) % totalWeight);
  const floorSum = shares.reduce((sum, share) => sum + share, 0n);
  // Σ remainders = W·leftover and each remainder < W, so leftover < the number of non-zero
  // remainders: the extra fen never reach a zero weight and each party gets at most one.
  const leftover = Number(amountFen - floorSum);
  const order = weights.map((_, index) => index);
  order.sort((a, b) => {
    const byRemainder = compareDesc(remainders[a]!, remainders[b]!);
    if (byRemainder !== 0) return byRemainder;
    const byWeight = compareDesc(weights[a]!, weights[b]!);
    return byWeight !== 0 ? byWeight : a - b;
  });
  for (let rank = 0; rank < leftover; rank++) {
    const index = order[rank]!;
    shares[index] = shares[index]! + 1n;
  }
  const total = shares.reduce((sum, share) => sum + share, 0n);
  if (total !== amountFen) throw new Error(`allocate: shares sum to ${total}, not ${amountFen}`);
  return shares;
}

function compareDesc(a: bigint, b: bigint): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

function toBigWeights(weights: readonly (bigint | number)[], field: string): bigint[] {
  if (weights.length === 0) throw new MoneyError('no_parties', field, 'there must be at least one party');
  if (weights.length > MAX_ALLOCATION_PARTIES) {
    throw new MoneyError('too_many_parties', field, `at most ${MAX_ALLOCATION_PARTIES} parties`);
  }
  return weights.map((weight, index) => {
    const big = toBigInteger(weight, `${field}.${index}`, 'invalid_weight');
    if (big < 0n) throw new MoneyError('negative_weight', `${field}.${index}`, 'a weight cannot be negative');
    return big;
  });
}

function toBps(bps: bigint | number, field: string): bigint {
  const big = toBigInteger(bps, field, 'invalid_bps');
  if (big < 0n || big > WHOLE_BPS_BIG) {
    throw new MoneyError('invalid_bps', field, 'basis points must be between 0 and 10000');
  }
  return big;
}

function toBigInteger(value: bigint | number, field: string, code: 'invalid_weight' | 'invalid_bps'): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new MoneyError(code, field, 'must be an integer (a bigint or a safe integer number)');
}

function assertAmount(amountFen: bigint): void {
  if (typeof amountFen !== 'bigint') {
    throw new MoneyError('invalid_amount', 'amountFen', 'an amount must be a bigint number of fen');
  }
}
