import { nextRefundStatus, REFUNDABLE_STATUSES, type RefundStatus } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { rows } from '../../db/connection.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { releaseStock } from '../catalog/sales.js';
import { onOrderRefunded } from '../distribution/completion.js';
import { refundCheckoutPoints } from '../distribution/points-checkout.js';
import { defineEvent, type EventContext } from '../events/registry.js';
import { refundPayment } from '../payments/service.js';
import { reverseSettlement } from '../settlement/reversal.js';
import { REFUND_DECISION_BODY, REFUND_REQUESTED_BODY } from './schema.js';
import { loadOrder, type Order, setOrderStatus } from './store.js';
import { appOf, transition } from './transitions.js';

export const refundRequested = defineEvent({
  type: 'orders.refund.requested',
  summary:
    'The buyer asks for a refund of a paid order, whole or some of its lines, before it completes (one request open at a time).',
  body: REFUND_REQUESTED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    if (event.actor !== order.buyerDid) throw forbidden('not_your_order', 'Only the buyer asks for a refund.');
    if (!REFUNDABLE_STATUSES.includes(order.status)) {
      throw conflict(
        'not_refundable',
        `Order ${order.id} is ${order.status}; refunds are asked while it is ${REFUNDABLE_STATUSES.join(', ')}.`,
        'body.orderId',
      );
    }
    const wanted =
      body.lines ??
      order.lines
        .filter((line) => line.quantity > line.refundedQuantity)
        .map((line) => ({ position: line.position, quantity: line.quantity - line.refundedQuantity }));
    let amount = 0n;
    const seen = new Set<number>();
    wanted.forEach((want, i) => {
      const field = `body.lines[${i}]`;
      const line = order.lines.find((l) => l.position === want.position);
      if (line === undefined) throw notFound(`Line ${want.position} of ${order.id}`, `${field}.position`);
      if (seen.has(want.position)) throw badRequest('duplicate_line', `Line ${want.position} appears twice.`, field);
      seen.add(want.position);
      if (want.quantity > line.quantity - line.refundedQuantity) {
        throw new AppError(
          422,
          'exceeds_refundable',
          `Line ${want.position} has ${line.quantity - line.refundedQuantity} left to refund; ${want.quantity} asked.`,
          `${field}.quantity`,
        );
      }
      amount += line.unitPriceFen * BigInt(want.quantity);
    });
    if (amount === 0n)
      throw conflict('nothing_to_refund', `Order ${order.id} is refunded in full already.`, 'body.orderId');
    const [inserted] = await rows<{ refund_id: string }>(
      event.tx,
      sql`insert into order_refunds (order_id, refund_id, status, amount_fen, lines, reason, requested_event_id, created_at)
          values (${order.id}, ${body.refundId}, 'requested', ${amount.toString()}::int8, ${JSON.stringify(wanted)}::jsonb,
                  ${body.reason}, ${event.eventId.toString()}::int8, ${event.now.toISOString()}::timestamptz)
          on conflict do nothing returning refund_id`,
    );
    if (inserted === undefined) {
      throw conflict(
        'refund_exists',
        `Refund ${body.refundId} exists, or another refund of ${order.id} is open.`,
        'body.refundId',
      );
    }
    return { orderId: order.id, refundId: body.refundId, status: 'requested', amountFen: amount.toString() };
  },
});

async function openRefund(event: EventContext, order: Order, refundId: string) {
  const [row] = await rows<{
    status: RefundStatus;
    amount_fen: string;
    lines: { position: number; quantity: number }[];
  }>(
    event.tx,
    sql`select status, amount_fen, lines from order_refunds where order_id = ${order.id} and refund_id = ${refundId} for update`,
  );
  if (row === undefined) throw notFound(`Refund ${refundId} of ${order.id}`, 'body.refundId');
  return row;
}

function decider(event: EventContext, order: Order): 'producer' | 'operator' {
  if (event.actor === order.producerDid) return 'producer';
  if (event.actorRoles.has('operator')) return 'operator';
  throw forbidden('not_your_order', 'Only the producer of the order or the operator decides a refund.');
}

function decided(status: RefundStatus, action: 'approve' | 'refuse' | 'execute'): RefundStatus {
  if (status !== 'requested' && action !== 'execute')
    throw conflict(`refund_${status}`, `The refund is ${status} already.`, 'body.refundId');
  return nextRefundStatus(status, action);
}

export const refundApproved = defineEvent({
  type: 'orders.refund.approved',
  summary:
    'The producer or the operator approves a refund; it is paid back at once (the escrow hold voided or partly posted), unshipped stock returns, and a refund of everything refunds the order.',
  body: REFUND_DECISION_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const ctx = appOf(event);
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    const by = decider(event, order);
    const refund = await openRefund(event, order, body.refundId);
    const status = decided(decided(refund.status, 'approve'), 'execute');
    const amount = BigInt(refund.amount_fen);
    await onOrderRefunded(ctx, event.tx, order, body.refundId, amount, event.now);
    await reverseSettlement(ctx, event.tx, order, body.refundId, amount, event.now);
    const back = await refundCheckoutPoints(event.tx, order, body.refundId, amount, event.now);
    if (back.moneyFen > 0n) await refundPayment(ctx, event.tx, order.paymentId, back.moneyFen);
    for (const line of refund.lines) {
      await event.tx.execute(
        sql`update order_lines set refunded_quantity = refunded_quantity + ${line.quantity}
            where order_id = ${order.id} and position = ${line.position}`,
      );
    }
    if (order.status === 'paid') {
      await releaseStock(
        event.tx,
        refund.lines.map((line) => ({
          skuId: order.lines.find((l) => l.position === line.position)?.skuId as string,
          quantity: line.quantity,
        })),
      );
    }
    const refunded = order.refundedFen + amount;
    const orderStatus = refunded === order.totalFen ? transition(order, 'refund_full', by) : order.status;
    await setOrderStatus(event.tx, order.id, orderStatus, [sql`refunded_fen = ${refunded.toString()}::int8`]);
    await event.tx.execute(
      sql`update order_refunds set status = ${status}, decided_event_id = ${event.eventId.toString()}::int8, decided_by = ${event.actor},
          decision_reason = ${body.reason ?? null} where order_id = ${order.id} and refund_id = ${body.refundId}`,
    );
    return {
      orderId: order.id,
      refundId: body.refundId,
      status,
      amountFen: amount.toString(),
      orderStatus,
      refundedFen: refunded.toString(),
    };
  },
});

export const refundRefused = defineEvent({
  type: 'orders.refund.refused',
  summary: 'The producer or the operator refuses a refund request, with a reason.',
  body: REFUND_DECISION_BODY,
  allowed: 'registered',
  async handle(event, body) {
    if (body.reason === undefined) throw badRequest('reason_required', 'Say why the refund is refused.', 'body.reason');
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    decider(event, order);
    const refund = await openRefund(event, order, body.refundId);
    const status = decided(refund.status, 'refuse');
    await event.tx.execute(
      sql`update order_refunds set status = ${status}, decided_event_id = ${event.eventId.toString()}::int8, decided_by = ${event.actor},
          decision_reason = ${body.reason} where order_id = ${order.id} and refund_id = ${body.refundId}`,
    );
    return { orderId: order.id, refundId: body.refundId, status };
  },
});
