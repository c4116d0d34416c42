import { requireId, requireList, requireTimeMs } from './checks.js';
import type { DistributionPolicy } from './policy.js';

/**
 * Anti-abuse screening (DESIGN §9; seed `002_…`: 同一设备/IP多次下单自动触发风控). An order that
 * fails a check is not refused: it goes to the operator's review queue before its commission or
 * points are created, with the reasons here, and the operator's decision is recorded.
 */

/** Where an order came from. Device ids and IPs are compared as given: hash them the same way everywhere. */
export interface OrderOrigin {
  readonly orderId: string;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly atMs: number;
}

/** The parties of an order, for the self-dealing checks. */
export interface DealingParties {
  readonly buyer: string;
  /** The supplier (producer) of the goods. */
  readonly producer?: string | undefined;
  readonly promoter?: string | undefined;
  readonly upline?: string | undefined;
}

export type ReviewReasonCode =
  | 'device_velocity'
  | 'ip_velocity'
  | 'buyer_is_promoter'
  | 'buyer_is_upline'
  | 'buyer_is_producer'
  | 'promoter_is_producer'
  | 'upline_is_producer';

export interface ReviewReason {
  readonly code: ReviewReasonCode;
  readonly message: string;
}

export interface Screening {
  readonly verdict: 'pass' | 'review';
  readonly reasons: ReviewReason[];
}

/** Bounds the recent orders one check looks at; the server queries only the window. */
export const MAX_RECENT_ORDERS = 100_000;

/**
 * The velocity limits: counting `order` itself, more than `maxOrdersPerDevice` orders from its
 * device, or more than `maxOrdersPerIp` from its IP, within the `velocityWindowMinutes` ending at
 * the order (recent orders in (atMs − window, atMs]; the order's own id is not counted twice).
 * An order without a device id or IP is not counted on that key.
 */
export function velocityReasons(
  order: OrderOrigin,
  recent: readonly OrderOrigin[],
  policy: DistributionPolicy,
): ReviewReason[] {
  requireId(order.orderId, 'order.orderId', 'the order id');
  const atMs = requireTimeMs(order.atMs, 'order.atMs');
  requireList(recent, 'recent', MAX_RECENT_ORDERS, 'the recent orders');
  const { velocityWindowMinutes, maxOrdersPerDevice, maxOrdersPerIp } = policy.abuse;
  const fromMs = atMs - velocityWindowMinutes * 60_000;
  let deviceOrders = 1;
  let ipOrders = 1;
  recent.forEach((other, index) => {
    const otherMs = requireTimeMs(other.atMs, `recent[${index}].atMs`);
    if (other.orderId === order.orderId || otherMs <= fromMs || otherMs > atMs) return;
    if (order.deviceId !== undefined && other.deviceId === order.deviceId) deviceOrders++;
    if (order.ip !== undefined && other.ip === order.ip) ipOrders++;
  });
  const reasons: ReviewReason[] = [];
  const window = `${velocityWindowMinutes} minutes`;
  if (order.deviceId !== undefined && deviceOrders > maxOrdersPerDevice) {
    reasons.push({
      code: 'device_velocity',
      message: `${deviceOrders} orders from this device within ${window}, over the limit of ${maxOrdersPerDevice}`,
    });
  }
  if (order.ip !== undefined && ipOrders > maxOrdersPerIp) {
    reasons.push({
      code: 'ip_velocity',
      message: `${ipOrders} orders from this IP address within ${window}, over the limit of ${maxOrdersPerIp}`,
    });
  }
  return reasons;
}

/**
 * Self-dealing: a producer buying their own goods (ratings, tokens and cashback for nothing), a
 * promoter or upline earning on their own product, and — only when self-purchases earn
 * commission (`selfPurchaseCommission`) — a promoter or upline buying through their own link.
 * Without that setting a self-purchase earns nothing, so it is ordinary buying, not abuse.
 */
export function selfDealingReasons(parties: DealingParties, policy: DistributionPolicy): ReviewReason[] {
  const buyer = requireId(parties.buyer, 'parties.buyer', 'the buyer');
  const { producer, promoter, upline } = parties;
  const reasons: ReviewReason[] = [];
  const add = (code: ReviewReasonCode, message: string) => reasons.push({ code, message });
  if (policy.selfPurchaseCommission && promoter === buyer) {
    add('buyer_is_promoter', 'the buyer earns commission on their own purchase');
  }
  if (policy.selfPurchaseCommission && upline === buyer) {
    add('buyer_is_upline', 'the buyer earns the override on their own purchase');
  }
  if (producer !== undefined && producer === buyer) add('buyer_is_producer', 'the producer buys their own goods');
  if (producer !== undefined && promoter === producer) {
    add('promoter_is_producer', 'the producer earns commission on their own goods');
  }
  if (producer !== undefined && upline === producer) {
    add('upline_is_producer', 'the producer earns the override on their own goods');
  }
  return reasons;
}

/** Both checks: 'review' with every reason when any fails, else 'pass'. */
export function screenOrder(
  order: OrderOrigin,
  recent: readonly OrderOrigin[],
  parties: DealingParties,
  policy: DistributionPolicy,
): Screening {
  const reasons = [...velocityReasons(order, recent, policy), ...selfDealingReasons(parties, policy)];
  return { verdict: reasons.length > 0 ? 'review' : 'pass', reasons };
}
