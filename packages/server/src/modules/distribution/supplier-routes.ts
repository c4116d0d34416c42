import { toHex } from '@concord/protocol';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { forbidden } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { actorStatus } from '../identity/queries.js';
import { authenticate } from '../identity/service.js';
import { producerRatings } from './ratings.js';
import { cycleOf, producerRedemptions, redeemTokens, redemptionView, tokenBalance } from './supplier-tokens.js';

const security = [{ session: [] }];
const AMOUNT_TEXT = z.string().regex(/^-?[0-9]+$/);

const REDEMPTION_VIEW = z.object({
  id: z.string(),
  seq: z.string().describe('A cursor for `before`'),
  producer: z.string(),
  tokensOffered: AMOUNT_TEXT,
  tokensSpent: AMOUNT_TEXT.describe('Whole bps only: the rest of the offer stays with you'),
  reductionBps: z.number().describe('How much lower your platform service fee is in the effective cycle'),
  feeBpsBefore: z.number(),
  feeBpsAfter: z.number(),
  cycle: z.number().describe('The settlement cycle the redemption was made in'),
  effectiveCycle: z.number(),
  effectiveFrom: z.string(),
  effectiveUntil: z.string(),
  appliedAt: z.string().nullable().describe('Set by the settlement that applied it'),
  createdAt: z.string(),
});

/** A producer's incentives: supplier tokens and their redemption, ratings and deposit cuts. */
export const supplierRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const producer = async (request: FastifyRequest): Promise<string> => {
      const did = await authenticate(ctx, request);
      const status = await actorStatus(ctx.database.db, ctx.config, did);
      if (!status.roles.has('producer'))
        throw forbidden('role_required', 'Supplier tokens and ratings are for producers.');
      return did;
    };

    app.post(
      '/v1/supplier/token-redemptions',
      {
        schema: {
          tags: ['distribution'],
          summary:
            'Redeem supplier tokens for a lower platform fee in the next settlement cycle (producers; requires an Idempotency-Key)',
          description:
            'Each tokensPerFeeBps tokens (10,000 by default) lower the platform service fee by one bps, never below the floor (5%). Refused, with nothing written: more tokens than held (409 insufficient_tokens), the fee of that cycle at the floor already (409 fee_at_floor), an offer that buys no whole bps (422 redemption_too_small).',
          security,
          body: z.strictObject({
            tokens: z
              .string()
              .regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of tokens (minor units) as a decimal string')
              .describe('Tokens offered'),
          }),
          response: {
            201: REDEMPTION_VIEW.extend({ tokensHeld: AMOUNT_TEXT.describe('Your tokens after the redemption') }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const did = await producer(request);
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => {
            const row = await redeemTokens(ctx, tx, {
              id: `tr_${toHex(ctx.crypto.randomBytes(12))}`,
              producer: did,
              tokens: BigInt(request.body.tokens),
              now: ctx.clock(),
            });
            const balance = await tokenBalance(tx, did);
            return {
              status: 201 as const,
              body: { ...redemptionView(row), tokensHeld: balance.heldTokens.toString() },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/supplier/token-redemptions',
      {
        schema: {
          tags: ['distribution'],
          summary:
            'My supplier tokens (held, earned, given back, redeemed) and my redemptions, newest first (producers)',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
            before: z
              .string()
              .regex(/^[0-9]{1,19}$/, 'a seq from an earlier page')
              .optional()
              .describe('Redemptions older than this seq (the next page)'),
          }),
          response: {
            200: z.object({
              tokens: z.object({
                held: AMOUNT_TEXT,
                earned: AMOUNT_TEXT,
                reversed: AMOUNT_TEXT.describe('Taken back by refunds'),
                redeemed: AMOUNT_TEXT,
              }),
              currentCycle: z.number(),
              items: z.array(REDEMPTION_VIEW),
              nextBefore: z.string().nullable(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await producer(request);
        const balance = await tokenBalance(ctx.database.db, did);
        const { limit, before } = request.query;
        const items = await producerRedemptions(ctx.database.db, did, { limit, beforeSeq: before });
        return {
          tokens: {
            held: balance.heldTokens.toString(),
            earned: balance.earnedTokens.toString(),
            reversed: balance.reversedTokens.toString(),
            redeemed: balance.redeemedTokens.toString(),
          },
          currentCycle: cycleOf(ctx.clock()),
          items: items.map(redemptionView),
          nextBefore: items.length === limit ? String(items[items.length - 1]?.seq) : null,
        };
      },
    );

    app.get(
      '/v1/supplier/ratings',
      {
        schema: {
          tags: ['distribution'],
          summary: "My buyers' ratings (count, average, the newest) and the deposit cuts they brought (producers)",
          security,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20) }),
          response: {
            200: z.object({
              count: z.number(),
              averageHundredths: z.number().describe('All-time average, hundredths of a star'),
              recent: z.array(z.object({ orderId: z.string(), stars: z.number(), createdAt: z.string() })),
              cuts: z.array(
                z.object({
                  id: z.string(),
                  amountFen: AMOUNT_TEXT,
                  averageHundredths: z.number(),
                  ratingOrders: z.array(z.string()),
                  createdAt: z.string(),
                }),
              ),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => producerRatings(ctx.database.db, await producer(request), request.query.limit),
    );
  };
