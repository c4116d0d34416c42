import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownIssues } from './distribution.test-helper.js';
import {
  evaluateLevel,
  evaluateLevels,
  levelRule,
  DEFAULT_DISTRIBUTION_POLICY as P,
  PROMOTER_LEVELS,
  type PromoterLevel,
} from './index.js';

const stats = (ownSalesFen: bigint, teamSalesFen: bigint, directMembers: number) => ({
  ownSalesFen,
  teamSalesFen,
  directMembers,
});

describe('evaluateLevel', () => {
  it('starts every promoter at the entry level', () => {
    expect(evaluateLevel(stats(0n, 0n, 0), P)).toBe('promoter');
  });

  it('gives the highest level whose three thresholds are all met', () => {
    expect(evaluateLevel(stats(500_000n, 2_000_000n, 10), P)).toBe('team_lead');
    expect(evaluateLevel(stats(2_000_000n, 20_000_000n, 50), P)).toBe('regional_partner');
    expect(evaluateLevel(stats(5_000_000n, 100_000_000n, 200), P)).toBe('city_agent');
    // One threshold short of a level is the level below, however far the others go.
    expect(evaluateLevel(stats(10n ** 12n, 10n ** 12n, 199), P)).toBe('regional_partner');
    expect(evaluateLevel(stats(499_999n, 10n ** 12n, 10_000), P)).toBe('promoter');
    expect(evaluateLevel(stats(10n ** 12n, 1_999_999n, 10_000), P)).toBe('promoter');
  });

  it('never lowers a level when the figures grow', () => {
    const rank = (level: PromoterLevel) => PROMOTER_LEVELS.indexOf(level);
    const amount = fc.bigInt({ min: 0n, max: 200_000_000n });
    const count = fc.integer({ min: 0, max: 400 });
    fc.assert(
      fc.property(amount, amount, count, amount, amount, fc.nat(100), (own, team, members, dOwn, dTeam, dMembers) => {
        const before = evaluateLevel(stats(own, team, members), P);
        const after = evaluateLevel(stats(own + dOwn, team + dTeam, members + dMembers), P);
        expect(rank(after)).toBeGreaterThanOrEqual(rank(before));
      }),
    );
  });

  it('refuses figures out of range', () => {
    expect(thrownIssues(() => evaluateLevel(stats(-1n, 0n, 0), P))).toEqual([['invalid_amount', 'stats.ownSalesFen']]);
    expect(thrownIssues(() => evaluateLevel({ ...stats(0n, 0n, 0), teamSalesFen: 5 as never }, P))).toEqual([
      ['invalid_amount', 'stats.teamSalesFen'],
    ]);
    expect(thrownIssues(() => evaluateLevel(stats(0n, 0n, 1.5), P))).toEqual([
      ['invalid_integer', 'stats.directMembers'],
    ]);
  });
});

describe('evaluateLevels (the monthly job)', () => {
  it('returns only the changes, up and down, in input order', () => {
    const changes = evaluateLevels(
      [
        { promoter: 'did:a', currentLevel: 'promoter', stats: stats(600_000n, 3_000_000n, 12) },
        { promoter: 'did:b', currentLevel: 'team_lead', stats: stats(600_000n, 3_000_000n, 12) },
        { promoter: 'did:c', currentLevel: 'city_agent', stats: stats(2_000_000n, 20_000_000n, 60) },
        { promoter: 'did:d', currentLevel: 'team_lead', stats: stats(0n, 0n, 0) },
      ],
      P,
    );
    expect(changes).toEqual([
      { promoter: 'did:a', from: 'promoter', to: 'team_lead', direction: 'up' },
      { promoter: 'did:c', from: 'city_agent', to: 'regional_partner', direction: 'down' },
      { promoter: 'did:d', from: 'team_lead', to: 'promoter', direction: 'down' },
    ]);
  });

  it('names the bad row', () => {
    const ok = { promoter: 'did:a', currentLevel: 'promoter' as const, stats: stats(0n, 0n, 0) };
    expect(thrownIssues(() => evaluateLevels([ok, { ...ok, promoter: '' }], P))).toEqual([
      ['invalid_id', 'promoters[1].promoter'],
    ]);
    expect(thrownIssues(() => evaluateLevels([ok, { ...ok, currentLevel: 'king' as never }], P))).toEqual([
      ['unknown_level', 'promoters[1].currentLevel'],
    ]);
    expect(thrownIssues(() => evaluateLevels([{ ...ok, stats: stats(0n, -1n, 0) }], P))).toEqual([
      ['invalid_amount', 'promoters[0].stats.teamSalesFen'],
    ]);
  });

  it('refuses a level its ladder lacks', () => {
    const short = { ...P, levels: [P.levels[0]!, P.levels[3]!] };
    expect(levelRule(short, 'city_agent').commissionBps).toBe(1000);
    expect(thrownIssues(() => levelRule(short, 'team_lead'))).toEqual([['unknown_level', 'level']]);
    expect(evaluateLevel(stats(2_000_000n, 20_000_000n, 50), short)).toBe('promoter');
  });
});
