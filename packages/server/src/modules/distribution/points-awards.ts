import { cashbackPoints, referralReward } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import type { Order } from '../orders/store.js';
import { available, pointsAccount, transferIdOf } from './accounts.js';
import { mintPoints, unmintPoints } from './points-ledger.js';
import { distributionPolicy } from './policy.js';
import { bumpStats } from './promoters.js';
import { memberFigures, reevaluateTier, tierFor } from './tiers.js';

/**
 * The consumer side of a completed order (DESIGN §9): cashback points to the buyer by their
 * membership tier, the referral reward to their inviter on their first completed order, and the
 * buyer's figures for their tier. Rewards come only from purchases: an invitation alone earns
 * nothing, and an inviter's `invites` count only invitees who completed an order.
 *
 * Decisions:
 * - the cashback is paid at the tier the buyer held when the order completed, i.e. judged on
 *   their figures before this order; the order's spend counts toward the next one;
 * - the buyer's first completed order is the first to reach this code (one row per order in
 *   distribution_points_orders); only it pays a referral reward, and it marks the invitation as
 *   used (`rewarded_order_id`) even when 8% of it rounds to nothing, so no later order pays one.
 */

export interface PointsAwardRow {
  id: string;
  order_id: string;
  did: string;
  kind: 'cashback' | 'referral';
  rate_bps: number;
  points: string;
  reversed_points: string;
  created_at: Date | string;
}

export const awardView = (row: PointsAwardRow) => ({
  id: row.id,
  orderId: row.order_id,
  holder: row.did,
  kind: row.kind,
  rateBps: row.rate_bps,
  points: String(row.points),
  reversedPoints: String(row.reversed_points),
  createdAt: new Date(row.created_at).toISOString(),
});

async function award(
  ctx: AppContext,
  tx: Tx,
  input: { order: Order; did: string; kind: 'cashback' | 'referral'; rateBps: number; points: bigint; now: Date },
): Promise<void> {
  const id = transferIdOf(ctx.crypto, 'points', input.order.id, input.kind);
  await mintPoints(tx, {
    transferId: id,
    did: input.did,
    points: input.points,
    code: input.kind === 'cashback' ? 'points_cashback' : 'points_referral',
    reference: input.order.id,
    now: input.now,
  });
  await tx.execute(
    sql`insert into distribution_points_awards (id, order_id, did, kind, rate_bps, points, created_at)
        values (${id}, ${input.order.id}, ${input.did}, ${input.kind}, ${input.rateBps},
                ${input.points.toString()}::int8, ${input.now.toISOString()}::timestamptz)`,
  );
}

/**
 * At completion, once per order: the buyer's cashback (protocol `cashbackPoints`: the tier's
 * rate capped at the order's consumerCashbackBps), the inviter's referral reward (protocol
 * `referralReward`) on the buyer's first completed order, and the figures and tiers of both.
 */
export async function awardOrderPoints(ctx: AppContext, tx: Tx, order: Order, now: Date): Promise<void> {
  const policy = distributionPolicy(ctx);
  const buyer = order.buyerDid;
  const paidFen = order.totalFen - order.refundedFen;
  const before = await memberFigures(tx, buyer);
  const tier = tierFor(before, policy);
  const [claimed] = await rows<{ first_order: boolean }>(
    tx,
    sql`insert into distribution_points_orders (order_id, buyer_did, paid_fen, tier, first_order, created_at)
        values (${order.id}, ${buyer}, ${paidFen.toString()}::int8, ${tier},
                not exists (select 1 from distribution_points_orders where buyer_did = ${buyer}),
                ${now.toISOString()}::timestamptz)
        on conflict (order_id) do nothing
        returning first_order`,
  );
  if (claimed === undefined) return;

  const cashback = cashbackPoints({ buyer, paidFen, tier }, order.policy, policy);
  if (cashback.points > 0n) {
    await award(ctx, tx, {
      order,
      did: buyer,
      kind: 'cashback',
      rateBps: cashback.share.rateBps,
      points: cashback.points,
      now,
    });
  }

  const [invite] = await rows<{ inviter_did: string; rewarded_order_id: string | null }>(
    tx,
    sql`select inviter_did, rewarded_order_id from distribution_invites where invitee_did = ${buyer} for update`,
  );
  if (invite !== undefined && invite.rewarded_order_id === null && claimed.first_order) {
    const reward = referralReward({ buyer, inviter: invite.inviter_did, paidFen, firstCompletedOrder: true }, policy);
    if (reward !== undefined) {
      await award(ctx, tx, {
        order,
        did: reward.inviter,
        kind: 'referral',
        rateBps: policy.referralRewardBps,
        points: reward.points,
        now,
      });
    }
    await tx.execute(sql`update distribution_invites set rewarded_order_id = ${order.id} where invitee_did = ${buyer}`);
    await bumpStats(tx, invite.inviter_did, { invites: 1 });
    await reevaluateTier(tx, invite.inviter_did, policy);
  }

  await bumpStats(tx, buyer, { spendFen: paidFen, completedOrders: 1 });
  await reevaluateTier(tx, buyer, policy);
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * A refund of `refundFen` of a completed order that had `paidBeforeFen` paid: each of its awards
 * gives back the refunded fraction of what it still holds, ceil(remaining × refund / paid) — a
 * refund of everything left takes all of it — from the holder's points back to issuance, as far
 * as their balance allows (points already spent or sent on stay there; `reversed_points` says
 * what came back). The buyer's spend goes down; a first order refunded in full no longer counts
 * as a completed invitation for the inviter's tier.
 */
export async function reverseOrderPoints(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  paidBeforeFen: bigint,
  now: Date,
): Promise<void> {
  const [record] = await rows<{ buyer_did: string; first_order: boolean }>(
    tx,
    sql`select buyer_did, first_order from distribution_points_orders where order_id = ${order.id} for update`,
  );
  if (record === undefined || refundFen <= 0n || paidBeforeFen <= 0n) return;
  const policy = distributionPolicy(ctx);
  const awards = await rows<PointsAwardRow>(
    tx,
    sql`select * from distribution_points_awards where order_id = ${order.id} order by id for update`,
  );
  for (const row of awards) {
    const remaining = BigInt(row.points) - BigInt(row.reversed_points);
    if (remaining <= 0n) continue;
    const dueRaw = refundFen >= paidBeforeFen ? remaining : ceilDiv(remaining * refundFen, paidBeforeFen);
    const due = dueRaw < remaining ? dueRaw : remaining;
    const balance = await available(tx, pointsAccount(row.did));
    const taken = balance <= 0n ? 0n : balance < due ? balance : due;
    if (taken === 0n) continue;
    await unmintPoints(tx, {
      transferId: transferIdOf(ctx.crypto, row.id, 'refund', refundId),
      did: row.did,
      points: taken,
      code: 'points_reversal',
      reference: order.id,
      now,
    });
    await tx.execute(
      sql`update distribution_points_awards set reversed_points = reversed_points + ${taken.toString()}::int8
          where id = ${row.id}`,
    );
  }
  await tx.execute(
    sql`update distribution_points_orders set refunded_fen = refunded_fen + ${refundFen.toString()}::int8
        where order_id = ${order.id}`,
  );
  await bumpStats(tx, record.buyer_did, { spendFen: -refundFen });
  await reevaluateTier(tx, record.buyer_did, policy);
  if (record.first_order && refundFen >= paidBeforeFen) {
    const [invite] = await rows<{ inviter_did: string }>(
      tx,
      sql`select inviter_did from distribution_invites where invitee_did = ${record.buyer_did}
           and rewarded_order_id = ${order.id}`,
    );
    if (invite !== undefined) {
      await bumpStats(tx, invite.inviter_did, { invites: -1 });
      await reevaluateTier(tx, invite.inviter_did, policy);
    }
  }
}

/** A member's awards, newest first. */
export async function memberAwards(executor: Executor, did: string, limit: number): Promise<PointsAwardRow[]> {
  return rows<PointsAwardRow>(
    executor,
    sql`select * from distribution_points_awards where did = ${did} order by created_at desc, id limit ${limit}`,
  );
}

/** The awards of an order (its cashback and referral reward). */
export async function orderAwards(executor: Executor, orderId: string): Promise<PointsAwardRow[]> {
  return rows<PointsAwardRow>(
    executor,
    sql`select * from distribution_points_awards where order_id = ${orderId} order by kind`,
  );
}
