// Money: bigint fen, basis-point shares that always add up, the order split policy and its legs.

export { allocate, MAX_ALLOCATION_PARTIES, shareOf, splitByBps, WHOLE_BPS } from './allocate.js';
export { formatFen, formatYuan, MAX_ABS_FEN, MAX_FEN_DIGITS, parseFen, parsePositiveFen } from './fen.js';
export { MoneyError, type MoneyErrorCode, type MoneyIssue } from './money-error.js';
export {
  EXPERIENCE_POOL_PARTY,
  netLegs,
  type OrderParties,
  reverseLegs,
  type SettlementLeg,
  type SettlementShare,
  type SplitOrderInput,
  splitOrder,
  splitRefund,
  TRUST_POOL_PARTY,
} from './order-split.js';
export {
  DEFAULT_SPLIT_POLICY,
  resolveSplitPolicy,
  SPLIT_SHARE_FIELDS,
  type SplitPolicy,
  type SplitPolicyOverride,
  type SplitPolicyScope,
  type SplitShareField,
  splitPolicyIssues,
  supplierShareBps,
  type UnusedShareDestination,
  validateSplitPolicy,
} from './split-policy.js';
