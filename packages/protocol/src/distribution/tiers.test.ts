import { describe, expect, it } from 'vitest';
import { thrownIssues } from './distribution.test-helper.js';
import { evaluateTier, DEFAULT_DISTRIBUTION_POLICY as P, tierRule } from './index.js';

describe('membership tiers', () => {
  it('needs both the spend and the invites of a tier', () => {
    expect(evaluateTier({ spendFen: 0n, invites: 0 }, P)).toBe('normal');
    expect(evaluateTier({ spendFen: 100_000n, invites: 1 }, P)).toBe('silver');
    expect(evaluateTier({ spendFen: 100_000n, invites: 0 }, P)).toBe('normal');
    expect(evaluateTier({ spendFen: 99_999n, invites: 50 }, P)).toBe('normal');
    expect(evaluateTier({ spendFen: 500_000n, invites: 5 }, P)).toBe('gold');
    expect(evaluateTier({ spendFen: 10n ** 9n, invites: 4 }, P)).toBe('silver');
  });

  it('finds the rule of a tier, and refuses one the policy lacks', () => {
    expect(tierRule(P, 'gold').cashbackBps).toBe(1200);
    const twoTiers = { ...P, tiers: P.tiers.slice(0, 2) };
    expect(thrownIssues(() => tierRule(twoTiers, 'gold'))).toEqual([['unknown_tier', 'tier']]);
  });

  it('refuses figures out of range', () => {
    expect(thrownIssues(() => evaluateTier({ spendFen: -1n, invites: 0 }, P))).toEqual([
      ['invalid_amount', 'stats.spendFen'],
    ]);
    expect(thrownIssues(() => evaluateTier({ spendFen: 0n, invites: -1 }, P))).toEqual([
      ['invalid_integer', 'stats.invites'],
    ]);
  });
});
