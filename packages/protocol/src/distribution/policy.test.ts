import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY } from '../money/split-policy.js';
import { policyJson, SEED_LEVELS, SEED_SPLIT_POLICY, thrownIssues } from './distribution.test-helper.js';
import {
  DEFAULT_DISTRIBUTION_POLICY,
  DistributionError,
  distributionPolicyIssues,
  validateDistributionPolicy,
} from './index.js';

describe('the default distribution policy', () => {
  it('is valid under the default split policy and comes back equal, deeply frozen', () => {
    const policy = validateDistributionPolicy(DEFAULT_DISTRIBUTION_POLICY, DEFAULT_SPLIT_POLICY);
    expect(policy).toEqual(DEFAULT_DISTRIBUTION_POLICY);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.levels[1])).toBe(true);
    expect(Object.isFrozen(policy.points)).toBe(true);
    expect(Object.isFrozen(DEFAULT_DISTRIBUTION_POLICY.tiers[2])).toBe(true);
  });

  it('carries the seed numbers', () => {
    const p = DEFAULT_DISTRIBUTION_POLICY;
    expect(p.levels.map((l) => l.level)).toEqual(['promoter', 'team_lead', 'regional_partner', 'city_agent']);
    expect([p.freezeDays, p.returnWindowDays]).toEqual([30, 7]);
    expect(p.tiers.map((t) => t.cashbackBps)).toEqual([500, 800, 1200]);
    expect(p.referralRewardBps).toBe(800);
    expect(p.points.transferFeeBps).toBe(100);
    expect([p.points.retirementMode, p.points.monthlyBurnBps]).toEqual(['burn', 500]);
    expect([p.supplier.ratingThresholdTenths, p.supplier.depositCutBps]).toEqual([45, 500]);
    expect([p.bindingMode, p.selfPurchaseCommission, p.maxCommissionLevels]).toEqual(['first', false, 2]);
  });

  it('reads amounts given as decimal text (a JSON config) as bigints', () => {
    const policy = validateDistributionPolicy(policyJson(), DEFAULT_SPLIT_POLICY);
    expect(policy).toEqual(DEFAULT_DISTRIBUTION_POLICY);
    expect(policy.levels[3]?.minTeamSalesFen).toBe(100_000_000n);
  });

  it('copies only what it knows: the result shares nothing with the input', () => {
    const input = policyJson();
    const policy = validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY);
    input.levels[1].commissionBps = 1;
    expect(policy.levels[1]?.commissionBps).toBe(1000);
  });
});

describe('levels that would break the split policy or the two-level cap', () => {
  it("refuses the seed's full ladder under the default split shares, naming every rate", () => {
    const input = { ...DEFAULT_DISTRIBUTION_POLICY, levels: SEED_LEVELS };
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['rate_exceeds_split_share', 'policy.levels[1].commissionBps'],
      ['rate_exceeds_split_share', 'policy.levels[1].overrideBps'],
      ['rate_exceeds_split_share', 'policy.levels[2].commissionBps'],
      ['rate_exceeds_split_share', 'policy.levels[2].overrideBps'],
      ['rate_exceeds_split_share', 'policy.levels[3].commissionBps'],
      ['rate_exceeds_split_share', 'policy.levels[3].overrideBps'],
    ]);
  });

  it('accepts it once the split sets aside 15% and 5%', () => {
    const input = { ...DEFAULT_DISTRIBUTION_POLICY, levels: SEED_LEVELS };
    expect(validateDistributionPolicy(input, SEED_SPLIT_POLICY).levels[3]?.commissionBps).toBe(1500);
  });

  it('refuses a rate above a lowered share, e.g. an operator who sets the team override to zero', () => {
    const split = { ...DEFAULT_SPLIT_POLICY, teamOverrideBps: 0 };
    const issues = distributionPolicyIssues(DEFAULT_DISTRIBUTION_POLICY, split);
    expect(issues.map((i) => i.field)).toEqual([0, 1, 2, 3].map((n) => `policy.levels[${n}].overrideBps`));
    const zeroed = {
      ...DEFAULT_DISTRIBUTION_POLICY,
      levels: DEFAULT_DISTRIBUTION_POLICY.levels.map((l) => ({ ...l, overrideBps: 0 })),
    };
    expect(distributionPolicyIssues(zeroed, split)).toEqual([]);
  });

  it('refuses more than two commission levels', () => {
    const input = { ...policyJson(), maxCommissionLevels: 3 };
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['commission_depth_exceeded', 'policy.maxCommissionLevels'],
    ]);
    expect(validateDistributionPolicy({ ...policyJson(), maxCommissionLevels: 1 }, DEFAULT_SPLIT_POLICY)).toMatchObject(
      {
        maxCommissionLevels: 1,
      },
    );
    expect(
      thrownIssues(() => validateDistributionPolicy({ ...policyJson(), maxCommissionLevels: 0 }, DEFAULT_SPLIT_POLICY)),
    ).toEqual([['invalid_integer', 'policy.maxCommissionLevels']]);
  });

  it('refuses a ladder out of order, repeated, or not starting at promoter', () => {
    const input = policyJson();
    input.levels = [input.levels[1], input.levels[0], input.levels[0]];
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['invalid_ladder', 'policy.levels[0].level'],
      ['invalid_ladder', 'policy.levels[1].level'],
      ['invalid_ladder', 'policy.levels[2].level'],
      ['invalid_ladder', 'policy.levels[0].minOwnSalesFen'],
      ['invalid_ladder', 'policy.levels[0].minTeamSalesFen'],
      ['invalid_ladder', 'policy.levels[0].minDirectMembers'],
      ['ladder_not_monotonic', 'policy.levels[1].minOwnSalesFen'],
      ['ladder_not_monotonic', 'policy.levels[1].minTeamSalesFen'],
      ['ladder_not_monotonic', 'policy.levels[1].minDirectMembers'],
    ]);
  });

  it('accepts a shorter ladder that skips rungs, in order', () => {
    const input = policyJson();
    input.levels = [input.levels[0], input.levels[3]];
    expect(validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY).levels.map((l) => l.level)).toEqual([
      'promoter',
      'city_agent',
    ]);
  });

  it('refuses thresholds or rates that go down the ladder', () => {
    const input = policyJson();
    input.levels[2].minOwnSalesFen = '1';
    input.levels[1].commissionBps = 900;
    input.levels[3].overrideBps = 200;
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['ladder_not_monotonic', 'policy.levels[1].commissionBps'],
      ['ladder_not_monotonic', 'policy.levels[2].minOwnSalesFen'],
      ['ladder_not_monotonic', 'policy.levels[3].overrideBps'],
    ]);
  });

  it('refuses an empty ladder or one with more rungs than levels', () => {
    const empty = { ...policyJson(), levels: [] };
    expect(thrownIssues(() => validateDistributionPolicy(empty, DEFAULT_SPLIT_POLICY))).toEqual([
      ['invalid_ladder', 'policy.levels'],
    ]);
    const long = policyJson();
    long.levels.push(long.levels[3]);
    expect(thrownIssues(() => validateDistributionPolicy(long, DEFAULT_SPLIT_POLICY))).toEqual([
      ['invalid_ladder', 'policy.levels'],
    ]);
  });
});

describe('bad input, all issues at once', () => {
  it('reports shapes, ranges and unknown members with their paths', () => {
    const input = policyJson();
    input.levels[1].level = 'captain';
    input.levels[2].commissionBps = 10.5;
    input.levels[3].minTeamSalesFen = -5;
    input.freezeDays = 9999;
    input.bindingMode = 'sticky';
    input.selfPurchaseCommission = 'no';
    input.tiers[1].cashbackBps = 10_001;
    input.points.retirementMode = 'halving';
    input.points.transferFeeBps = 10_000;
    input.supplier.ratingMinCount = 30;
    input.supplier.tokensPerFeeBps = '0';
    input.abuse.maxOrdersPerIp = 0;
    input.extra = true;
    delete input.referralRewardBps;
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['unknown_field', 'policy.extra'],
      ['invalid_choice', 'policy.levels[1].level'],
      ['invalid_bps', 'policy.levels[2].commissionBps'],
      ['invalid_amount', 'policy.levels[3].minTeamSalesFen'],
      ['invalid_integer', 'policy.freezeDays'],
      ['invalid_choice', 'policy.bindingMode'],
      ['invalid_boolean', 'policy.selfPurchaseCommission'],
      ['invalid_bps', 'policy.tiers[1].cashbackBps'],
      ['field_missing', 'policy.referralRewardBps'],
      ['invalid_choice', 'policy.points.retirementMode'],
      ['invalid_bps', 'policy.points.transferFeeBps'],
      ['invalid_amount', 'policy.supplier.tokensPerFeeBps'],
      ['invalid_integer', 'policy.supplier.ratingMinCount'],
      ['invalid_integer', 'policy.abuse.maxOrdersPerIp'],
    ]);
  });

  it('refuses what is not an object, and a misspelt nested member', () => {
    expect(thrownIssues(() => validateDistributionPolicy(null, DEFAULT_SPLIT_POLICY))).toEqual([
      ['not_an_object', 'policy'],
    ]);
    expect(thrownIssues(() => validateDistributionPolicy([], DEFAULT_SPLIT_POLICY))).toEqual([
      ['not_an_object', 'policy'],
    ]);
    const input = policyJson();
    input.points.burnBps = 1;
    input.levels = 'all';
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['not_an_array', 'policy.levels'],
      ['unknown_field', 'policy.points.burnBps'],
    ]);
  });

  it('reports an invalid split policy instead of comparing rates with it', () => {
    const split = { ...DEFAULT_SPLIT_POLICY, experienceFeeBps: 9_000 };
    expect(thrownIssues(() => validateDistributionPolicy(DEFAULT_DISTRIBUTION_POLICY, split))).toEqual([
      ['invalid_split_policy', 'splitPolicy'],
    ]);
  });

  it('checks the tiers like the levels, but caps cashback instead of refusing it', () => {
    // Gold's 12% is above the default 5% cashback share: allowed (capped when paid).
    expect(distributionPolicyIssues(DEFAULT_DISTRIBUTION_POLICY, DEFAULT_SPLIT_POLICY)).toEqual([]);
    const input = policyJson();
    input.tiers = [input.tiers[2], input.tiers[1]];
    input.tiers[1].cashbackBps = 100;
    expect(thrownIssues(() => validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY))).toEqual([
      ['invalid_ladder', 'policy.tiers[0].tier'],
      ['invalid_ladder', 'policy.tiers[1].tier'],
      ['invalid_ladder', 'policy.tiers[0].minSpendFen'],
      ['invalid_ladder', 'policy.tiers[0].minInvites'],
      ['ladder_not_monotonic', 'policy.tiers[1].minSpendFen'],
      ['ladder_not_monotonic', 'policy.tiers[1].minInvites'],
      ['ladder_not_monotonic', 'policy.tiers[1].cashbackBps'],
    ]);
  });

  it('throws one DistributionError whose message lists every issue', () => {
    const input = { ...policyJson(), freezeDays: -1, returnWindowDays: 'a week' };
    try {
      validateDistributionPolicy(input, DEFAULT_SPLIT_POLICY);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DistributionError);
      const e = error as DistributionError;
      expect([e.code, e.field]).toEqual(['invalid_integer', 'policy.freezeDays']);
      expect(e.message).toContain('policy.returnWindowDays');
    }
  });
});
