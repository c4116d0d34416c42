import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, MONEY_TEXT } from '../../http/schemas.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { createTransfers, getAccounts } from './ledger.js';
import { statement, statementCsv } from './statement.js';

const KEY = z.string().regex(/^[A-Za-z0-9_.:@+-]{1,128}$/, 'an account key');
const STATEMENT_PAGE_MAX = 500;

const ACCOUNT_SCHEMA = z.object({
  key: z.string(),
  ledger: z.string(),
  code: z.string(),
  owner: z.string().nullable(),
  debitsPending: MONEY_TEXT,
  debitsPosted: MONEY_TEXT,
  creditsPending: MONEY_TEXT,
  creditsPosted: MONEY_TEXT,
  /** credits − debits posted: what the account holds, for accounts that receive. */
  balance: MONEY_TEXT,
});

/**
 * Reading the ledger: balances and statements (JSON and CSV). The operator sees every account;
 * anyone else only the accounts they own.
 */
export const accountingRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    async function readable(request: Parameters<typeof authenticate>[1], key: string) {
      const did = await authenticate(ctx, request);
      const [account] = await getAccounts(ctx.database.db, [key]);
      if (account === undefined) throw notFound('Account', 'key');
      const operator = ctx.config.operatorDids?.includes(did) ?? false;
      if (!operator && account.owner !== did)
        throw new AppError(403, 'forbidden', 'Only the owner and the operator see this account.');
      return account;
    }

    const POSITIVE_MONEY = z.string().regex(/^[1-9][0-9]{0,18}$/, 'a positive whole number of minor units');
    app.post(
      '/v1/ledger/transfers',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Apply a batch of transfers, all or none (operator)',
          description:
            'Plain transfers, holds (`pending`), and `postPending`/`voidPending` of holds. Requires an Idempotency-Key: a retry gets the first answer. Transfer ids are idempotent too.',
          security: [{ session: [] }],
          body: z.object({
            transfers: z
              .array(
                z.strictObject({
                  id: z.string(),
                  debitAccount: KEY.optional(),
                  creditAccount: KEY.optional(),
                  amount: POSITIVE_MONEY.optional(),
                  code: z.string(),
                  reference: z.string().max(128).optional(),
                  pending: z.boolean().optional(),
                  timeoutSeconds: z.number().int().positive().optional(),
                  postPending: z.string().optional(),
                  voidPending: z.string().optional(),
                }),
              )
              .min(1)
              .max(1000),
          }),
          response: {
            201: z.object({
              results: z.array(
                z.object({
                  id: z.string(),
                  status: z.enum(['created', 'exists']),
                  kind: z.string(),
                  amount: MONEY_TEXT,
                }),
              ),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const did = await authenticateOperator(
          ctx,
          request,
          'Only the operator moves money directly; others do it through orders.',
        );
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => {
            const results = await createTransfers(
              tx,
              request.body.transfers.map((t) => ({
                ...t,
                amount: t.amount === undefined ? undefined : BigInt(t.amount),
              })),
              ctx.clock(),
            );
            return {
              status: 201 as const,
              body: { results: results.map((r) => ({ ...r, amount: r.amount.toString() })) },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/ledger/accounts/:key',
      {
        schema: {
          tags: ['ledger'],
          summary: "An account's balances",
          security: [{ session: [] }],
          params: z.object({ key: KEY }),
          response: { 200: ACCOUNT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const account = await readable(request, request.params.key);
        return {
          key: account.key,
          ledger: account.ledger,
          code: account.code,
          owner: account.owner,
          debitsPending: account.debitsPending.toString(),
          debitsPosted: account.debitsPosted.toString(),
          creditsPending: account.creditsPending.toString(),
          creditsPosted: account.creditsPosted.toString(),
          balance: (account.creditsPosted - account.debitsPosted).toString(),
        };
      },
    );

    const statementQuery = z.object({
      limit: z.coerce.number().int().min(1).max(STATEMENT_PAGE_MAX).default(100),
      after: z
        .string()
        .regex(/^[0-9]{1,19}$/, 'a cursor from nextCursor')
        .optional(),
    });

    app.get(
      '/v1/ledger/accounts/:key/statement',
      {
        schema: {
          tags: ['ledger'],
          summary: "An account's transfers, oldest first, paginated",
          security: [{ session: [] }],
          params: z.object({ key: KEY }),
          querystring: statementQuery,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  seq: z.string(),
                  transferId: z.string(),
                  createdAt: z.string(),
                  kind: z.string(),
                  code: z.string(),
                  reference: z.string().nullable(),
                  side: z.enum(['debit', 'credit']),
                  counterparty: z.string(),
                  amount: MONEY_TEXT,
                  state: z.string().nullable(),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        await readable(request, request.params.key);
        const { limit, after } = request.query;
        const lines = await statement(ctx.database.db, request.params.key, { after, limit: limit + 1 });
        const page = lines.slice(0, limit);
        return {
          items: page.map((line) => ({ ...line, amount: line.amount.toString() })),
          nextCursor: lines.length > limit ? (page.at(-1)?.seq ?? null) : null,
        };
      },
    );

    app.get(
      '/v1/ledger/accounts/:key/statement.csv',
      {
        schema: {
          tags: ['ledger'],
          summary: "An account's whole statement as CSV (RFC 4180)",
          security: [{ session: [] }],
          params: z.object({ key: KEY }),
        },
      },
      async (request, reply) => {
        await readable(request, request.params.key);
        const lines = [];
        for (let after: string | undefined; ; ) {
          const page = await statement(ctx.database.db, request.params.key, { after, limit: 5000 });
          lines.push(...page);
          if (page.length < 5000) break;
          after = page.at(-1)?.seq;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="${request.params.key.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`,
          )
          .send(statementCsv(lines));
      },
    );
  };
