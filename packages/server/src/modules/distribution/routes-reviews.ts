import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { authenticateOperator } from '../identity/service.js';
import { listReviews, REVIEW_STATUSES, type ReviewStatus, reviewView } from './reviews.js';

const REVIEW_VIEW = z.object({
  orderId: z.string(),
  buyer: z.string(),
  producer: z.string(),
  orderStatus: z.string(),
  totalFen: z.string(),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  status: z.enum(REVIEW_STATUSES as [ReviewStatus, ...ReviewStatus[]]),
  createdAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
  eventId: z.string().nullable().describe('the decision envelope on the log'),
});

export const reviewRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/operator/reviews',
      {
        schema: {
          tags: ['distribution', 'operator'],
          summary: 'Orders held by the anti-abuse checks, oldest first (operator; default: pending)',
          description:
            'Decide each with a signed `distribution.review.approved` or `distribution.review.rejected` envelope {orderId, note?} (POST /v1/events). A held order earns no commission or points until approved; a rejected one never does.',
          security: [{ session: [] }],
          querystring: z.object({
            status: z.enum(REVIEW_STATUSES as [ReviewStatus, ...ReviewStatus[]]).default('pending'),
            cursor: z
              .string()
              .regex(/^[0-9]{1,18}$/, 'a cursor from nextCursor')
              .optional(),
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
          }),
          response: {
            200: z.object({ items: z.array(REVIEW_VIEW), nextCursor: z.string().nullable() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        await authenticateOperator(ctx, request, 'The review queue is for the operator.');
        const { status, cursor, limit } = request.query;
        const { items, lastSeq } = await listReviews(ctx.database.db, {
          status,
          afterSeq: cursor === undefined ? undefined : BigInt(cursor),
          limit,
        });
        return {
          items: items.map(reviewView),
          nextCursor: items.length === limit && lastSeq !== null ? lastSeq.toString() : null,
        };
      },
    );
  };
