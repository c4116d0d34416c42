// Distribution and incentives (DESIGN §9, seed `002_…`): the pure rules of promoter levels,
// binding, commissions frozen until earned and reversed on refund, consumer points, membership
// tiers, supplier tokens and ratings, anti-abuse screening, and a cycle's batch computation.

export {
  type DealingParties,
  MAX_RECENT_ORDERS,
  type OrderOrigin,
  type ReviewReason,
  type ReviewReasonCode,
  type Screening,
  screenOrder,
  selfDealingReasons,
  velocityReasons,
} from './abuse.js';
export {
  attributedPromoter,
  type Binding,
  type BindingDecision,
  type BindingRefusal,
  bindingActive,
  decideBinding,
  MAX_REFERRAL_CHAIN,
  type ReferralGraph,
  type ShareClick,
} from './binding.js';
export {
  type CommissionEntry,
  type CommissionInput,
  type CommissionKind,
  type CommissionResult,
  type CommissionStatus,
  computeCommission,
  freezeUntilMs,
  MAX_RELEASE_BATCH,
  type NoCommissionReason,
  type OrderAttribution,
  releaseDueCommissions,
} from './commission.js';
export {
  type CommissionRefund,
  type CommissionReversal,
  type DebtRecovery,
  type ReversalAction,
  recoverDebt,
  reverseCommission,
} from './commission-refund.js';
export {
  type CompletedOrder,
  type CycleDistribution,
  type CycleTotals,
  computeCycle,
  MAX_CYCLE_ORDERS,
  type PointsEntry,
  type PointsEntryKind,
} from './cycle-compute.js';
export { DistributionError, type DistributionErrorCode, type DistributionIssue } from './distribution-error.js';
export {
  evaluateLevel,
  evaluateLevels,
  type LevelChange,
  type LevelEvaluationInput,
  levelRule,
  MAX_LEVEL_EVALUATIONS,
  type PromoterStats,
} from './levels.js';
export { type DistributionShares, orderDistributionShares, type ShareUse, useShare } from './order-shares.js';
export {
  type Cashback,
  type CashbackInput,
  type CheckoutPoints,
  type CheckoutPointsInput,
  cashbackPoints,
  type PointsTransfer,
  type ReferralInput,
  type ReferralReward,
  referralReward,
  spendPointsAtCheckout,
  type TransferInput,
  transferPoints,
} from './points.js';
export {
  addUtcMonths,
  type HolderRetirement,
  type Holding,
  type LotSplit,
  lotsTotal,
  MAX_HOLDINGS_PER_RUN,
  MAX_LOTS_PER_HOLDING,
  type PointsLot,
  type Retirement,
  retirePoints,
  retirePointsForHolders,
  takeFromLots,
} from './points-retire.js';
export {
  type AbusePolicy,
  BINDING_MODES,
  type BindingMode,
  DEFAULT_DISTRIBUTION_POLICY,
  DISTRIBUTION_POLICY_LIMITS,
  type DistributionPolicy,
  distributionPolicyIssues,
  type LevelRule,
  MEMBERSHIP_TIERS,
  type MembershipTier,
  POINTS_RETIREMENT_MODES,
  type PointsPolicy,
  type PointsRetirementMode,
  PROMOTER_LEVELS,
  type PromoterLevel,
  type SupplierPolicy,
  type TierRule,
  validateDistributionPolicy,
} from './policy.js';
export {
  evaluateSupplierRatings,
  MAX_RATINGS_PER_EVALUATION,
  type RatingEvaluation,
  type RatingOutcome,
  redeemSupplierTokens,
  type SupplierRating,
  supplierTokensEarned,
  type TokenRedemption,
  type TokenRedemptionInput,
} from './supplier.js';
export { evaluateTier, type MemberStats, tierRule } from './tiers.js';
