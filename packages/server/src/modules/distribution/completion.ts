import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/connection.js';
import type { Order } from '../orders/store.js';
import { currentBinding } from './bindings.js';
import { createCommissions, reverseCommissions } from './commissions.js';
import { awardOrderPoints, reverseOrderPoints } from './points-awards.js';
import { distributionPolicy } from './policy.js';
import { enrolPromoter } from './promoters.js';
import { rewardsWithheld } from './signals.js';
import { awardSupplierTokens, reverseSupplierTokens } from './supplier-tokens.js';

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
  // Anti-abuse gate, first: an order held for review earns nothing yet (approving it calls this
  // again, see reviews.ts), a rejected one never does. Every reward of completion goes below it.
  if (await rewardsWithheld(tx, order.id)) return;
  await createCommissions(ctx, tx, order, now);
  await awardOrderPoints(ctx, tx, order, now);
  await awardSupplierTokens(ctx, tx, order, now);
}

/** Before the money goes back: `paidBeforeFen` is what the order had paid before this refund. */
export async function onOrderRefunded(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  now: Date,
): Promise<void> {
  if (order.status !== 'completed') return;
  const paidBeforeFen = order.totalFen - order.refundedFen;
  await reverseCommissions(ctx, tx, order, refundId, refundFen, paidBeforeFen, now);
  await reverseOrderPoints(ctx, tx, order, refundId, refundFen, paidBeforeFen, now);
  await reverseSupplierTokens(ctx, tx, order, refundId, refundFen, paidBeforeFen, now);
}
