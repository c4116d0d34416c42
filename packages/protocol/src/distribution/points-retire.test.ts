import { describe, expect, it } from 'vitest';
import { DAY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  addUtcMonths,
  DEFAULT_DISTRIBUTION_POLICY as P,
  type PointsLot,
  retirePoints,
  retirePointsForHolders,
  takeFromLots,
} from './index.js';

const lot = (amountPoints: bigint, earnedAtMs: number): PointsLot => ({ amountPoints, earnedAtMs });
const EXPIRY = { ...P, points: { ...P.points, retirementMode: 'expiry' as const, expiryMonths: 12 } };

describe('lots', () => {
  it('give points oldest first, whatever order they come in', () => {
    const lots = [lot(50n, T0 + 2 * DAY), lot(30n, T0), lot(40n, T0 + DAY)];
    expect(takeFromLots(lots, 50n)).toEqual({
      taken: [lot(30n, T0), lot(20n, T0 + DAY)],
      left: [lot(20n, T0 + DAY), lot(50n, T0 + 2 * DAY)],
    });
    expect(takeFromLots(lots, 0n).taken).toEqual([]);
    expect(takeFromLots(lots, 120n).left).toEqual([]);
  });

  it('refuse taking more than they hold', () => {
    expect(thrownIssues(() => takeFromLots([lot(5n, T0)], 6n))).toEqual([['insufficient_points', 'amountPoints']]);
    expect(thrownIssues(() => takeFromLots([lot(-5n, T0)], 1n))).toEqual([['invalid_amount', 'lots[0].amountPoints']]);
  });
});

describe('the monthly burn (default: 5% of each holding)', () => {
  it('burns 5%, rounded down, oldest points first', () => {
    const result = retirePoints([lot(1_000n, T0 + DAY), lot(1_000n, T0)], T0 + 30 * DAY, P);
    expect(result).toEqual({ mode: 'burn', retiredPoints: 100n, left: [lot(900n, T0), lot(1_000n, T0 + DAY)] });
    expect(retirePoints([lot(19n, T0)], T0, P).retiredPoints).toBe(0n);
    expect(retirePoints([lot(20n, T0)], T0, P).retiredPoints).toBe(1n);
  });

  it('runs over many holders, listing only those who lose points', () => {
    const holdings = [
      { holder: 'did:a', lots: [lot(10_000n, T0)] },
      { holder: 'did:b', lots: [lot(10n, T0)] },
      { holder: 'did:c', lots: [] },
    ];
    expect(retirePointsForHolders(holdings, T0, P)).toEqual([{ holder: 'did:a', mode: 'burn', retiredPoints: 500n }]);
    expect(thrownIssues(() => retirePointsForHolders([{ holder: '', lots: [] }], T0, P))).toEqual([
      ['invalid_id', 'holdings[0].holder'],
    ]);
  });
});

describe('expiry (when configured)', () => {
  it('retires lots earned the configured months ago or earlier', () => {
    const now = Date.UTC(2027, 2, 1);
    const lots = [lot(10n, Date.UTC(2026, 2, 1)), lot(20n, Date.UTC(2026, 2, 1) + 1), lot(30n, Date.UTC(2025, 0, 1))];
    expect(retirePoints(lots, now, EXPIRY)).toEqual({
      mode: 'expiry',
      retiredPoints: 40n,
      left: [lot(20n, Date.UTC(2026, 2, 1) + 1)],
    });
  });

  it('counts calendar months in UTC, clamping the day', () => {
    expect(addUtcMonths(Date.UTC(2026, 0, 31, 13, 5), 1)).toBe(Date.UTC(2026, 1, 28, 13, 5));
    expect(addUtcMonths(Date.UTC(2027, 11, 31), 2)).toBe(Date.UTC(2028, 1, 29));
    expect(addUtcMonths(Date.UTC(2026, 4, 15), 12)).toBe(Date.UTC(2027, 4, 15));
  });
});
