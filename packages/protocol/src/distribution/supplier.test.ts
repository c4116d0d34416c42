import { describe, expect, it } from 'vitest';
import { DAY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  evaluateSupplierRatings,
  DEFAULT_DISTRIBUTION_POLICY as P,
  redeemSupplierTokens,
  type SupplierRating,
  supplierTokensEarned,
} from './index.js';

describe('supplier tokens', () => {
  it('are earned at 1% of sales, rounded down', () => {
    expect(supplierTokensEarned(1_000_000n, P)).toBe(10_000n);
    expect(supplierTokensEarned(99n, P)).toBe(0n);
    expect(thrownIssues(() => supplierTokensEarned(-1n, P))).toEqual([['invalid_amount', 'salesFen']]);
  });

  it('lower the platform fee of the next cycle by whole bps, down to the floor', () => {
    expect(
      redeemSupplierTokens({ tokensHeld: 50_000n, tokensOffered: 35_000n, platformFeeBps: 600, cycle: 7 }, P),
    ).toEqual({
      reductionBps: 3,
      tokensSpent: 30_000n,
      feeBps: 597,
      effectiveCycle: 8,
    });
    // The floor is 500 bps: 10^7 tokens could buy 1000 bps, only 100 are left above the floor.
    expect(
      redeemSupplierTokens({ tokensHeld: 10n ** 7n, tokensOffered: 10n ** 7n, platformFeeBps: 600, cycle: 0 }, P),
    ).toEqual({ reductionBps: 100, tokensSpent: 1_000_000n, feeBps: 500, effectiveCycle: 1 });
    // Already at or under the floor: nothing is bought, nothing spent.
    expect(
      redeemSupplierTokens({ tokensHeld: 10n ** 6n, tokensOffered: 10n ** 6n, platformFeeBps: 450, cycle: 0 }, P),
    ).toMatchObject({ reductionBps: 0, tokensSpent: 0n, feeBps: 450 });
  });

  it('refuses redeeming more than held, and bad figures', () => {
    const input = { tokensHeld: 5n, tokensOffered: 6n, platformFeeBps: 600, cycle: 1 };
    expect(thrownIssues(() => redeemSupplierTokens(input, P))).toEqual([['insufficient_tokens', 'tokensOffered']]);
    expect(thrownIssues(() => redeemSupplierTokens({ ...input, tokensOffered: 1n, cycle: -1 }, P))).toEqual([
      ['invalid_integer', 'cycle'],
    ]);
    expect(
      thrownIssues(() => redeemSupplierTokens({ ...input, tokensOffered: 1n, platformFeeBps: 10_001 }, P)),
    ).toEqual([['invalid_integer', 'platformFeeBps']]);
  });
});

describe('supplier ratings', () => {
  const ratings = (stars: number[]): SupplierRating[] =>
    stars.map((s, i) => ({ ratingId: `r${String(i).padStart(3, '0')}`, stars: s, atMs: T0 + i * DAY }));

  it('cut 5% of the deposit when the last 20 average below 4.5, and say which they used', () => {
    // 25 ratings: five old 1-star ones, then twenty averaging 4.45.
    const stars = [1, 1, 1, 1, 1, ...Array(9).fill(5), ...Array(11).fill(4)];
    const result = evaluateSupplierRatings(ratings(stars), 200_000n, P);
    expect(result.outcome).toBe('cut');
    expect(result.cutFen).toBe(10_000n);
    expect(result.averageHundredths).toBe(445);
    expect(result.ratingsUsed).toHaveLength(20);
    expect(result.ratingsUsed[0]?.ratingId).toBe('r024');
    expect(result.ratingsUsed.at(-1)?.ratingId).toBe('r005');
  });

  it('keep the deposit at exactly 4.5, or above', () => {
    const result = evaluateSupplierRatings(ratings([...Array(10).fill(5), ...Array(10).fill(4)]), 200_000n, P);
    expect([result.outcome, result.cutFen, result.averageHundredths]).toEqual(['keep', 0n, 450]);
  });

  it('decide nothing before the minimum count', () => {
    const result = evaluateSupplierRatings(ratings(Array(9).fill(1)), 200_000n, P);
    expect([result.outcome, result.cutFen, result.ratingsUsed.length]).toEqual(['too_few_ratings', 0n, 9]);
    expect(evaluateSupplierRatings([], 1n, P).outcome).toBe('too_few_ratings');
  });

  it('refuse a rating that is not 1–5 whole stars', () => {
    for (const stars of [0, 6, 4.5, Number.NaN]) {
      expect(thrownIssues(() => evaluateSupplierRatings(ratings([5, stars]), 1n, P))).toEqual([
        ['invalid_rating', 'ratings[1].stars'],
      ]);
    }
    expect(thrownIssues(() => evaluateSupplierRatings(ratings([5]), -1n, P))).toEqual([
      ['invalid_amount', 'depositFen'],
    ]);
  });
});
