import type { SplitPolicy, UnusedShareDestination } from '../money/split-policy.js';
import { MS_PER_DAY, requireId, requireList, requireTimeMs } from './checks.js';
import { DistributionError } from './distribution-error.js';
import { levelRule } from './levels.js';
import { type DistributionShares, orderDistributionShares, type ShareUse, useShare } from './order-shares.js';
import type { DistributionPolicy, PromoterLevel } from './policy.js';

/**
 * Commissions at an order's completion (DESIGN §9): the direct commission to the attributed
 * promoter, at their level's rate, and the override to their upline, at the upline's level's
 * rate — two commission levels at most, whatever the graph above holds. Both are created frozen
 * until delivery + freeze + return window, and both are carved out of the order's split legs
 * (`useShare`), so a commission never exceeds its policy share.
 */

/** Who brought the order in, snapshotted on the order at checkout (levels as they were then). */
export interface OrderAttribution {
  readonly promoter: string;
  readonly promoterLevel: PromoterLevel;
  /** The promoter's upline, if they have one. */
  readonly upline?: string | undefined;
  readonly uplineLevel?: PromoterLevel | undefined;
}

export type CommissionKind = 'direct' | 'override';
export type CommissionStatus = 'frozen' | 'released';

/** One commission of one order, as the ledger holds it. */
export interface CommissionEntry {
  readonly orderId: string;
  readonly kind: CommissionKind;
  readonly beneficiary: string;
  /** The beneficiary's level at checkout. */
  readonly level: PromoterLevel;
  /** The rate paid, in bps of the order: the level's rate capped at the order's share. */
  readonly rateBps: number;
  /** What the entry holds now: its amount at creation less any reversal. */
  readonly amountFen: bigint;
  /** Frozen until this time; the release job makes it available then. */
  readonly freezeUntilMs: number;
  readonly status: CommissionStatus;
}

export interface CommissionInput {
  readonly orderId: string;
  /** The order's paid amount (what the split policy was applied to). */
  readonly paidFen: bigint;
  readonly buyer: string;
  readonly attribution?: OrderAttribution | undefined;
  readonly deliveredAtMs: number;
}

export type NoCommissionReason = 'no_attribution' | 'self_purchase';

export interface CommissionResult {
  /** Direct first, then the override; amounts of zero are left out. */
  readonly entries: CommissionEntry[];
  /** How the promoter commission leg was used. */
  readonly direct: ShareUse;
  /** How the team override leg was used. */
  readonly override: ShareUse;
  /** Where the unused parts go (the split policy's destination). */
  readonly unusedTo: UnusedShareDestination;
  /** Why no direct commission was paid, when none was. */
  readonly noCommissionReason?: NoCommissionReason;
}

/** When a commission of an order delivered at `deliveredAtMs` becomes available. */
export function freezeUntilMs(deliveredAtMs: number, policy: DistributionPolicy): number {
  requireTimeMs(deliveredAtMs, 'deliveredAtMs');
  const untilMs = deliveredAtMs + (policy.freezeDays + policy.returnWindowDays) * MS_PER_DAY;
  if (!Number.isSafeInteger(untilMs))
    throw new DistributionError('invalid_time', 'deliveredAtMs', 'the time is too late');
  return untilMs;
}

/**
 * The commissions of a completed order under its split policy:
 * - none without an attribution (`no_attribution`), and none at all on the promoter's own
 *   purchase unless `policy.selfPurchaseCommission` (`self_purchase`): the upline's override is
 *   earned on the promoter's sale, and a self-purchase is not one;
 * - the direct commission: the promoter level's `commissionBps`, capped at the split's
 *   `promoterCommissionBps`, out of the promoter commission leg;
 * - the override, when `policy.maxCommissionLevels` is 2 and the promoter has an upline (other
 *   than the buyer, unless self-purchases earn): the upline level's `overrideBps`, capped at the
 *   split's `teamOverrideBps`, out of the team override leg. Nobody above the upline earns.
 * What a rate leaves of its leg is reported as unused, for the split's unused-share destination.
 *
 * Throws `DistributionError`: `invalid_id`, `invalid_amount`, `invalid_time`, `unknown_level` (a
 * level the policy's ladder lacks), `invalid_attribution` (upline equal to the promoter, or an
 * upline without a level).
 */
export function computeCommission(
  input: CommissionInput,
  splitPolicy: SplitPolicy,
  policy: DistributionPolicy,
): CommissionResult {
  return commissionFromShares(input, orderDistributionShares(input.paidFen, splitPolicy), splitPolicy, policy);
}

/**
 * `computeCommission` with the order's legs already cut (internal: the cycle computation cuts
 * them once for commissions and cashback both).
 */
export function commissionFromShares(
  input: CommissionInput,
  shares: DistributionShares,
  splitPolicy: SplitPolicy,
  policy: DistributionPolicy,
): CommissionResult {
  const orderId = requireId(input.orderId, 'orderId', 'the order id');
  const buyer = requireId(input.buyer, 'buyer', 'the buyer');
  const untilMs = freezeUntilMs(input.deliveredAtMs, policy);
  const unusedTo = splitPolicy.unusedShareDestination;
  const unpaid = (legFen: bigint): ShareUse => ({ legFen, rateBps: 0, paidFen: 0n, unusedFen: legFen });
  const none = (reason: NoCommissionReason): CommissionResult => ({
    entries: [],
    direct: unpaid(shares.promoterCommissionFen),
    override: unpaid(shares.teamOverrideFen),
    unusedTo,
    noCommissionReason: reason,
  });

  const attribution = input.attribution;
  if (attribution === undefined) return none('no_attribution');
  const promoter = requireId(attribution.promoter, 'attribution.promoter', 'the promoter');
  const promoterRule = levelRule(policy, attribution.promoterLevel, 'attribution.promoterLevel');
  let upline: string | undefined;
  let uplineLevel: PromoterLevel | undefined;
  if (attribution.upline !== undefined) {
    upline = requireId(attribution.upline, 'attribution.upline', 'the upline');
    if (upline === promoter) {
      throw new DistributionError('invalid_attribution', 'attribution.upline', 'a promoter is not their own upline');
    }
    if (attribution.uplineLevel === undefined) {
      throw new DistributionError('invalid_attribution', 'attribution.uplineLevel', 'an upline needs their level');
    }
    uplineLevel = attribution.uplineLevel;
  }
  if (buyer === promoter && !policy.selfPurchaseCommission) return none('self_purchase');

  const direct = useShare(shares.promoterCommissionFen, promoterRule.commissionBps, splitPolicy.promoterCommissionBps);
  const entries: CommissionEntry[] = [];
  if (direct.paidFen > 0n) {
    entries.push({
      orderId,
      kind: 'direct',
      beneficiary: promoter,
      level: promoterRule.level,
      rateBps: direct.rateBps,
      amountFen: direct.paidFen,
      freezeUntilMs: untilMs,
      status: 'frozen',
    });
  }

  let override = unpaid(shares.teamOverrideFen);
  const uplineEarns =
    upline !== undefined &&
    uplineLevel !== undefined &&
    policy.maxCommissionLevels === 2 &&
    (upline !== buyer || policy.selfPurchaseCommission);
  if (uplineEarns) {
    const uplineRule = levelRule(policy, uplineLevel!, 'attribution.uplineLevel');
    override = useShare(shares.teamOverrideFen, uplineRule.overrideBps, splitPolicy.teamOverrideBps);
    if (override.paidFen > 0n) {
      entries.push({
        orderId,
        kind: 'override',
        beneficiary: upline!,
        level: uplineRule.level,
        rateBps: override.rateBps,
        amountFen: override.paidFen,
        freezeUntilMs: untilMs,
        status: 'frozen',
      });
    }
  } else if (upline !== undefined && uplineLevel !== undefined) {
    // Refused or not earned, the level must still be one the ladder knows: the snapshot is wrong otherwise.
    levelRule(policy, uplineLevel, 'attribution.uplineLevel');
  }
  return { entries, direct, override, unusedTo };
}

/** Bounds one release run; the job pages through the rest. */
export const MAX_RELEASE_BATCH = 1_000_000;

/**
 * The frozen entries of `entries` whose freeze has ended by `nowMs`, as released entries (same
 * order). Entries already released, or still within their freeze, are left out.
 */
export function releaseDueCommissions(entries: readonly CommissionEntry[], nowMs: number): CommissionEntry[] {
  requireList(entries, 'entries', MAX_RELEASE_BATCH, 'the entries');
  requireTimeMs(nowMs, 'nowMs');
  const released: CommissionEntry[] = [];
  for (const entry of entries) {
    if (entry.status === 'frozen' && entry.freezeUntilMs <= nowMs) released.push({ ...entry, status: 'released' });
  }
  return released;
}
