import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/connection.js';
import { type Payment, refundPayment } from '../payments/service.js';
import { platformAct } from './platform-acts.js';
import { loadOrder } from './store.js';

/**
 * What an order's payment outcome does to the order: a success pays it; a failure or a timeout
 * cancels it. A success that arrives for an order cancelled meanwhile is refunded at once.
 */
export async function onOrderPayment(
  ctx: AppContext,
  tx: Tx,
  payment: Payment,
  outcome: 'succeeded' | 'failed' | 'timed_out',
): Promise<void> {
  const orderId = payment.reference;
  if (orderId === null) throw new Error(`order payment ${payment.id} has no order reference`);
  const order = await loadOrder(tx, orderId, { lock: true });
  if (outcome === 'succeeded') {
    if (order.status === 'created') {
      await platformAct(ctx, tx, 'orders.order.paid', { orderId, paymentId: payment.id });
    } else {
      await refundPayment(ctx, tx, payment.id, payment.amount);
    }
    return;
  }
  if (order.status === 'created') {
    await platformAct(ctx, tx, 'orders.order.cancelled', { orderId, reason: 'payment_failed' });
  }
}
