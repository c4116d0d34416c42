import { requireAmount, requireInteger } from './checks.js';
import { DistributionError } from './distribution-error.js';
import type { DistributionPolicy, MembershipTier, TierRule } from './policy.js';

/**
 * Membership tiers (seed `002_…`: 消费额与拉新数提升等级). A tier raises the member's cashback
 * rate; invites count only once the invitee has completed an order, so a tier is never bought
 * with sign-ups alone.
 */

export interface MemberStats {
  /** The member's completed spend (refunds deducted). */
  readonly spendFen: bigint;
  /** Invitees who have completed at least one order. */
  readonly invites: number;
}

/**
 * The highest tier of `policy.tiers` whose thresholds `stats` both meet; the entry tier has none,
 * so every member has one. Throws `DistributionError` `invalid_amount` / `invalid_integer`.
 */
export function evaluateTier(stats: MemberStats, policy: DistributionPolicy, field = 'stats'): MembershipTier {
  requireAmount(stats.spendFen, `${field}.spendFen`, 'the spend');
  requireInteger(stats.invites, `${field}.invites`, 0, Number.MAX_SAFE_INTEGER, 'the invites');
  const { tiers } = policy;
  for (let index = tiers.length - 1; index >= 0; index--) {
    const rung = tiers[index]!;
    if (stats.spendFen >= rung.minSpendFen && stats.invites >= rung.minInvites) return rung.tier;
  }
  throw new DistributionError('invalid_ladder', 'policy.tiers', 'the tiers have no entry rung without thresholds');
}

/** The rule of `tier`. Throws `DistributionError` `unknown_tier` for a tier the policy does not have. */
export function tierRule(policy: DistributionPolicy, tier: MembershipTier, field = 'tier'): TierRule {
  const rung = policy.tiers.find((candidate) => candidate.tier === tier);
  if (rung === undefined) throw new DistributionError('unknown_tier', field, `"${tier}" is not a tier of the policy`);
  return rung;
}
