import { CommerceError } from './commerce-error.js';

/**
 * The order state machine (DESIGN §6): created → paid → shipped → delivered → completed; an
 * order not yet paid can be cancelled (by its buyer or the operator, a failed payment, or
 * expiry); a paid order can be refunded in full, before or after it completes. `cancelled` and
 * `refunded` are final. Partial refunds do not change the order's status; they run through the
 * refund machine below.
 *
 * Pure: the server applies a transition in the same transaction that records it; the web app
 * asks the same table which buttons to show.
 */

export type OrderStatus = 'created' | 'paid' | 'shipped' | 'delivered' | 'completed' | 'cancelled' | 'refunded';
export type OrderAction =
  | 'pay'
  | 'fail_payment'
  | 'cancel'
  | 'expire'
  | 'ship'
  | 'confirm_delivery'
  | 'auto_deliver'
  | 'complete'
  | 'refund_full';
export type OrderActor = 'buyer' | 'producer' | 'operator' | 'system';

export interface OrderTransition {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  readonly by: readonly OrderActor[];
}

export const ORDER_STATUSES: readonly OrderStatus[] = Object.freeze([
  'created',
  'paid',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
]);
export const ORDER_ACTIONS: readonly OrderAction[] = Object.freeze([
  'pay',
  'fail_payment',
  'cancel',
  'expire',
  'ship',
  'confirm_delivery',
  'auto_deliver',
  'complete',
  'refund_full',
]);
export const ORDER_ACTORS: readonly OrderActor[] = Object.freeze(['buyer', 'producer', 'operator', 'system']);

const transition = (from: readonly OrderStatus[], to: OrderStatus, by: readonly OrderActor[]): OrderTransition =>
  Object.freeze({ from: Object.freeze([...from]), to, by: Object.freeze([...by]) });

/** Each action: the statuses it applies to, the status it leads to, and who may take it. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderAction, OrderTransition>> = Object.freeze({
  // The payment provider's confirmation (a webhook), recorded by the system.
  pay: transition(['created'], 'paid', ['system']),
  fail_payment: transition(['created'], 'cancelled', ['system']),
  cancel: transition(['created'], 'cancelled', ['buyer', 'operator']),
  // Unpaid past the payment window.
  expire: transition(['created'], 'cancelled', ['system']),
  ship: transition(['paid'], 'shipped', ['producer']),
  confirm_delivery: transition(['shipped'], 'delivered', ['buyer']),
  // The buyer did not confirm within the delivery window.
  auto_deliver: transition(['shipped'], 'delivered', ['system']),
  // The return window has passed: the escrow is posted and the order settles.
  complete: transition(['delivered'], 'completed', ['system']),
  // A completed order can still be refunded after sale (a producer's goodwill, a failed verdict,
  // an arbitration): its commissions are then cancelled or clawed back.
  refund_full: transition(['paid', 'shipped', 'delivered', 'completed'], 'refunded', [
    'producer',
    'operator',
    'system',
  ]),
});

/** The statuses an order can be refunded from, in full or in part. */
export const REFUNDABLE_STATUSES: readonly OrderStatus[] = Object.freeze(['paid', 'shipped', 'delivered', 'completed']);

/**
 * The status after `by` takes `action` on an order in `status`. Throws `CommerceError`
 * `invalid_transition` (field 'status'; field 'action' for an action that does not exist) when
 * the action does not apply to the status, or `not_allowed` (field 'actor') when it does but
 * not for this actor.
 */
export function nextOrderStatus(status: OrderStatus, action: OrderAction, by: OrderActor): OrderStatus {
  // Object.hasOwn: an action named "constructor" must not find Object.prototype's member.
  if (!Object.hasOwn(ORDER_TRANSITIONS, action)) {
    throw new CommerceError('invalid_transition', 'action', `"${action}" is not an order action`);
  }
  const rule = ORDER_TRANSITIONS[action];
  if (!rule.from.includes(status)) {
    const from = rule.from.join(' or ');
    throw new CommerceError(
      'invalid_transition',
      'status',
      `cannot ${action} an order that is ${status}; ${action} applies only to an order that is ${from}`,
    );
  }
  if (!rule.by.includes(by)) {
    throw new CommerceError(
      'not_allowed',
      'actor',
      `${by} may not ${action} an order that is ${status}; only ${rule.by.join(' or ')} may`,
    );
  }
  return rule.to;
}

/**
 * A refund request, full or partial: the buyer asks, the producer or operator approves or
 * refuses, the payment provider executes an approved one. `refused` and `refunded` are final.
 */
export type RefundStatus = 'requested' | 'approved' | 'refused' | 'refunded';
export type RefundAction = 'approve' | 'refuse' | 'execute';

export const REFUND_STATUSES: readonly RefundStatus[] = Object.freeze(['requested', 'approved', 'refused', 'refunded']);

const REFUND_TRANSITIONS: Readonly<Record<RefundAction, { readonly from: RefundStatus; readonly to: RefundStatus }>> =
  Object.freeze({
    approve: Object.freeze({ from: 'requested', to: 'approved' }),
    refuse: Object.freeze({ from: 'requested', to: 'refused' }),
    execute: Object.freeze({ from: 'approved', to: 'refunded' }),
  });

/** requested → approved | refused, approved → refunded; anything else throws `invalid_transition`. */
export function nextRefundStatus(status: RefundStatus, action: RefundAction): RefundStatus {
  if (!Object.hasOwn(REFUND_TRANSITIONS, action)) {
    throw new CommerceError('invalid_transition', 'action', `"${action}" is not a refund action`);
  }
  const rule = REFUND_TRANSITIONS[action];
  if (rule.from !== status) {
    throw new CommerceError(
      'invalid_transition',
      'status',
      `cannot ${action} a refund that is ${status}; ${action} applies only to a refund that is ${rule.from}`,
    );
  }
  return rule.to;
}
