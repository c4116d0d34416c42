import { evaluateSupplierRatings, type RatingEvaluation, type SupplierRating } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, forbidden } from '../../errors.js';
import { cutDeposit, depositHeld, lockProducerDeposit } from '../catalog/deposits.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { platformAct } from '../orders/platform-acts.js';
import { FEN, ORDER_ID } from '../orders/schema.js';
import { loadOrder } from '../orders/store.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { distributionPolicy } from './policy.js';

/**
 * Buyer ratings of producers and the deposit cut they can bring (seed `002_…`: 商品质量评分低于
 * 4.5星,保证金扣除5%; protocol `evaluateSupplierRatings`).
 *
 * A buyer rates the producer of their order once, after delivery. After each rating the
 * producer's open window is judged: their newest `ratingWindow` ratings among those that arrived
 * after the last cut. When the rule says cut, the platform signs `distribution.deposit.cut`
 * naming the ratings it used, in the rating's transaction; its handler checks the claim against
 * the same rule and moves `depositCutBps` of the deposit to the platform.
 *
 * The rule against cutting twice for the same window: a rating counts toward at most one cut.
 * After a cut, the window starts empty and nothing is decided before `ratingMinCount` new ratings
 * have arrived (10 by default), so a producer is never cut twice for the same ratings.
 */

export const PRODUCER_RATED_BODY = z
  .object({
    orderId: ORDER_ID,
    stars: z.number().int().min(1).max(5).describe('1–5 whole stars'),
  })
  .strict();

export const DEPOSIT_CUT_BODY = z
  .object({
    producer: DID_SCHEMA,
    amountFen: FEN.describe('The cut: depositCutBps of the deposit held, rounded down'),
    ratingOrders: z
      .array(ORDER_ID)
      .min(1)
      .max(1000)
      .describe('The orders whose ratings the decision used, newest first'),
    averageTenths: z.number().int().min(10).max(50).describe('Their average, in tenths of a star, rounded down'),
  })
  .strict();

interface RatingRow {
  order_id: string;
  producer_did: string;
  buyer_did: string;
  stars: number;
  seq: string;
  event_id: string;
  created_at: Date | string;
}

/** The producer's newest ratings after their last cut, at most `limit`, newest first. */
async function openWindow(tx: Tx, producer: string, limit: number): Promise<RatingRow[]> {
  return rows<RatingRow>(
    tx,
    sql`select * from distribution_ratings
         where producer_did = ${producer}
           and seq > coalesce((select last_rating_seq from distribution_deposit_cuts
                                where producer_did = ${producer} order by id desc limit 1), 0)
         order by seq desc limit ${limit}`,
  );
}

const asRating = (row: RatingRow): SupplierRating => ({
  ratingId: row.order_id,
  stars: Number(row.stars),
  atMs: new Date(row.created_at).getTime(),
});

const averageTenthsOf = (evaluation: RatingEvaluation) => {
  const count = evaluation.ratingsUsed.length;
  const stars = evaluation.ratingsUsed.reduce((sum, rating) => sum + rating.stars, 0);
  return count === 0 ? 0 : Math.floor((stars * 10) / count);
};

async function judge(tx: Tx, ctx: AppContext, producer: string) {
  const policy = distributionPolicy(ctx);
  const window = await openWindow(tx, producer, policy.supplier.ratingWindow);
  const evaluation = evaluateSupplierRatings(window.map(asRating), await depositHeld(tx, producer), policy);
  return { window, evaluation };
}

export const producerRated = defineEvent({
  type: 'distribution.producer.rated',
  summary:
    "The buyer rates the producer of their delivered order, 1–5 stars, once per order. When the producer's recent ratings average below the threshold, the platform cuts their deposit (distribution.deposit.cut).",
  body: PRODUCER_RATED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const { tx, actor, eventId, now } = event;
    const ctx = appOf(event);
    const order = await loadOrder(tx, body.orderId);
    if (order.buyerDid !== actor) throw forbidden('not_your_order', 'Only the buyer of an order rates its producer.');
    if (order.producerDid === actor)
      throw new AppError(422, 'self_rating', 'A producer does not rate their own goods.', 'body.orderId');
    if (order.status !== 'delivered' && order.status !== 'completed') {
      throw conflict(
        'not_delivered',
        `Order ${order.id} is ${order.status}: a producer is rated after delivery.`,
        'body.orderId',
      );
    }
    await lockProducerDeposit(tx, order.producerDid);
    const [inserted] = await rows<{ seq: string }>(
      tx,
      sql`insert into distribution_ratings (order_id, producer_did, buyer_did, stars, event_id, created_at)
          values (${order.id}, ${order.producerDid}, ${actor}, ${body.stars}, ${eventId.toString()}::int8,
                  ${now.toISOString()}::timestamptz)
          on conflict (order_id) do nothing returning seq`,
    );
    if (inserted === undefined)
      throw conflict('already_rated', `Order ${order.id} has been rated already.`, 'body.orderId');

    const { evaluation } = await judge(tx, ctx, order.producerDid);
    let depositCut: Record<string, unknown> | null = null;
    if (evaluation.outcome === 'cut' && evaluation.cutFen > 0n) {
      const receipt = await platformAct(ctx, tx, 'distribution.deposit.cut', {
        producer: order.producerDid,
        amountFen: evaluation.cutFen.toString(),
        ratingOrders: evaluation.ratingsUsed.map((rating) => rating.ratingId),
        averageTenths: averageTenthsOf(evaluation),
      });
      depositCut = { eventId: receipt.eventId, ...receipt.result };
    }
    return {
      orderId: order.id,
      producer: order.producerDid,
      stars: body.stars,
      ratingOutcome: evaluation.outcome,
      windowRatings: evaluation.ratingsUsed.length,
      averageHundredths: evaluation.averageHundredths,
      depositCut,
    };
  },
});

/**
 * The platform cuts a producer's deposit for low ratings. The handler re-applies the rule: the
 * ratings named must be the producer's open window exactly, it must say 'cut', and the amount
 * and average must be what it gives. The deposit's payment holds are posted first (the money
 * was received), then the cut moves from deposit:<did> to the platform's revenue.
 */
export const depositCut = defineEvent({
  type: 'distribution.deposit.cut',
  summary:
    "The platform cuts a producer's deposit because their recent ratings average below the threshold; names the ratings it used. Derived: anyone can recompute it from the ratings on the log.",
  body: DEPOSIT_CUT_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform cuts a deposit, by the rating rule.');
    const { tx, eventId, now } = event;
    const ctx = appOf(event);
    const { producer } = body;
    await lockProducerDeposit(tx, producer);
    const { window, evaluation } = await judge(tx, ctx, producer);
    const named = [...body.ratingOrders].sort();
    const current = window.map((row) => row.order_id).sort();
    if (named.length !== current.length || named.some((id, i) => id !== current[i])) {
      throw conflict(
        'ratings_not_current',
        `The ratings named are not ${producer}'s open window of ${current.length} ratings since the last cut.`,
        'body.ratingOrders',
      );
    }
    if (evaluation.outcome !== 'cut') {
      throw conflict(
        'no_cut_due',
        `The rule says ${evaluation.outcome} for these ratings (average ${evaluation.averageHundredths / 100}).`,
        'body.ratingOrders',
      );
    }
    if (averageTenthsOf(evaluation) !== body.averageTenths) {
      throw new AppError(
        422,
        'average_mismatch',
        `Their average is ${averageTenthsOf(evaluation)} tenths.`,
        'body.averageTenths',
      );
    }
    if (evaluation.cutFen.toString() !== body.amountFen) {
      throw conflict(
        'amount_mismatch',
        `The cut of the deposit held now is ${evaluation.cutFen} fen.`,
        'body.amountFen',
      );
    }
    await cutDeposit(ctx, tx, {
      producer,
      amountFen: evaluation.cutFen,
      transferId: `deposit-cut:${eventId}`,
      reference: producer,
      now,
    });
    const lastSeq = window.reduce((max, row) => (BigInt(row.seq) > max ? BigInt(row.seq) : max), 0n);
    const ratingOrders = evaluation.ratingsUsed.map((rating) => rating.ratingId);
    const [cut] = await rows<{ id: string }>(
      tx,
      sql`insert into distribution_deposit_cuts (producer_did, amount_fen, average_hundredths, rating_orders, event_id,
                                                 created_at, last_rating_seq)
          values (${producer}, ${evaluation.cutFen.toString()}::int8, ${evaluation.averageHundredths},
                  ${JSON.stringify(ratingOrders)}::jsonb, ${eventId.toString()}::int8, ${now.toISOString()}::timestamptz,
                  ${lastSeq.toString()}::int8)
          returning id::text as id`,
    );
    return {
      cutId: cut?.id ?? null,
      producer,
      amountFen: evaluation.cutFen.toString(),
      averageHundredths: evaluation.averageHundredths,
      ratingOrders,
      depositLeftFen: (await depositHeld(tx, producer)).toString(),
    };
  },
});

export interface ProducerRatings {
  count: number;
  averageHundredths: number;
  recent: { orderId: string; stars: number; createdAt: string }[];
  cuts: { id: string; amountFen: string; averageHundredths: number; ratingOrders: string[]; createdAt: string }[];
}

/** A producer's ratings (all-time average, the newest `limit`) and the deposit cuts they brought. */
export async function producerRatings(executor: Executor, producer: string, limit: number): Promise<ProducerRatings> {
  const [totals] = await rows<{ n: string; stars: string | null }>(
    executor,
    sql`select count(*)::text as n, sum(stars)::text as stars from distribution_ratings where producer_did = ${producer}`,
  );
  const count = Number(totals?.n ?? 0);
  const recent = await rows<RatingRow>(
    executor,
    sql`select * from distribution_ratings where producer_did = ${producer} order by seq desc limit ${limit}`,
  );
  const cuts = await rows<{
    id: string;
    amount_fen: string;
    average_hundredths: number;
    rating_orders: string[] | string;
    created_at: Date | string;
  }>(
    executor,
    sql`select id::text as id, amount_fen, average_hundredths, rating_orders, created_at from distribution_deposit_cuts
         where producer_did = ${producer} order by id desc limit ${limit}`,
  );
  return {
    count,
    averageHundredths: count === 0 ? 0 : Math.floor((Number(totals?.stars ?? 0) * 100) / count),
    recent: recent.map((row) => ({
      orderId: row.order_id,
      stars: Number(row.stars),
      createdAt: new Date(row.created_at).toISOString(),
    })),
    cuts: cuts.map((row) => ({
      id: row.id,
      amountFen: String(row.amount_fen),
      averageHundredths: Number(row.average_hundredths),
      ratingOrders: fromJsonb(row.rating_orders),
      createdAt: new Date(row.created_at).toISOString(),
    })),
  };
}
