// Commerce: quality models and a product's claims (its digital twin), the order and refund state
// machines, order totals and the split-policy fingerprint.

export {
  attributeConforms,
  type Claims,
  type ClaimValue,
  claimIssues,
  validateClaims,
} from './claims.js';
export { CommerceError, type CommerceErrorCode, type CommerceIssue } from './commerce-error.js';
export { RICE_CLAIMS_EXAMPLE, riceModelExample } from './example-models.js';
export {
  nextOrderStatus,
  nextRefundStatus,
  ORDER_ACTIONS,
  ORDER_ACTORS,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderAction,
  type OrderActor,
  type OrderStatus,
  type OrderTransition,
  REFUND_STATUSES,
  REFUNDABLE_STATUSES,
  type RefundAction,
  type RefundStatus,
} from './order-lifecycle.js';
export {
  lineTotalFen,
  MAX_ORDER_LINES,
  MAX_ORDER_QUANTITY,
  orderTotalFen,
  type PricedLine,
  splitPolicyHash,
} from './order-pricing.js';
export {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_KINDS,
  type AttributeKind,
  type BilingualText,
  CATEGORY_SLUG_PATTERN,
  type ModelAttribute,
  QUALITY_MODEL_LIMITS,
  type QualityModelDefinition,
  qualityModelIssues,
  validateQualityModel,
} from './quality-model.js';
