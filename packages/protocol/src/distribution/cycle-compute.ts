import type { SplitPolicy } from '../money/split-policy.js';
import { requireList, requireTimeMs } from './checks.js';
import { type CommissionEntry, commissionFromShares, type OrderAttribution } from './commission.js';
import { DistributionError } from './distribution-error.js';
import { type DistributionShares, orderDistributionShares } from './order-shares.js';
import { cashbackFromLeg, referralReward } from './points.js';
import type { DistributionPolicy, MembershipTier } from './policy.js';

/**
 * The distribution side of a settlement cycle (DESIGN §11): for every order completed in the
 * cycle, its frozen commissions and its points. One pass, each order's legs cut once; the server
 * posts the result to the ledger in batches. Orders held for review (abuse.ts) are left out by the
 * caller until the operator approves them.
 */

export interface CompletedOrder {
  readonly orderId: string;
  readonly paidFen: bigint;
  readonly buyer: string;
  /** Snapshotted at checkout; absent when the buyer came through no promoter. */
  readonly attribution?: OrderAttribution | undefined;
  /** The buyer's membership tier at completion. */
  readonly buyerTier: MembershipTier;
  /** Who invited the buyer, if anyone. */
  readonly inviter?: string | undefined;
  /** Whether this is the buyer's first completed order (the only one that rewards the inviter). */
  readonly firstCompletedOrder: boolean;
  readonly deliveredAtMs: number;
  readonly completedAtMs: number;
  /** The split policy snapshotted on the order; the cycle's `splitPolicy` when absent. */
  readonly splitPolicy?: SplitPolicy | undefined;
}

export type PointsEntryKind = 'cashback' | 'referral';

/** Points to credit on the POINTS ledger, with the fen they stand for. */
export interface PointsEntry {
  readonly orderId: string;
  readonly kind: PointsEntryKind;
  readonly holder: string;
  readonly fen: bigint;
  readonly points: bigint;
  readonly earnedAtMs: number;
}

export interface CycleTotals {
  readonly orders: number;
  readonly paidFen: bigint;
  /** The promoter commission legs, and how they were used. */
  readonly promoterShareFen: bigint;
  readonly directFen: bigint;
  /** The team override legs, and how they were used. */
  readonly overrideShareFen: bigint;
  readonly overrideFen: bigint;
  /** What the commission rates left of both legs, for the unused-share destinations. */
  readonly unusedCommissionFen: bigint;
  /** The consumer cashback legs, and how they were used. */
  readonly cashbackShareFen: bigint;
  readonly cashbackFen: bigint;
  readonly unusedCashbackFen: bigint;
  readonly cashbackPoints: bigint;
  readonly referralFen: bigint;
  readonly referralPoints: bigint;
}

export interface CycleDistribution {
  /** Every commission entry, frozen, in order of the orders (direct before override). */
  readonly commissions: CommissionEntry[];
  /** Every points entry, in order of the orders (cashback before referral). */
  readonly points: PointsEntry[];
  readonly totals: CycleTotals;
}

/** Bounds one call; the issue's benchmark cycle is 100,000 orders. */
export const MAX_CYCLE_ORDERS = 1_000_000;

/**
 * Commissions (`computeCommission`), cashback (`cashbackPoints`) and referral rewards
 * (`referralReward`) of every order of a cycle, with their totals. Equal to calling those
 * functions order by order — the test holds it so — but each order's split is cut only once.
 * Points are dated at the order's completion (`earnedAtMs`, for expiry).
 *
 * Invariants asserted on the totals: direct + override + unused = the two commission legs;
 * cashback + unused cashback = the cashback legs. Throws `DistributionError` for a bad order,
 * with its field prefixed by `orders[i].`, or `too_many_items`.
 */
export function computeCycle(
  orders: readonly CompletedOrder[],
  splitPolicy: SplitPolicy,
  policy: DistributionPolicy,
): CycleDistribution {
  requireList(orders, 'orders', MAX_CYCLE_ORDERS, 'the orders');
  const commissions: CommissionEntry[] = [];
  const points: PointsEntry[] = [];
  let paidFen = 0n;
  let promoterShareFen = 0n;
  let directFen = 0n;
  let overrideShareFen = 0n;
  let overrideFen = 0n;
  let unusedCommissionFen = 0n;
  let cashbackShareFen = 0n;
  let cashbackFen = 0n;
  let unusedCashbackFen = 0n;
  let cashbackPoints = 0n;
  let referralFen = 0n;
  let referralPoints = 0n;

  for (let index = 0; index < orders.length; index++) {
    const order = orders[index]!;
    try {
      const split = order.splitPolicy ?? splitPolicy;
      const shares: DistributionShares = orderDistributionShares(order.paidFen, split);
      const commission = commissionFromShares(order, shares, split, policy);
      for (const entry of commission.entries) commissions.push(entry);
      const cashback = cashbackFromLeg(
        { buyer: order.buyer, paidFen: order.paidFen, tier: order.buyerTier },
        shares.consumerCashbackFen,
        split,
        policy,
      );
      requireTimeMs(order.completedAtMs, 'completedAtMs');
      if (cashback.points > 0n) {
        points.push({
          orderId: order.orderId,
          kind: 'cashback',
          holder: cashback.holder,
          fen: cashback.cashbackFen,
          points: cashback.points,
          earnedAtMs: order.completedAtMs,
        });
      }
      const referral = referralReward(order, policy);
      if (referral !== undefined) {
        points.push({
          orderId: order.orderId,
          kind: 'referral',
          holder: referral.inviter,
          fen: referral.rewardFen,
          points: referral.points,
          earnedAtMs: order.completedAtMs,
        });
        referralFen += referral.rewardFen;
        referralPoints += referral.points;
      }
      paidFen += order.paidFen;
      promoterShareFen += commission.direct.legFen;
      directFen += commission.direct.paidFen;
      overrideShareFen += commission.override.legFen;
      overrideFen += commission.override.paidFen;
      unusedCommissionFen += commission.direct.unusedFen + commission.override.unusedFen;
      cashbackShareFen += cashback.share.legFen;
      cashbackFen += cashback.cashbackFen;
      unusedCashbackFen += cashback.share.unusedFen;
      cashbackPoints += cashback.points;
    } catch (error) {
      if (!(error instanceof DistributionError)) throw error;
      const issues = error.issues.map((issue) => ({ ...issue, field: `orders[${index}].${issue.field}` }));
      throw DistributionError.fromIssues(issues);
    }
  }

  // The rules carve every payment out of a leg; the totals must show it, or something paid twice.
  if (directFen + overrideFen + unusedCommissionFen !== promoterShareFen + overrideShareFen) {
    throw new Error('computeCycle: commissions and unused parts do not add up to the commission legs');
  }
  if (cashbackFen + unusedCashbackFen !== cashbackShareFen) {
    throw new Error('computeCycle: cashback and its unused part do not add up to the cashback legs');
  }
  return {
    commissions,
    points,
    totals: {
      orders: orders.length,
      paidFen,
      promoterShareFen,
      directFen,
      overrideShareFen,
      overrideFen,
      unusedCommissionFen,
      cashbackShareFen,
      cashbackFen,
      unusedCashbackFen,
      cashbackPoints,
      referralFen,
      referralPoints,
    },
  };
}
