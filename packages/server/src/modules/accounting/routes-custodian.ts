import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { forbidden } from '../../errors.js';
import { ERROR_RESPONSES, MONEY_TEXT, pageQuery } from '../../http/schemas.js';
import { configuredRoles } from '../identity/queries.js';
import { authenticate } from '../identity/service.js';
import { escrowHolds, HOLD_STATES, pendingEscrowTotals } from './holds.js';

const TIME = z.string().describe('ISO 8601');

const HOLD_VIEW = z.object({
  transferId: z.string(),
  escrowAccount: z.string().describe('The ledger account the money is held in, e.g. escrow:order:<order id>'),
  orderId: z.string().nullable().describe('The order whose payment this is; null for other escrows (appeal bonds)'),
  reference: z.string().nullable().describe("The transfer's reference: for payments, the payment id"),
  ledger: z.string().describe('The currency, e.g. CNY'),
  amount: MONEY_TEXT.describe('What the hold put into escrow'),
  status: z.enum(HOLD_STATES),
  postedAmount: MONEY_TEXT.nullable().describe('For a posted hold: the part posted (the rest went back by a refund)'),
  createdAt: TIME,
  expiresAt: TIME.nullable().describe('When the expiry job voids the hold if it is still pending; null: never'),
  resolvedAt: TIME.nullable().describe('When it was posted or voided (null while pending, and for expired ones)'),
});

/**
 * The custodian's read of the money it guards. Custodian and operator are configured roles,
 * never granted by an envelope, so the configuration answers without a database read.
 */
export const custodianRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const guard = async (request: FastifyRequest): Promise<void> => {
      const did = await authenticate(ctx, request);
      const roles = configuredRoles(ctx.config, did);
      if (!roles.includes('custodian') && !roles.includes('operator'))
        throw forbidden('role_required', 'Only the custodian and the operator see escrow holds.');
    };

    app.get(
      '/v1/custodian/holds',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Holds into escrow accounts, with the totals still held (custodian, operator)',
          description:
            'Pending holds come oldest first; `status` lists the posted, voided or expired ones instead, newest first. No party appears: only accounts, amounts and order ids.',
          security: [{ session: [] }],
          querystring: pageQuery.extend({ status: z.enum(HOLD_STATES).default('pending') }),
          response: {
            200: z.object({
              items: z.array(HOLD_VIEW),
              nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
              totals: z
                .array(z.object({ ledger: z.string(), count: z.number().int(), amount: MONEY_TEXT }))
                .describe('Every pending hold into escrow, per ledger, whatever the page and the status asked'),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        await guard(request);
        const { status, after, limit } = request.query;
        const [found, totals] = await Promise.all([
          escrowHolds(ctx.database.db, { status, after, limit: limit + 1 }),
          pendingEscrowTotals(ctx.database.db),
        ]);
        const page = found.slice(0, limit);
        return {
          items: page.map(({ seq: _seq, amount, postedAmount, ...hold }) => ({
            ...hold,
            amount: amount.toString(),
            postedAmount: postedAmount?.toString() ?? null,
          })),
          nextCursor: found.length > limit ? (page.at(-1)?.seq ?? null) : null,
          totals: totals.map((total) => ({ ...total, amount: total.amount.toString() })),
        };
      },
    );

    app.get(
      '/v1/custodian/releases',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Releases waiting for the custodian’s signature (custodian, operator)',
          security: [{ session: [] }],
          response: {
            200: z.object({
              releases: z
                .array(z.never())
                .describe(
                  "Always empty for now: releases are crowdfunding milestone payouts, and crowdfunding has not landed. The items' shape comes with it.",
                ),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        await guard(request);
        return { releases: [] };
      },
    );
  };
