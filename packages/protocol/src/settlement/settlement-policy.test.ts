import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyError } from '../money/money-error.js';
import { DEFAULT_SETTLEMENT_POLICY, validateSettlementPolicy } from './index.js';

function issuesOf(input: unknown, field?: string) {
  try {
    validateSettlementPolicy(input, field);
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyError);
    const e = error as MoneyError;
    // The error's code and field are those of its first issue.
    expect({ code: e.code, field: e.field }).toEqual({ code: e.issues[0]?.code, field: e.issues[0]?.field });
    return e.issues.map(({ code, field }) => ({ code, field }));
  }
  throw new Error('expected a MoneyError');
}

const pool = (shares: Record<string, unknown>) => ({
  experiencePool: { expertsBps: 1_000, testersBps: 5_000, platformBps: 4_000, ...shares },
});

describe('validateSettlementPolicy', () => {
  it('accepts the default policy (10 / 50 / 40) and returns a frozen copy', () => {
    expect(DEFAULT_SETTLEMENT_POLICY.experiencePool).toEqual({
      expertsBps: 1_000,
      testersBps: 5_000,
      platformBps: 4_000,
    });
    const policy = validateSettlementPolicy(DEFAULT_SETTLEMENT_POLICY);
    expect(policy).toEqual(DEFAULT_SETTLEMENT_POLICY);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.experiencePool)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SETTLEMENT_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SETTLEMENT_POLICY.experiencePool)).toBe(true);
  });

  it('accepts any split of the whole pool, including all to one party', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const shares = { expertsBps: lo, testersBps: hi - lo, platformBps: 10_000 - hi };
        expect(validateSettlementPolicy({ experiencePool: shares })).toEqual({ experiencePool: shares });
      }),
      { numRuns: 100 },
    );
    expect(
      validateSettlementPolicy({ experiencePool: { expertsBps: 0, testersBps: 0, platformBps: 10_000 } })
        .experiencePool,
    ).toEqual({ expertsBps: 0, testersBps: 0, platformBps: 10_000 });
  });

  it('copies only the shares, never what else the input carries', () => {
    const input = { experiencePool: { expertsBps: 1_000, testersBps: 5_000, platformBps: 4_000 }, note: 'x' };
    const policy = validateSettlementPolicy(input);
    expect(policy).toEqual({ experiencePool: { expertsBps: 1_000, testersBps: 5_000, platformBps: 4_000 } });
    expect(policy.experiencePool).not.toBe(input.experiencePool);
  });

  it('rejects shares that do not add up to exactly 10000, short or over', () => {
    expect(issuesOf(pool({ platformBps: 3_999 }))).toEqual([
      { code: 'shares_exceed_whole', field: 'settlement.experiencePool' },
    ]);
    expect(issuesOf(pool({ platformBps: 4_001 }))).toEqual([
      { code: 'shares_exceed_whole', field: 'settlement.experiencePool' },
    ]);
    expect(issuesOf({ experiencePool: { expertsBps: 0, testersBps: 0, platformBps: 0 } })).toEqual([
      { code: 'shares_exceed_whole', field: 'settlement.experiencePool' },
    ]);
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 20_000 }),
          fc.integer({ min: 0, max: 20_000 }),
          fc.integer({ min: 0, max: 20_000 }),
        ),
        ([expertsBps, testersBps, platformBps]) => {
          fc.pre(expertsBps + testersBps + platformBps !== 10_000);
          expect(issuesOf({ experiencePool: { expertsBps, testersBps, platformBps } }, 'cfg')).toEqual([
            { code: 'shares_exceed_whole', field: 'cfg.experiencePool' },
          ]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects negative shares (and does not also blame the sum)', () => {
    expect(issuesOf(pool({ expertsBps: -1_000, testersBps: 7_000 }))).toEqual([
      { code: 'share_negative', field: 'settlement.experiencePool.expertsBps' },
    ]);
  });

  it('rejects shares that are not integers', () => {
    for (const bad of [1.5, '1000', Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1_000n, null, true]) {
      expect(issuesOf(pool({ testersBps: bad })), String(bad)).toEqual([
        { code: 'share_not_integer', field: 'settlement.experiencePool.testersBps' },
      ]);
    }
  });

  it('rejects unknown shares, so that a misspelt one is not silently dropped', () => {
    expect(
      issuesOf({ experiencePool: { expertsBps: 1_000, testerBps: 5_000, testersBps: 5_000, platformBps: 4_000 } }),
    ).toEqual([{ code: 'unknown_field', field: 'settlement.experiencePool.testerBps' }]);
  });

  it('rejects missing shares', () => {
    expect(issuesOf({ experiencePool: { expertsBps: 1_000, testersBps: 9_000 } })).toEqual([
      { code: 'share_missing', field: 'settlement.experiencePool.platformBps' },
    ]);
    expect(issuesOf({ experiencePool: {} })).toEqual([
      { code: 'share_missing', field: 'settlement.experiencePool.expertsBps' },
      { code: 'share_missing', field: 'settlement.experiencePool.testersBps' },
      { code: 'share_missing', field: 'settlement.experiencePool.platformBps' },
    ]);
  });

  it('lists every issue at once, unknown fields first, under the given field', () => {
    expect(
      issuesOf({ experiencePool: { expertsBps: -1, testersBps: 0.5, bonusBps: 1, platformBps: undefined } }, 'policy'),
    ).toEqual([
      { code: 'unknown_field', field: 'policy.experiencePool.bonusBps' },
      { code: 'share_negative', field: 'policy.experiencePool.expertsBps' },
      { code: 'share_not_integer', field: 'policy.experiencePool.testersBps' },
      { code: 'share_missing', field: 'policy.experiencePool.platformBps' },
    ]);
  });

  it('rejects a policy without an experience pool object', () => {
    for (const bad of [
      undefined,
      null,
      42,
      'policy',
      [],
      {},
      { experiencePool: null },
      { experiencePool: [] },
      { experiencePool: 10_000 },
    ]) {
      expect(issuesOf(bad), JSON.stringify(bad)).toEqual([
        { code: 'not_an_object', field: 'settlement.experiencePool' },
      ]);
    }
  });
});
