import { sql } from 'drizzle-orm';
import { rows } from '../../db/connection.js';
import { badRequest, conflict } from '../../errors.js';
import { onOrderCompleted } from '../distribution/completion.js';
import { defineEvent } from '../events/registry.js';
import { postPaymentHold } from '../payments/service.js';
import { ORDER_REF_BODY, ORDER_SHIPPED_BODY } from './schema.js';
import { loadOrder, moneyDueOf, setOrderStatus } from './store.js';
import { appOf, byPlatform, requirePlatform, roleInOrder, transition } from './transitions.js';

const DAY_MS = 86_400_000;

export const orderShipped = defineEvent({
  type: 'orders.order.shipped',
  summary:
    'The producer ships a paid order (sent through POST /v1/orders/{id}/shipment, which adds the tracking number off the log).',
  body: ORDER_SHIPPED_BODY,
  allowed: ['producer'],
  async handle(event, body) {
    const trackingNumber = (event.privateData as { trackingNumber?: string } | undefined)?.trackingNumber;
    if (trackingNumber === undefined)
      throw badRequest('use_shipment', 'Ship through POST /v1/orders/{id}/shipment, with the tracking number.');
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    const status = transition(
      order,
      'ship',
      event.actor === order.producerDid ? 'producer' : roleInOrder(event, order),
    );
    const deliverBy = new Date(event.now.getTime() + appOf(event).config.autoDeliverDays * DAY_MS);
    await setOrderStatus(event.tx, order.id, status, [
      sql`shipped_at = ${event.now.toISOString()}::timestamptz`,
      sql`deliver_by = ${deliverBy.toISOString()}::timestamptz`,
      sql`carrier = ${body.carrier}`,
      sql`tracking_number = ${trackingNumber}`,
    ]);
    return { orderId: order.id, status, deliverBy: deliverBy.toISOString() };
  },
});

export const orderDelivered = defineEvent({
  type: 'orders.order.delivered',
  summary:
    'The buyer confirms delivery; or the platform does, when the buyer has not confirmed within the delivery window. The return window starts.',
  body: ORDER_REF_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const ctx = appOf(event);
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    const automatic = byPlatform(event) && event.actor !== order.buyerDid;
    if (automatic && order.deliverBy !== null && order.deliverBy.getTime() > event.now.getTime()) {
      throw conflict(
        'not_due',
        `The buyer may confirm delivery until ${order.deliverBy.toISOString()}.`,
        'body.orderId',
      );
    }
    const status = automatic
      ? transition(order, 'auto_deliver', 'system')
      : transition(order, 'confirm_delivery', roleInOrder(event, order));
    const completeAt = new Date(event.now.getTime() + ctx.config.returnWindowDays * DAY_MS);
    await setOrderStatus(event.tx, order.id, status, [
      sql`delivered_at = ${event.now.toISOString()}::timestamptz`,
      sql`complete_at = ${completeAt.toISOString()}::timestamptz`,
    ]);
    return { orderId: order.id, status, returnWindowEnds: completeAt.toISOString() };
  },
});

export const orderCompleted = defineEvent({
  type: 'orders.order.completed',
  summary: 'The platform completes a delivered order whose return window has passed: it is ready for settlement.',
  body: ORDER_REF_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform completes orders, when the return window has passed.');
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    if (order.completeAt !== null && order.completeAt.getTime() > event.now.getTime())
      throw conflict(
        'not_due',
        `The return window of ${order.id} ends at ${order.completeAt.toISOString()}.`,
        'body.orderId',
      );
    const [open] = await rows<{ refund_id: string }>(
      event.tx,
      sql`select refund_id from order_refunds where order_id = ${order.id} and status = 'requested'`,
    );
    if (open !== undefined)
      throw conflict('refund_open', `Refund ${open.refund_id} of ${order.id} awaits a decision.`, 'body.orderId');
    const status = transition(order, 'complete', 'system');
    await setOrderStatus(event.tx, order.id, status, [sql`completed_at = ${event.now.toISOString()}::timestamptz`]);
    const ctx = appOf(event);
    // An order paid in full with points has no payment: the platform's fen are in escrow already.
    if (moneyDueOf(order) > 0n) await postPaymentHold(ctx, event.tx, order.paymentId);
    await onOrderCompleted(ctx, event.tx, { ...order, status, completedAt: event.now }, event.now);
    return { orderId: order.id, status };
  },
});
