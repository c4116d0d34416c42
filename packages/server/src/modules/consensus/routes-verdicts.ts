import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { AppError, badRequest, conflict, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { ENVELOPE_SCHEMA } from '../events/schema.js';
import { RECEIPT_SCHEMA, receiptView, submitEnvelope } from '../events/service.js';
import { authenticate } from '../identity/service.js';
import { platformAct } from '../orders/platform-acts.js';
import { ORDER_ID } from '../orders/schema.js';
import { ROUND_ID } from './rounds.js';
import { roundResults } from './verdict-view.js';

const security = [{ session: [] }];
const TIME = z.string().describe('ISO 8601');
const RESULT = z.object({
  stage: z.number().int(),
  result: z.record(z.string(), z.unknown()),
  digest: z.string(),
  eventId: z.string(),
  createdAt: TIME,
});

const OFFER_VIEW = z.object({
  roundId: z.string(),
  orderId: z.string(),
  status: z.enum(['offered', 'taken', 'withdrawn']),
  createdAt: TIME,
  refundRequest: z
    .record(z.string(), z.unknown())
    .describe('The body to sign as an orders.refund.requested envelope to take the offer (everything not refunded)'),
});

/** The refund id an offer suggests: stable per round and order (a hash: both ids are up to 64 characters). */
const offerRefundId = (roundId: string, orderId: string) =>
  `cr-${createHash('sha256').update(`${roundId}\n${orderId}`).digest('hex').slice(0, 40)}`;

const refundRequest = (roundId: string, orderId: string) => ({
  orderId,
  refundId: offerRefundId(roundId, orderId),
  reason: `体验共识第 ${roundId} 轮未通过,退款 / Refund: consensus round ${roundId} failed the product`.slice(0, 500),
});

interface OfferRow {
  round_id: string;
  order_id: string;
  buyer_did: string;
  status: 'offered' | 'taken' | 'withdrawn';
  created_at: Date | string;
}

const offerView = (row: OfferRow) => ({
  roundId: row.round_id,
  orderId: row.order_id,
  status: row.status,
  createdAt: new Date(row.created_at).toISOString(),
  refundRequest: refundRequest(row.round_id, row.order_id),
});

/** A round's published tally and rewards, and the refunds a failed verdict offers to buyers. */
export const verdictRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/consensus/rounds/:id/tally',
      {
        schema: {
          tags: ['consensus'],
          summary: "A round's tallies (one per stage) and its rewards, as published, with their digests",
          description:
            'Each tally `result` is protocol tallyRound’s result and `digest` its resultDigest. The rewards `result` holds `rewards` (protocol rewardRound’s result, which `digest` is of, computed with a pool of 0: the settlement cycle pays the real pool), the `inputs` to rerun it, the winners’ `shares` (accuracy × weight) and the `slashes` applied.',
          params: z.object({ id: ROUND_ID }),
          response: {
            200: z.object({
              roundId: z.string(),
              status: z.enum(['open', 'decided', 'inconclusive']),
              stage: z.number().int(),
              verdict: z.string().nullable(),
              decidedAt: TIME.nullable(),
              appealUntil: TIME.nullable(),
              tallies: z.array(RESULT),
              rewards: RESULT.nullable(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const found = await roundResults(ctx.database.db, request.params.id);
        if (found === undefined) throw notFound(`Round ${request.params.id}`, 'id');
        return found;
      },
    );

    app.get(
      '/v1/consensus/refund-offers',
      {
        schema: {
          tags: ['consensus'],
          summary: 'The refunds offered to me because a product I bought failed its consensus round',
          security,
          response: { 200: z.object({ items: z.array(OFFER_VIEW) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const buyer = await authenticate(ctx, request);
        const found = await rows<OfferRow>(
          ctx.database.db,
          sql`select * from consensus_refund_offers where buyer_did = ${buyer} order by created_at desc, order_id limit 100`,
        );
        return { items: found.map(offerView) };
      },
    );

    app.post(
      '/v1/consensus/refund-offers/:orderId/take',
      {
        schema: {
          tags: ['consensus'],
          summary: 'Take a refund offered after a failed verdict (requires an Idempotency-Key)',
          description:
            "Send the offer's `refundRequest` signed as an `orders.refund.requested` envelope (no `lines`: everything not refunded yet). The platform approves it at once as operator (`orders.refund.approved`), whatever the order's state, completed included, and the offer is taken.",
          security,
          params: z.object({ orderId: ORDER_ID }),
          body: z.strictObject({ envelope: ENVELOPE_SCHEMA }),
          response: {
            201: z.object({
              offer: OFFER_VIEW,
              refundedFen: z.string(),
              orderStatus: z.string(),
              requested: RECEIPT_SCHEMA,
              approved: RECEIPT_SCHEMA,
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const buyer = await authenticate(ctx, request);
        const { orderId } = request.params;
        const { envelope } = request.body;
        if (envelope.actor !== buyer)
          throw badRequest('actor_mismatch', 'Sign the request with the key you are signed in with.', 'envelope.actor');
        const body = envelope.body as { orderId?: unknown; lines?: unknown };
        if (envelope.type !== 'orders.refund.requested' || body.orderId !== orderId)
          throw badRequest('wrong_event', `Send an orders.refund.requested envelope for ${orderId}.`, 'envelope');
        if (body.lines !== undefined)
          throw badRequest(
            'partial_refund',
            'An offer refunds everything not refunded yet: leave out `lines`.',
            'envelope.body.lines',
          );
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          buyer,
          async (tx) => {
            const [offer] = await rows<OfferRow>(
              tx,
              sql`select * from consensus_refund_offers where order_id = ${orderId} and buyer_did = ${buyer}
                   order by (status = 'offered') desc, created_at desc limit 1 for update`,
            );
            if (offer === undefined) throw notFound(`A refund offer for order ${orderId}`, 'orderId');
            if (offer.status !== 'offered')
              throw conflict(`offer_${offer.status}`, `The offer for order ${orderId} is ${offer.status}.`, 'orderId');
            const requested = await submitEnvelope(ctx, envelope, { tx });
            if (requested.replayed)
              throw new AppError(409, 'refund_exists', 'This refund was requested already.', 'envelope');
            const approved = await platformAct(ctx, tx, 'orders.refund.approved', {
              orderId,
              refundId: String(requested.result.refundId),
              reason: `Consensus round ${offer.round_id} failed the product`,
            });
            await tx.execute(
              sql`update consensus_refund_offers set status = 'taken'
                   where round_id = ${offer.round_id} and order_id = ${orderId}`,
            );
            return {
              status: 201 as const,
              body: {
                offer: offerView({ ...offer, status: 'taken' }),
                refundedFen: String(approved.result.refundedFen),
                orderStatus: String(approved.result.orderStatus),
                requested: receiptView(requested),
                approved: receiptView(approved),
              },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );
  };
