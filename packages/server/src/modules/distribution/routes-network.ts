import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ERROR_RESPONSES, MONEY_TEXT } from '../../http/schemas.js';
import { CURSOR_QUERY, LIMIT_QUERY } from '../catalog/cursor.js';
import { authenticate } from '../identity/service.js';
import { boundCustomers, teamMembers } from './network.js';
import { distributionPolicy } from './policy.js';

const security = [{ session: [] }];
const PAGE_QUERY = z.object({ cursor: CURSOR_QUERY, limit: LIMIT_QUERY(20) });
const DISPLAY_NAME = z.string().nullable().describe('The name the account chose to show, if any; nothing else of it');

const CUSTOMER_VIEW = z.object({
  did: z.string(),
  displayName: DISPLAY_NAME,
  boundAt: z.string(),
  boundUntil: z.string().nullable().describe("When the binding lapses without a new click; null: it doesn't"),
  link: z
    .object({
      code: z.string(),
      kind: z.enum(['invite', 'product', 'shop']),
      productId: z.string().nullable(),
      producer: z.string().nullable(),
    })
    .nullable()
    .describe('The share link that bound them, when recorded'),
  completedOrders: z.number().describe('Their completed orders attributed to me'),
  commissionFen: MONEY_TEXT.describe('What I earned on their orders, net of refunds'),
});

const MEMBER_VIEW = z.object({
  did: z.string(),
  displayName: DISPLAY_NAME,
  level: z.string(),
  joinedAt: z.string(),
  ownSalesFen: MONEY_TEXT,
  teamSalesFen: MONEY_TEXT,
  members: z.number().describe('Their own direct team members'),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page') });

export const networkRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/distribution/me/customers',
      {
        schema: {
          tags: ['distribution'],
          summary: 'The customers bound to me now, newest first, with their orders and my commission on them',
          security,
          querystring: PAGE_QUERY,
          response: { 200: page(CUSTOMER_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        return boundCustomers(ctx.database.db, did, ctx.clock(), distributionPolicy(ctx), request.query);
      },
    );

    app.get(
      '/v1/distribution/me/team',
      {
        schema: {
          tags: ['distribution'],
          summary: 'My direct team: the promoters I brought in, newest first, with their sales and teams',
          security,
          querystring: PAGE_QUERY,
          response: { 200: page(MEMBER_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => teamMembers(ctx.database.db, await authenticate(ctx, request), request.query),
    );
  };
