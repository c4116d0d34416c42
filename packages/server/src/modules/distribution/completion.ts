import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/connection.js';
import type { Order } from '../orders/store.js';
import { currentBinding } from './bindings.js';
import { createCommissions, reverseCommissions } from './commissions.js';
import { distributionPolicy } from './policy.js';
import { enrolPromoter } from './promoters.js';

/**
 * Where the orders and identity modules hand over to distribution, inside their transactions:
 * an approved promoter joins the channel, a completed order earns what it earns, a refund takes
 * back its part of it.
 */

export async function onPromoterApproved(ctx: AppContext, tx: Tx, did: string, now: Date): Promise<void> {
  const policy = distributionPolicy(ctx);
  const binding = await currentBinding(tx, did, now, policy);
  await enrolPromoter(tx, did, binding?.promoter, policy.levels[0]?.level ?? 'promoter', now);
}

export async function onOrderCompleted(ctx: AppContext, tx: Tx, order: Order, now: Date): Promise<void> {
  await createCommissions(ctx, tx, order, now);
}

/** Before the money goes back: `paidBeforeFen` is what the order had paid before this refund. */
export async function onOrderRefunded(
  _ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  now: Date,
): Promise<void> {
  if (order.status !== 'completed') return;
  await reverseCommissions(tx, order, refundId, refundFen, order.totalFen - order.refundedFen, now);
}
