import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, MoneyError, shareOf, splitByBps } from './index.js';

const amount = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const weights = fc
  .array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 40 })
  .filter((w) => w.some((x) => x > 0));

describe('allocate (largest remainder)', () => {
  it('always sums to the amount, each share within one fen of its exact quotient', () => {
    fc.assert(
      fc.property(amount, weights, (a, w) => {
        const shares = allocate(a, w);
        expect(shares.reduce((s, x) => s + x, 0n)).toBe(a);
        const total = BigInt(w.reduce((s, x) => s + x, 0));
        shares.forEach((share, i) => {
          const exactTimesTotal = a * BigInt(w[i] as number);
          const diff = share * total - exactTimesTotal;
          expect(diff < 0n ? -diff : diff).toBeLessThan(total);
          if (w[i] === 0) expect(share).toBe(0n);
        });
      }),
    );
  });

  it('mirrors reversals: allocate(−a) = −allocate(a)', () => {
    fc.assert(
      fc.property(amount, weights, (a, w) => {
        expect(allocate(-a, w)).toEqual(allocate(a, w).map((x) => -x));
      }),
    );
  });

  it('depends only on each party’s weight: permuting parties permutes their shares', () => {
    fc.assert(
      fc.property(
        amount,
        fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 2, maxLength: 20 }),
        (a, w) => {
          const reversed = [...w].reverse();
          expect(allocate(a, reversed)).toEqual([...allocate(a, w)].reverse());
        },
      ),
    );
  });

  it('breaks ties deterministically: equal weights, earlier party first', () => {
    expect(allocate(10n, [1, 1, 1])).toEqual([4n, 3n, 3n]);
    expect(allocate(-10n, [1, 1, 1])).toEqual([-4n, -3n, -3n]);
    expect(allocate(100n, [3333, 3333, 3334])).toEqual([33n, 33n, 34n]);
  });

  it('refuses what it cannot split', () => {
    expect(() => allocate(5n, [0, 0])).toThrow(MoneyError);
    expect(() => allocate(5n, [])).toThrow(MoneyError);
    expect(() => allocate(5n, [-1, 2])).toThrow(MoneyError);
    expect(() => allocate(5n, [1.5])).toThrow(MoneyError);
  });
});

describe('splitByBps', () => {
  it('gives each basis-point share within one fen of amount·bps/10000, the rest last, summing exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 5 }),
        (a, bps) => {
          const parts = splitByBps(a, bps);
          expect(parts).toHaveLength(bps.length + 1);
          expect(parts.reduce((s, x) => s + x, 0n)).toBe(a);
          bps.forEach((b, i) => {
            const exact = shareOf(a, b);
            expect((parts[i] as bigint) - exact).toBeGreaterThanOrEqual(0n);
            expect((parts[i] as bigint) - exact).toBeLessThanOrEqual(1n);
          });
        },
      ),
    );
  });

  it('refuses shares over the whole', () => {
    expect(() => splitByBps(100n, [6_000, 5_000])).toThrow(MoneyError);
    expect(() => splitByBps(100n, [10_001])).toThrow(MoneyError);
  });
});
