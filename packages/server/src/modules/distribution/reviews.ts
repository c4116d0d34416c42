import type { ReviewReason } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';
import { conflict, notFound } from '../../errors.js';
import { defineEvent, type EventContext } from '../events/registry.js';
import { ORDER_ID } from '../orders/schema.js';
import { loadOrder } from '../orders/store.js';
import { appOf } from '../orders/transitions.js';
import { onOrderCompleted } from './completion.js';

/**
 * The operator's review queue of orders held by the anti-abuse checks (signals.ts). A decision is
 * an envelope, so every one is on the log with who took it; the review row keeps the decision,
 * its note and its event. Decisions are final: only a pending review can be decided.
 */

export type ReviewStatus = 'pending' | 'approved' | 'rejected';
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'rejected'];

export const REVIEW_DECISION_BODY = z
  .object({
    orderId: ORDER_ID,
    note: z.string().trim().min(1).max(500).optional().describe('Why, for the record (on the log).'),
  })
  .strict();

interface ReviewRow {
  order_id: string;
  reasons: ReviewReason[] | string;
  status: ReviewStatus;
  created_at: Date | string;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
  event_id: string | number | null;
  seq: string | number;
  buyer_did: string;
  producer_did: string;
  order_status: string;
  total_fen: string;
}

export const reviewView = (row: ReviewRow) => ({
  orderId: row.order_id,
  buyer: row.buyer_did,
  producer: row.producer_did,
  orderStatus: row.order_status,
  totalFen: String(row.total_fen),
  reasons: fromJsonb(row.reasons) as ReviewReason[],
  status: row.status,
  createdAt: new Date(row.created_at).toISOString(),
  decidedBy: row.decided_by,
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  note: row.decision_note,
  eventId: row.event_id === null ? null : String(row.event_id),
});

/** The reviews with `status`, oldest first (a queue), after the cursor `afterSeq`. */
export async function listReviews(
  executor: Executor,
  filter: { status: ReviewStatus; afterSeq?: bigint | undefined; limit: number },
): Promise<{ items: ReviewRow[]; lastSeq: bigint | null }> {
  const items = await rows<ReviewRow>(
    executor,
    sql`select r.*, o.buyer_did, o.producer_did, o.status as order_status, o.total_fen::text as total_fen
          from distribution_reviews r join orders o on o.id = r.order_id
         where r.status = ${filter.status}
           ${filter.afterSeq === undefined ? sql`` : sql`and r.seq > ${filter.afterSeq.toString()}::int8`}
         order by r.seq limit ${filter.limit}`,
  );
  const last = items.at(-1);
  return { items, lastSeq: last === undefined ? null : BigInt(last.seq) };
}

async function decide(
  event: EventContext,
  body: z.output<typeof REVIEW_DECISION_BODY>,
  decision: 'approved' | 'rejected',
) {
  const { tx, actor, now, eventId } = event;
  // The order first, as its completion does: a completion and a decision never cross.
  const order = await loadOrder(tx, body.orderId, { lock: true });
  const [review] = await rows<{ status: ReviewStatus }>(
    tx,
    sql`select status from distribution_reviews where order_id = ${order.id} for update`,
  );
  if (review === undefined) throw notFound(`A review of order ${order.id}`, 'body.orderId');
  if (review.status !== 'pending') {
    throw conflict('already_decided', `The review of order ${order.id} was ${review.status} already.`, 'body.orderId');
  }
  await tx.execute(
    sql`update distribution_reviews set status = ${decision}, decided_by = ${actor},
          decided_at = ${now.toISOString()}::timestamptz, decision_note = ${body.note ?? null}, event_id = ${eventId.toString()}::int8
        where order_id = ${order.id}`,
  );
  // An order that completed while held gets its rewards now; one not yet completed gets them at
  // completion like any other; a rejected one never does.
  const rewarded = decision === 'approved' && order.status === 'completed';
  if (rewarded) await onOrderCompleted(appOf(event), tx, order, now);
  return { orderId: order.id, status: decision, orderStatus: order.status, rewardsCreated: rewarded };
}

export const reviewApproved = defineEvent({
  type: 'distribution.review.approved',
  summary:
    'The operator clears an order held by the anti-abuse checks: its commission and points are created (now, if it has completed; else at completion).',
  body: REVIEW_DECISION_BODY,
  allowed: ['operator'],
  handle: (event, body) => decide(event, body, 'approved'),
});

export const reviewRejected = defineEvent({
  type: 'distribution.review.rejected',
  summary: 'The operator rejects an order held by the anti-abuse checks: it earns no commission and no points.',
  body: REVIEW_DECISION_BODY,
  allowed: ['operator'],
  handle: (event, body) => decide(event, body, 'rejected'),
});
