import { shareOf } from '../money/allocate.js';
import type { SplitPolicy, UnusedShareDestination } from '../money/split-policy.js';
import { ceilDiv, minBig, requireAmount, requireId } from './checks.js';
import { DistributionError } from './distribution-error.js';
import { orderDistributionShares, type ShareUse, useShare } from './order-shares.js';
import type { DistributionPolicy, MembershipTier } from './policy.js';
import { tierRule } from './tiers.js';

/**
 * Consumer points (DESIGN §9, seed `002_…` 贡献值): cashback by tier on every completed order, the
 * referral reward on an invitee's first completed order, spending at checkout and transfers with
 * a fee. Points are bigints in minor units; every function returns the movements for the POINTS
 * ledger to post and never creates or loses a unit between them.
 */

export interface CashbackInput {
  readonly buyer: string;
  readonly paidFen: bigint;
  /** The buyer's tier when the order completed. */
  readonly tier: MembershipTier;
}

export interface Cashback {
  readonly holder: string;
  readonly tier: MembershipTier;
  /** How the consumer cashback leg was used: the tier's rate capped at the order's share. */
  readonly share: ShareUse;
  /** The cashback in fen (share.paidFen) and as points. */
  readonly cashbackFen: bigint;
  readonly points: bigint;
  /** Where the rest of the leg goes. */
  readonly unusedTo: UnusedShareDestination;
}

/**
 * The buyer's cashback on a completed order: the tier's `cashbackBps`, capped at the split's
 * `consumerCashbackBps`, out of the consumer cashback leg (`useShare`), converted at
 * `points.earnPointsPerFen`. A gold member's 12% is paid in full only where the order's split
 * sets aside at least 12%; the rest of the leg goes to the unused-share destination.
 *
 * Throws `DistributionError`: `invalid_id`, `invalid_amount`, `unknown_tier`.
 */
export function cashbackPoints(input: CashbackInput, splitPolicy: SplitPolicy, policy: DistributionPolicy): Cashback {
  const legFen = orderDistributionShares(input.paidFen, splitPolicy).consumerCashbackFen;
  return cashbackFromLeg(input, legFen, splitPolicy, policy);
}

/** `cashbackPoints` with the order's cashback leg already cut (internal, for the cycle computation). */
export function cashbackFromLeg(
  input: CashbackInput,
  legFen: bigint,
  splitPolicy: SplitPolicy,
  policy: DistributionPolicy,
): Cashback {
  const holder = requireId(input.buyer, 'buyer', 'the buyer');
  const rule = tierRule(policy, input.tier, 'tier');
  const share = useShare(legFen, rule.cashbackBps, splitPolicy.consumerCashbackBps);
  return {
    holder,
    tier: rule.tier,
    share,
    cashbackFen: share.paidFen,
    points: share.paidFen * BigInt(policy.points.earnPointsPerFen),
    unusedTo: splitPolicy.unusedShareDestination,
  };
}

export interface ReferralInput {
  readonly buyer: string;
  /** Who invited the buyer, if anyone. */
  readonly inviter?: string | undefined;
  readonly paidFen: bigint;
  /** Whether this is the buyer's first completed order. */
  readonly firstCompletedOrder: boolean;
}

export interface ReferralReward {
  readonly inviter: string;
  readonly rewardFen: bigint;
  readonly points: bigint;
}

/**
 * The inviter's reward: `referralRewardBps` of the invitee's FIRST completed order (rounded down
 * to the fen), as points. Rewards follow purchases only (DESIGN §9: never pay per recruit), so
 * there is none for a later order, a buyer without an inviter, or an inviter who is the buyer.
 *
 * The split policy has no referral share: the reward is a platform expense of the POINTS ledger,
 * not a cut of the order's legs.
 */
export function referralReward(input: ReferralInput, policy: DistributionPolicy): ReferralReward | undefined {
  const buyer = requireId(input.buyer, 'buyer', 'the buyer');
  const paidFen = requireAmount(input.paidFen, 'paidFen', 'the paid amount');
  if (input.inviter === undefined || !input.firstCompletedOrder) return undefined;
  const inviter = requireId(input.inviter, 'inviter', 'the inviter');
  if (inviter === buyer) return undefined;
  const rewardFen = shareOf(paidFen, policy.referralRewardBps);
  if (rewardFen === 0n) return undefined;
  return { inviter, rewardFen, points: rewardFen * BigInt(policy.points.earnPointsPerFen) };
}

export interface CheckoutPointsInput {
  /** The order's total before points. */
  readonly orderFen: bigint;
  /** Points the buyer offers to pay with. */
  readonly pointsOffered: bigint;
  /** Points the buyer holds. */
  readonly heldPoints: bigint;
}

export interface CheckoutPoints {
  /** Points actually spent: whole fen only, so at most pointsOffered. */
  readonly pointsSpent: bigint;
  readonly fenCovered: bigint;
  /** What is left to pay in money. */
  readonly fenDue: bigint;
}

/**
 * Paying part of an order with points at `points.spendPointsPerFen`: the points cover whole fen,
 * at most `spendMaxOrderBps` of the order (rounded down); points that would pay a fraction of a
 * fen, or beyond the cap, stay with the buyer.
 *
 * Throws `DistributionError`: `invalid_amount`, `insufficient_points` (offering more than held).
 */
export function spendPointsAtCheckout(input: CheckoutPointsInput, policy: DistributionPolicy): CheckoutPoints {
  const orderFen = requireAmount(input.orderFen, 'orderFen', 'the order total');
  const offered = requireAmount(input.pointsOffered, 'pointsOffered', 'the points offered');
  const held = requireAmount(input.heldPoints, 'heldPoints', 'the points held');
  if (offered > held) {
    throw new DistributionError('insufficient_points', 'pointsOffered', `${offered} points offered, ${held} held`);
  }
  const rate = BigInt(policy.points.spendPointsPerFen);
  const capFen = shareOf(orderFen, policy.points.spendMaxOrderBps);
  const fenCovered = minBig(offered / rate, capFen);
  return { pointsSpent: fenCovered * rate, fenCovered, fenDue: orderFen - fenCovered };
}

export interface TransferInput {
  readonly from: string;
  readonly to: string;
  /** Points debited from the sender (the fee comes out of them). */
  readonly amountPoints: bigint;
  readonly heldPoints: bigint;
}

export interface PointsTransfer {
  readonly from: string;
  readonly to: string;
  readonly debitPoints: bigint;
  readonly creditPoints: bigint;
  /** To the platform: debit = credit + fee. */
  readonly feePoints: bigint;
}

/**
 * A transfer between members with the `transferFeeBps` fee (seed: 平台收1%手续费). The fee comes
 * out of the amount sent and is rounded UP to the unit, so that splitting a transfer into many
 * small ones never avoids it (at 1%, anything from 1 to 100 units pays 1). The sender is debited
 * `amountPoints`, the recipient credited the rest.
 *
 * Throws `DistributionError`: `invalid_id`, `invalid_amount` (zero or negative), `self_transfer`,
 * `insufficient_points` (amount over the points held), `transfer_too_small` (the fee would take
 * it all).
 */
export function transferPoints(input: TransferInput, policy: DistributionPolicy): PointsTransfer {
  const from = requireId(input.from, 'from', 'the sender');
  const to = requireId(input.to, 'to', 'the recipient');
  const amount = requireAmount(input.amountPoints, 'amountPoints', 'the amount');
  const held = requireAmount(input.heldPoints, 'heldPoints', 'the points held');
  if (amount === 0n)
    throw new DistributionError('invalid_amount', 'amountPoints', 'a transfer moves at least one unit');
  if (from === to) throw new DistributionError('self_transfer', 'to', 'points cannot be transferred to oneself');
  if (amount > held) {
    throw new DistributionError('insufficient_points', 'amountPoints', `${amount} points to send, ${held} held`);
  }
  const feePoints = ceilDiv(amount * BigInt(policy.points.transferFeeBps), 10_000n);
  const creditPoints = amount - feePoints;
  if (creditPoints <= 0n) {
    throw new DistributionError('transfer_too_small', 'amountPoints', `the fee of ${feePoints} would take it all`);
  }
  return { from, to, debitPoints: amount, creditPoints, feePoints };
}
