import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { forbidden } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { actorStatus } from '../identity/queries.js';
import { authenticate } from '../identity/service.js';
import { CURSOR_QUERY, LIMIT_QUERY } from './cursor.js';
import { DEPOSIT_MOVEMENT_TYPES, depositMovements, describeDeposit, startDepositPayment } from './deposits.js';
import { producerProducts } from './queries-products.js';
import { POSITIVE_FEN } from './schema.js';
import { DEPOSIT_PAYMENT_VIEW, DEPOSIT_VIEW, PRODUCT_SUMMARY_VIEW, page } from './schema-views.js';

const DEPOSIT_MOVEMENT_VIEW = z.object({
  transferId: z.string().describe('The ledger transfer'),
  createdAt: z.string().describe('When it was recorded (ISO 8601)'),
  type: z
    .enum(DEPOSIT_MOVEMENT_TYPES)
    .describe(
      'What it was, as the ledger records it: top_up (a deposit payment, held as it arrives), top_up_received (that hold posted — the same money, now received: it does not add to what you hold), refund (a deposit payment paid back), cut (taken by a rating or a failed verdict), cut_restored (a cut paid back), other',
    ),
  direction: z.enum(['in', 'out']).describe('Into or out of your deposit (a void takes back the hold it cancels)'),
  amountFen: z.string().describe('fen, decimal string'),
  kind: z.string().describe('The ledger transfer kind: single, pending (a hold), post or void (of a hold)'),
  code: z.string().describe('The ledger transfer code'),
  state: z.string().nullable().describe('For a hold: pending, posted, voided or expired'),
  reference: z.string().nullable().describe('What it refers to: a payment id, a consensus round, a rating'),
});

/** A producer's own side of the catalog: their products, their deposit. */
export const producerRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const producer = async (request: FastifyRequest): Promise<string> => {
      const did = await authenticate(ctx, request);
      const status = await actorStatus(ctx.database.db, ctx.config, did);
      if (!status.roles.has('producer')) throw forbidden('role_required', 'This needs the producer role.');
      return did;
    };

    app.get(
      '/v1/producer/products',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Your products, in every status (producers)',
          security: [{ session: [] }],
          querystring: z.object({
            status: z.enum(['draft', 'listed', 'delisted', 'suspended']).optional(),
            cursor: CURSOR_QUERY,
            limit: LIMIT_QUERY(20),
          }),
          response: { 200: page(PRODUCT_SUMMARY_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => producerProducts(ctx.database.db, await producer(request), request.query),
    );

    app.post(
      '/v1/catalog/deposits',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Pay into your deposit (producers; requires an Idempotency-Key)',
          description:
            'Creates your deposit account deposit:<did> if needed and a sandbox payment into it; once the payment succeeds (by webhook) the money is held there and counts toward listing. `simulate` chooses the sandbox outcome.',
          security: [{ session: [] }],
          body: z.strictObject({
            amount: POSITIVE_FEN,
            simulate: z.enum(['succeed', 'fail', 'timeout']).optional().describe('sandbox only; default succeed'),
          }),
          response: { 201: DEPOSIT_PAYMENT_VIEW, ...ERROR_RESPONSES },
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
            const payment = await startDepositPayment(ctx, tx, did, BigInt(request.body.amount), request.body.simulate);
            return {
              status: 201 as const,
              body: {
                paymentId: payment.id,
                account: payment.escrowAccount,
                amountFen: payment.amount.toString(),
                status: payment.status,
              },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/catalog/deposits',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Your deposit: what is held, what your listings require (producers)',
          security: [{ session: [] }],
          response: { 200: DEPOSIT_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => describeDeposit(ctx.database.db, await producer(request)),
    );

    app.get(
      '/v1/catalog/deposits/movements',
      {
        schema: {
          tags: ['catalog'],
          summary: 'The movements of your deposit account, oldest first, by pages (producers)',
          description:
            'Every ledger transfer of your deposit account deposit:<did>: top-ups, cuts, paybacks, refunds. Only your own account: there is no way to name another.',
          security: [{ session: [] }],
          querystring: z.object({ cursor: CURSOR_QUERY, limit: LIMIT_QUERY(20) }),
          response: {
            200: page(DEPOSIT_MOVEMENT_VIEW).extend({ account: z.string().describe('deposit:<did>') }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => depositMovements(ctx.database.db, await producer(request), request.query),
    );
  };
