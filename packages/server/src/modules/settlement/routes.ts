import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { forbidden, notFound } from '../../errors.js';
import { ERROR_RESPONSES, MONEY_TEXT, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { closeSettlementCycle, findCycle, listCycles } from './close.js';
import { settlementCycleAt } from './cycles.js';
import { cycleInputLines } from './inputs.js';
import { statementCsv, statementOf } from './statements.js';

const security = [{ session: [] }];
const CYCLE = z.coerce.number().int().min(0).max(1_000_000);
const CYCLE_VIEW = z.object({
  cycle: z.number().int(),
  status: z.enum(['closing', 'closed']),
  startsAt: z.string(),
  endsAt: z.string(),
  orders: z.number().int(),
  paidFen: MONEY_TEXT,
  leaves: z.number().int().nullable(),
  root: z.string().nullable().describe('hex RFC 9162 root over the leaves'),
  inputsDigest: z.string().nullable().describe('hex SHA-256 of the inputs document'),
  logIndex: z.string().nullable().describe('the settlement.cycle.closed entry'),
  totals: z.record(z.string(), MONEY_TEXT).nullable(),
});
const LEAF_VIEW = z.object({ index: z.number().int(), party: z.string(), kind: z.string(), amountFen: MONEY_TEXT });
const STATEMENT_VIEW = z.object({
  cycle: z.number().int(),
  party: z.string(),
  root: z.string(),
  leafCount: z.number().int(),
  totalFen: MONEY_TEXT,
  leaves: z.array(
    z.object({
      kind: z.string(),
      amountFen: MONEY_TEXT,
      index: z.number().int(),
      proof: z.array(z.string()).describe('base64 hashes, RFC 9162 audit path'),
    }),
  ),
  lines: z.array(z.object({ source: z.string(), ref: z.string(), kind: z.string(), amountFen: MONEY_TEXT })),
  truncated: z.boolean(),
});

export const settlementRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/settlement/cycles',
      {
        schema: {
          tags: ['settlement'],
          summary: 'Settlement cycles closed or being closed, newest first, and the cycle open now',
          querystring: z.object({
            before: CYCLE.optional().describe('a cycle number from the previous page'),
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
          }),
          response: {
            200: z.object({ current: z.number().int(), items: z.array(CYCLE_VIEW), nextBefore: z.number().nullable() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { before, limit } = request.query;
        const items = await listCycles(ctx.database.db, before, limit);
        return {
          current: settlementCycleAt(ctx.config, ctx.clock()),
          items,
          nextBefore: items.length === limit ? (items[items.length - 1]?.cycle ?? null) : null,
        };
      },
    );

    app.get(
      '/v1/settlement/cycles/:cycle',
      {
        schema: {
          tags: ['settlement'],
          summary: 'One settlement cycle: its status, totals and published root',
          params: z.object({ cycle: CYCLE }),
          response: { 200: CYCLE_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const found = await findCycle(ctx.database.db, request.params.cycle);
        if (found === undefined) throw notFound(`Cycle ${request.params.cycle}`, 'cycle');
        return found;
      },
    );

    app.post(
      '/v1/settlement/cycles/:cycle/close',
      {
        schema: {
          tags: ['settlement'],
          summary: 'Close a cycle that has ended (operator); closing it again answers the result',
          description:
            'Settles every order completed before the cycle ended, divides the pools, pays every leaf and publishes settlement.cycle.closed. The cycle number is the idempotency key: a repeat, or a close running beside another, settles nothing twice and answers the same result. 409 cycle_open before the cycle ends.',
          security,
          params: z.object({ cycle: CYCLE }),
          response: { 200: CYCLE_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticateOperator(ctx, request, 'Only an operator closes settlement cycles.');
        return closeSettlementCycle(ctx, request.params.cycle);
      },
    );

    app.get(
      '/v1/settlement/cycles/:cycle/leaves',
      {
        schema: {
          tags: ['settlement'],
          summary: "A closed cycle's leaves (party, account kind, amount) in Merkle order, by pages",
          params: z.object({ cycle: CYCLE }),
          querystring: z.object({
            from: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ items: z.array(LEAF_VIEW), next: z.number().nullable() }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { from, limit } = request.query;
        const found = await rows<{ position: number; party: string; kind: string; amount_fen: string }>(
          ctx.database.db,
          sql`select position, party, kind, amount_fen::text from settlement_leaves
               where cycle = ${request.params.cycle} and position >= ${from} order by position limit ${limit}`,
        );
        return {
          items: found.map((l) => ({
            index: Number(l.position),
            party: l.party,
            kind: l.kind,
            amountFen: l.amount_fen,
          })),
          next: found.length === limit ? from + limit : null,
        };
      },
    );

    app.get(
      '/v1/settlement/cycles/:cycle/inputs',
      {
        schema: {
          tags: ['settlement'],
          summary: "What a closed cycle was computed from (JSON Lines; its SHA-256 is the envelope's inputsDigest)",
          description:
            'A header (policy, split policies by hash, platform), the orders as settled, the reversals, the rounds and the witnesses, one RFC 8785 JSON object per line. `concord verify` checks it against the log and recomputes the root.',
          params: z.object({ cycle: CYCLE }),
        },
      },
      async (request, reply) => {
        const found = await findCycle(ctx.database.db, request.params.cycle);
        if (found?.status !== 'closed') throw notFound(`Closed cycle ${request.params.cycle}`, 'cycle');
        const chunks: string[] = [];
        for await (const line of cycleInputLines(ctx, ctx.database.db, request.params.cycle)) chunks.push(`${line}\n`);
        return reply
          .type('application/jsonl; charset=utf-8')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .send(chunks.join(''));
      },
    );

    const readStatement = async (request: FastifyRequest, cycle: number, asked: string | undefined) => {
      const did = await authenticate(ctx, request);
      const party = asked ?? did;
      if (party !== did && !(ctx.config.operatorDids?.includes(did) ?? false))
        throw forbidden('not_your_statement', 'Only the party itself or an operator reads a statement.');
      const statement = await statementOf(ctx, ctx.database.db, cycle, party);
      if (statement === undefined) throw notFound(`Closed cycle ${cycle}`, 'cycle');
      return statement;
    };
    const STATEMENT_QUERY = z.object({
      party: z.string().min(1).max(200).optional().describe("an operator may read any party's"),
    });

    app.get(
      '/v1/settlement/cycles/:cycle/statement',
      {
        schema: {
          tags: ['settlement'],
          summary:
            'My statement of a closed cycle: what I was paid, from which orders or rounds, with inclusion proofs',
          description: '404 when the cycle is not closed. Each leaf verifies against the root published on the log.',
          security,
          params: z.object({ cycle: CYCLE }),
          querystring: STATEMENT_QUERY,
          response: { 200: STATEMENT_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => readStatement(request, request.params.cycle, request.query.party),
    );

    app.get(
      '/v1/settlement/cycles/:cycle/statement.csv',
      {
        schema: {
          tags: ['settlement'],
          summary: 'My statement of a closed cycle as CSV (RFC 4180)',
          security,
          params: z.object({ cycle: CYCLE }),
          querystring: STATEMENT_QUERY,
        },
      },
      async (request, reply) => {
        const statement = await readStatement(request, request.params.cycle, request.query.party);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="cycle-${request.params.cycle}-statement.csv"`)
          .send(statementCsv(statement));
      },
    );
  };
