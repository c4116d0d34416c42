import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { notFound } from '../../errors.js';
import { ERROR_RESPONSES, MONEY_TEXT } from '../../http/schemas.js';
import { getAccounts } from '../accounting/ledger.js';
import { authenticate } from '../identity/service.js';
import { availableOf, debtAccount, earningsAccount, owedOf, pointsAccount } from './accounts.js';
import { currentBinding } from './bindings.js';
import { commissionView, earnerCommissions } from './commissions.js';
import { findLink, LINK_CODE, linksOf, type ShareLink } from './links.js';
import { distributionPolicy } from './policy.js';
import { findPromoter } from './promoters.js';

const security = [{ session: [] }];

const COMMISSION_VIEW = z.object({
  id: z.string(),
  orderId: z.string(),
  earner: z.string(),
  kind: z.enum(['direct', 'override']),
  level: z.string(),
  rateBps: z.number(),
  amountFen: MONEY_TEXT,
  cancelledFen: MONEY_TEXT,
  clawedBackFen: MONEY_TEXT,
  status: z.enum(['frozen', 'released', 'cancelled']),
  frozenUntil: z.string(),
  createdAt: z.string(),
  releasedAt: z.string().nullable(),
});

const LINK_VIEW = z.object({
  code: z.string(),
  owner: z.string(),
  kind: z.enum(['invite', 'product', 'shop']),
  productId: z.string().nullable(),
  producer: z.string().nullable(),
  url: z.string().describe('Where the link leads in the web app (relative to the site).'),
  createdAt: z.string(),
});

/**
 * Where a share code leads in the web app: its landing page, which says who shared what, binds a
 * signed-in visitor and goes on to the product, the shop or the home page.
 */
const linkPath = (link: ShareLink) => `/s/${link.code}`;

const linkView = (link: ShareLink) => ({
  code: link.code,
  owner: link.ownerDid,
  kind: link.kind,
  productId: link.productId,
  producer: link.producerDid,
  url: linkPath(link),
  createdAt: link.createdAt.toISOString(),
});

export const distributionRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/links/:code',
      {
        schema: {
          tags: ['distribution'],
          summary: 'A share link: who shared what (public, so a landing page can say who invited you)',
          params: z.object({ code: LINK_CODE }),
          response: { 200: LINK_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const link = await findLink(ctx.database.db, request.params.code);
        if (link === undefined) throw notFound('Share link', 'code');
        return linkView(link);
      },
    );

    app.get(
      '/v1/links/:code/qr.png',
      {
        schema: {
          tags: ['distribution'],
          summary: 'The QR code of a share link, as a PNG (for posters and chats)',
          params: z.object({ code: LINK_CODE }),
          querystring: z.object({
            size: z.coerce.number().int().min(64).max(1024).default(320).describe('width in pixels'),
            base: z
              .string()
              .url()
              .optional()
              .describe("the site's address the code points to; default: the address this request came to"),
          }),
        },
      },
      async (request, reply) => {
        const link = await findLink(ctx.database.db, request.params.code);
        if (link === undefined) throw notFound('Share link', 'code');
        const base = request.query.base ?? `${request.protocol}://${request.host}`;
        const png = await QRCode.toBuffer(new URL(linkPath(link), base).toString(), {
          type: 'png',
          width: request.query.size,
          margin: 2,
          errorCorrectionLevel: 'M',
        });
        return reply.type('image/png').header('cache-control', 'public, max-age=86400').send(png);
      },
    );

    app.get(
      '/v1/distribution/me',
      {
        schema: {
          tags: ['distribution'],
          summary: 'My place in the channel: promoter level and upline, binding, inviter, figures, balances',
          security,
          response: {
            200: z.object({
              promoter: z.object({ level: z.string(), upline: z.string().nullable(), joinedAt: z.string() }).nullable(),
              boundTo: z.string().nullable(),
              invitedBy: z.string().nullable(),
              stats: z.object({
                ownSalesFen: MONEY_TEXT,
                teamSalesFen: MONEY_TEXT,
                directMembers: z.number(),
                spendFen: MONEY_TEXT,
                invites: z.number(),
                completedOrders: z.number(),
                tier: z.string(),
              }),
              balances: z.object({
                earningsAvailableFen: MONEY_TEXT,
                earningsFrozenFen: MONEY_TEXT,
                debtFen: MONEY_TEXT,
                points: MONEY_TEXT,
              }),
              links: z.array(LINK_VIEW),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const db = ctx.database.db;
        const now = ctx.clock();
        const promoter = await findPromoter(db, did);
        const binding = await currentBinding(db, did, now, distributionPolicy(ctx));
        const [invite] = await rows<{ inviter_did: string }>(
          db,
          sql`select inviter_did from distribution_invites where invitee_did = ${did}`,
        );
        const [stats] = await rows<Record<string, string | number>>(
          db,
          sql`select * from distribution_member_stats where did = ${did}`,
        );
        const accounts = new Map(
          (await getAccounts(db, [earningsAccount(did), debtAccount(did), pointsAccount(did)])).map((a) => [a.key, a]),
        );
        const earnings = accounts.get(earningsAccount(did));
        const links = await linksOf(db, did, 100);
        return {
          promoter:
            promoter === undefined
              ? null
              : { level: promoter.level, upline: promoter.uplineDid, joinedAt: promoter.joinedAt.toISOString() },
          boundTo: binding?.promoter ?? null,
          invitedBy: invite?.inviter_did ?? null,
          stats: {
            ownSalesFen: String(stats?.own_sales_fen ?? '0'),
            teamSalesFen: String(stats?.team_sales_fen ?? '0'),
            directMembers: Number(stats?.direct_members ?? 0),
            spendFen: String(stats?.spend_fen ?? '0'),
            invites: Number(stats?.invites ?? 0),
            completedOrders: Number(stats?.completed_orders ?? 0),
            tier: String(stats?.tier ?? 'normal'),
          },
          balances: {
            earningsAvailableFen: availableOf(earnings).toString(),
            earningsFrozenFen: (earnings?.creditsPending ?? 0n).toString(),
            debtFen: owedOf(accounts.get(debtAccount(did))).toString(),
            points: availableOf(accounts.get(pointsAccount(did))).toString(),
          },
          links: links.map(linkView),
        };
      },
    );

    app.get(
      '/v1/distribution/commissions',
      {
        schema: {
          tags: ['distribution'],
          summary: 'My commissions, newest first: frozen (with the date they unfreeze), released, cancelled',
          security,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
          response: { 200: z.object({ items: z.array(COMMISSION_VIEW) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const items = await earnerCommissions(ctx.database.db, did, request.query.limit);
        return { items: items.map(commissionView) };
      },
    );
  };
