import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import {
  decideWithdrawal,
  findWithdrawal,
  myWithdrawals,
  requestWithdrawal,
  WITHDRAWAL_STATUSES,
  type WithdrawalStatus,
  withdrawalsByStatus,
  withdrawalView,
} from './withdrawals.js';

const security = [{ session: [] }];
const WITHDRAWAL_ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a withdrawal id: 1–64 of A–Z a–z 0–9 _ -');
const FEN_TEXT = z.string().regex(/^[0-9]+$/);
const STATUS = z.enum(WITHDRAWAL_STATUSES as [WithdrawalStatus, ...WithdrawalStatus[]]);
const SIMULATE = z.enum(['succeed', 'fail', 'timeout']).default('succeed').describe('sandbox payout outcome');
const CURSOR = z
  .string()
  .regex(/^[0-9]{1,18}$/, 'a cursor from nextCursor')
  .optional();
const LIMIT = z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20);

const WITHDRAWAL_VIEW = z.object({
  id: z.string(),
  did: z.string(),
  amountFen: FEN_TEXT,
  feeFen: FEN_TEXT,
  netFen: FEN_TEXT.describe('what reaches the destination: the amount less the fee'),
  status: STATUS.describe(
    'review: waits for the operator; paying: sent to the provider; paid / failed: its outcome (a failed payout returns the amount and the fee); rejected: by the operator (nothing taken)',
  ),
  destination: z.string().describe('the last four characters only'),
  payoutId: z.string().nullable(),
  createdAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
});
const PAGE = z.object({ items: z.array(WITHDRAWAL_VIEW), nextCursor: z.string().nullable() });
const DECISION_BODY = z
  .strictObject({
    note: z.string().trim().min(1).max(500).optional().describe('why, for the record'),
    simulate: SIMULATE.describe('approval only: the sandbox payout outcome'),
  })
  .nullish()
  .describe('optional: a decision may come with no body');

export const withdrawalRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/distribution/withdrawals',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Withdraw earnings through the payment provider (requires an Idempotency-Key)',
          description:
            'From your available earnings (released commission). A minimum amount and a fee (rounded up) apply; the rest is paid to `destination`. Above the review threshold the amount is held at once and the withdrawal waits for an operator. Refusals write nothing: 422 below_minimum, 409 exceeds_available.',
          security,
          body: z.strictObject({
            id: WITHDRAWAL_ID,
            amountFen: z.string().regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of fen, as a string'),
            destination: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .describe('where the provider pays: a card or wallet id (personal data, kept off the log)'),
            simulate: SIMULATE,
          }),
          response: { 201: WITHDRAWAL_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await authenticate(ctx, request);
        const { id, amountFen, destination, simulate } = request.body;
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => ({
            status: 201 as const,
            body: await requestWithdrawal(ctx, tx, { id, did, amountFen: BigInt(amountFen), destination, simulate }),
          }),
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/distribution/withdrawals',
      {
        schema: {
          tags: ['distribution'],
          summary: 'My withdrawals, newest first, by pages',
          security,
          querystring: z.object({ cursor: CURSOR, limit: LIMIT }),
          response: { 200: PAGE, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const { cursor, limit } = request.query;
        const { items, lastSeq } = await myWithdrawals(ctx.database.db, did, {
          beforeSeq: cursor === undefined ? undefined : BigInt(cursor),
          limit,
        });
        return {
          items: items.map(withdrawalView),
          nextCursor: items.length === limit && lastSeq !== null ? lastSeq.toString() : null,
        };
      },
    );

    app.get(
      '/v1/distribution/withdrawals/:id',
      {
        schema: {
          tags: ['distribution'],
          summary: 'One of my withdrawals (the operator: anyone’s)',
          security,
          params: z.object({ id: WITHDRAWAL_ID }),
          response: { 200: WITHDRAWAL_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const row = await findWithdrawal(ctx.database.db, request.params.id);
        const visible = row !== undefined && (row.did === did || (ctx.config.operatorDids?.includes(did) ?? false));
        if (!visible) throw notFound(`Withdrawal ${request.params.id}`, 'id');
        return withdrawalView(row);
      },
    );

    app.get(
      '/v1/operator/withdrawals',
      {
        schema: {
          tags: ['distribution', 'operator'],
          summary: 'Withdrawals by status, oldest first (operator; default: those waiting for review)',
          security,
          querystring: z.object({ status: STATUS.default('review'), cursor: CURSOR, limit: LIMIT }),
          response: { 200: PAGE, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticateOperator(ctx, request, 'The withdrawal queue is for the operator.');
        const { status, cursor, limit } = request.query;
        const { items, lastSeq } = await withdrawalsByStatus(ctx.database.db, status, {
          afterSeq: cursor === undefined ? undefined : BigInt(cursor),
          limit,
        });
        return {
          items: items.map(withdrawalView),
          nextCursor: items.length === limit && lastSeq !== null ? lastSeq.toString() : null,
        };
      },
    );

    for (const decision of ['approve', 'reject'] as const) {
      app.post(
        `/v1/operator/withdrawals/:id/${decision}`,
        {
          schema: {
            tags: ['distribution', 'operator'],
            summary:
              decision === 'approve'
                ? 'Approve a withdrawal in review: its hold is released and its payout starts (operator)'
                : 'Reject a withdrawal in review: its hold is released, nothing is taken (operator)',
            description:
              'An Idempotency-Key makes a retry safe; without one a second decision answers 409 not_in_review.',
            security,
            params: z.object({ id: WITHDRAWAL_ID }),
            body: DECISION_BODY,
            response: { 200: WITHDRAWAL_VIEW, ...ERROR_RESPONSES },
          },
        },
        async (request, reply) => {
          const operator = await authenticateOperator(ctx, request, 'Only the operator decides withdrawals.');
          const { note, simulate } = request.body ?? {};
          const outcome = await idempotent(ctx.database, ctx.crypto, request, operator, async (tx) => ({
            status: 200 as const,
            body: await decideWithdrawal(ctx, tx, { id: request.params.id, operator, decision, note, simulate }),
          }));
          return reply.status(outcome.status).send(outcome.body);
        },
      );
    }
  };
