import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { transaction } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { createPayout, findPayout, type Payout } from './payouts.js';
import type { ProviderEvent } from './provider.js';
import { MalformedWebhook } from './sandbox-provider.js';
import { applyWebhookEvent, createPayment, findPayment, type Payment, refundPayment } from './service.js';

const ID = z.string().regex(/^[A-Za-z0-9_.:@+-]{1,100}$/, 'an id of A–Z a–z 0–9 _ . : @ + -');
const AMOUNT = z.string().regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of minor units');
const PAYMENT_SCHEMA = z.object({
  id: z.string(),
  provider: z.string(),
  providerRef: z.string(),
  escrowAccount: z.string(),
  ledger: z.string(),
  amount: z.string(),
  status: z.enum(['created', 'succeeded', 'failed', 'timed_out']),
  holdTransferId: z.string().nullable(),
  refunded: z.string(),
  purpose: z.string(),
  reference: z.string().nullable(),
});
const view = (p: Payment) => ({ ...p, amount: p.amount.toString(), refunded: p.refunded.toString() });
const PAYOUT_SCHEMA = z.object({
  id: z.string(),
  provider: z.string(),
  account: z.string(),
  ledger: z.string(),
  amount: z.string(),
  status: z.enum(['created', 'succeeded', 'failed']),
  holdTransferId: z.string(),
  createdAt: z.string(),
});
const payoutView = ({ requestedBy: _requestedBy, ...p }: Payout) => ({ ...p, amount: p.amount.toString() });

export const paymentRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const operator = (request: FastifyRequest) =>
      authenticateOperator(ctx, request, 'Payments are started by checkout; directly, only by the operator.');

    app.post(
      '/v1/payments',
      {
        schema: {
          tags: ['payments'],
          summary: 'Start a sandbox payment into an escrow account (operator; checkout uses the same path)',
          description:
            '`simulate` chooses what the sandbox does: succeed or fail (a signed webhook follows), or time out (no webhook). Requires an Idempotency-Key.',
          security: [{ session: [] }],
          body: z.strictObject({
            id: ID,
            escrowAccount: z.string().min(1).max(128),
            amount: AMOUNT,
            ledger: z
              .string()
              .regex(/^[A-Z][A-Z0-9_]{1,15}$/)
              .default('CNY'),
            provider: z.enum(['sandbox']).default('sandbox'),
            simulate: z.enum(['succeed', 'fail', 'timeout']).default('succeed').describe('sandbox only'),
          }),
          response: { 201: PAYMENT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await operator(request);
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => ({
            status: 201 as const,
            body: view(await createPayment(ctx, tx, { ...request.body, amount: BigInt(request.body.amount) })),
          }),
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/payments/:id',
      {
        schema: {
          tags: ['payments'],
          summary: 'A payment and its state',
          security: [{ session: [] }],
          params: z.object({ id: ID }),
          response: { 200: PAYMENT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await operator(request);
        const payment = await findPayment(ctx.database.db, request.params.id);
        if (payment === undefined) throw notFound('Payment', 'id');
        return view(payment);
      },
    );

    app.post(
      '/v1/payments/:id/refunds',
      {
        schema: {
          tags: ['payments'],
          summary: 'Refund a held payment, in full or in part (operator; requires an Idempotency-Key)',
          security: [{ session: [] }],
          params: z.object({ id: ID }),
          body: z.strictObject({ amount: AMOUNT }),
          response: { 201: PAYMENT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await operator(request);
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => ({
            status: 201 as const,
            body: view(await refundPayment(ctx, tx, request.params.id, BigInt(request.body.amount))),
          }),
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.post(
      '/v1/payouts',
      {
        schema: {
          tags: ['payments'],
          summary: "Withdraw from one's own account through a payment provider (requires an Idempotency-Key)",
          description:
            "The amount is held at once, so it cannot be spent twice; the provider's webhook posts the hold when the money arrived, or voids it. Only from an account the caller owns (the operator: any) whose debits may not exceed its credits. `simulate` chooses what the sandbox does.",
          security: [{ session: [] }],
          body: z.strictObject({
            id: ID,
            account: z.string().min(1).max(128),
            amount: AMOUNT,
            destination: z
              .string()
              .min(1)
              .max(200)
              .describe('where the provider pays: a card or wallet id (kept off the log)'),
            provider: z.enum(['sandbox']).default('sandbox'),
            simulate: z.enum(['succeed', 'fail', 'timeout']).default('succeed').describe('sandbox only'),
          }),
          response: { 201: PAYOUT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await authenticate(ctx, request);
        const operator = ctx.config.operatorDids?.includes(did) ?? false;
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => ({
            status: 201 as const,
            body: payoutView(
              await createPayout(ctx, tx, {
                ...request.body,
                amount: BigInt(request.body.amount),
                requestedBy: did,
                operator,
              }),
            ),
          }),
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/payouts/:id',
      {
        schema: {
          tags: ['payments'],
          summary: 'A payout and its state (its requester or the operator)',
          security: [{ session: [] }],
          params: z.object({ id: ID }),
          response: { 200: PAYOUT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const payout = await findPayout(ctx.database.db, request.params.id);
        const mine =
          payout !== undefined && (payout.requestedBy === did || (ctx.config.operatorDids?.includes(did) ?? false));
        if (payout === undefined || !mine) throw notFound('Payout', 'id');
        return payoutView(payout);
      },
    );

    // A webhook needs the exact bytes that were signed, so this route reads its body as text.
    await app.register(async (scope) => {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      scope.post(
        '/v1/payments/webhooks/:provider',
        {
          schema: {
            tags: ['payments'],
            summary: "A payment provider's webhook (signed by the provider; duplicates are harmless)",
            params: z.object({ provider: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/) }),
            response: { 200: z.object({ result: z.enum(['applied', 'duplicate', 'ignored']) }), ...ERROR_RESPONSES },
          },
        },
        async (request) => {
          const provider = ctx.paymentProviders.get((request.params as { provider: string }).provider);
          if (provider === undefined) throw notFound('Payment provider', 'provider');
          let event: ProviderEvent | undefined;
          try {
            event = provider.verifyWebhook(request.headers, String(request.body ?? ''), ctx.clock());
          } catch (error) {
            if (error instanceof MalformedWebhook) throw new AppError(400, 'invalid_event', error.message);
            throw error;
          }
          if (event === undefined) {
            throw new AppError(401, 'invalid_signature', 'The webhook signature is missing, wrong or too old.');
          }
          const verified = event;
          return {
            result: await transaction(ctx.database.db, (tx) => applyWebhookEvent(ctx, tx, provider.name, verified)),
          };
        },
      );
    });
  };
