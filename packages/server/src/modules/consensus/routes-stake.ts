import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { Executor } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { CATEGORY_SLUG } from '../catalog/schema.js';
import { pointsBalance } from '../distribution/points-ledger.js';
import { cycleOf } from '../distribution/supplier-tokens.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { candidaciesOf, commissionsIn, listCandidates, requireCategory } from './candidates.js';
import { experienceOf } from './experience.js';
import { electPanel, findPanel, type Panel } from './panels.js';
import { coolingPoints, lockedPoints, nominationOf, UNLOCK_ID, unlocksOf, unlockView } from './stake.js';

const security = [{ session: [] }];
const POINTS_TEXT = z.string().regex(/^-?[0-9]+$/);

const CANDIDATE_VIEW = z.object({
  did: z.string(),
  category: z.string(),
  commissionBps: z.number(),
  eligible: z.boolean().describe('Still holds the tester role: only eligible candidates are elected'),
  ep: z.number().describe('Experience power now'),
  backingPoints: POINTS_TEXT.describe('Σ of the stake of the nominations naming this candidate'),
  nominators: z.number(),
  declaredEventId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const PANEL_VIEW = z.object({
  cycle: z.number(),
  category: z.string(),
  seats: z
    .number()
    .describe('Seats asked: min(panel seats, eligible candidates); fewer are filled when few are backed'),
  digest: z.string().describe('resultDigest of the seqPhragmen result, as published'),
  electedEventId: z.string().describe('The consensus.panel.elected envelope on the log'),
  createdAt: z.string(),
  members: z.array(
    z.object({
      did: z.string(),
      round: z.number().describe('0 for the first elected'),
      backedPoints: POINTS_TEXT.describe('The stake the election assigned to this tester'),
      ep: z.number(),
      commissionBps: z.number().nullable().describe('Their commission now (null: no longer a candidate)'),
    }),
  ),
});

const UNLOCK_VIEW = z.object({
  unlockId: z.string(),
  nominator: z.string(),
  amountPoints: POINTS_TEXT,
  unlockAt: z.string().describe('When the cool-down ends and the points return'),
  status: z.enum(['cooling', 'released']),
  requestedEventId: z.string(),
  releasedAt: z.string().nullable(),
  createdAt: z.string(),
});

async function panelView(executor: Executor, now: Date, panel: Panel) {
  const dids = panel.members.map((m) => m.did);
  const ep = await experienceOf(executor, dids, now);
  const commissions = await commissionsIn(executor, panel.category, dids);
  return {
    cycle: panel.cycle,
    category: panel.category,
    seats: panel.seats,
    digest: panel.digest,
    electedEventId: panel.electedEventId,
    createdAt: panel.createdAt.toISOString(),
    members: panel.members.map((m) => ({
      did: m.did,
      round: m.round,
      backedPoints: m.backedPoints.toString(),
      ep: ep.get(m.did) ?? 0,
      commissionBps: commissions.get(m.did) ?? null,
    })),
  };
}

/**
 * The experience consensus's stake and panels (DESIGN §8.2): who stands, who backs whom, the
 * elected panels, one's own stake. Declaring, nominating and unlocking are envelopes
 * (consensus.candidate.declared, consensus.nomination.set, consensus.stake.unlocked) sent to
 * POST /v1/events.
 */
export const consensusStakeRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/consensus/candidates',
      {
        schema: {
          tags: ['consensus'],
          summary: "A category's panel candidates, by DID: commission, experience power now, and backing",
          description:
            'Public, so nominators can choose. Stand with a signed `consensus.candidate.declared` {category, commissionBps} (testers); back candidates with `consensus.nomination.set` {targets, stakePoints}.',
          querystring: z.object({
            category: CATEGORY_SLUG,
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
            after: DID_SCHEMA.optional().describe('The last DID of the previous page (nextAfter)'),
          }),
          response: {
            200: z.object({ category: z.string(), items: z.array(CANDIDATE_VIEW), nextAfter: z.string().nullable() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const db = ctx.database.db;
        const { category, limit, after } = request.query;
        await requireCategory(db, category, 'category');
        const items = await listCandidates(db, category, { after, limit });
        const ep = await experienceOf(
          db,
          items.map((c) => c.did),
          ctx.clock(),
        );
        return {
          category,
          items: items.map((c) => ({
            did: c.did,
            category: c.category,
            commissionBps: c.commissionBps,
            eligible: c.eligible,
            ep: ep.get(c.did) ?? 0,
            backingPoints: c.backingPoints.toString(),
            nominators: c.nominators,
            declaredEventId: c.declaredEventId,
            createdAt: c.createdAt.toISOString(),
            updatedAt: c.updatedAt.toISOString(),
          })),
          nextAfter: items.length === limit ? (items.at(-1)?.did ?? null) : null,
        };
      },
    );

    app.get(
      '/v1/consensus/panels/:category',
      {
        schema: {
          tags: ['consensus'],
          summary: "A category's elected tester panel: the current cycle's, or `cycle`'s",
          params: z.object({ category: CATEGORY_SLUG }),
          querystring: z.object({
            cycle: z.coerce.number().int().min(0).max(1_000_000).optional().describe('Default: the current cycle'),
          }),
          response: { 200: PANEL_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const db = ctx.database.db;
        const { category } = request.params;
        await requireCategory(db, category, 'category');
        const cycle = request.query.cycle ?? cycleOf(ctx.clock());
        const panel = await findPanel(db, category, cycle);
        if (panel === undefined) throw notFound(`The panel of ${category} for cycle ${cycle}`, 'category');
        return panelView(db, ctx.clock(), panel);
      },
    );

    app.post(
      '/v1/consensus/panels/elect',
      {
        schema: {
          tags: ['consensus', 'operator'],
          summary: "Elect a category's panel for the current cycle now (operator; the periodic job does it too)",
          description:
            'Publishes `consensus.panel.elected` as a platform act. Refused: an unknown category (404), a panel already elected this cycle (409 panel_exists), no backed candidate (422 no_backed_candidates). Takes an optional Idempotency-Key.',
          security,
          body: z.strictObject({ category: CATEGORY_SLUG }),
          response: { 201: PANEL_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await authenticateOperator(ctx, request, 'Panels are elected by the operator.');
        const { category } = request.body;
        const outcome = await idempotent(ctx.database, ctx.crypto, request, did, async (tx) => {
          const panel = await electPanel(ctx, tx, category, cycleOf(ctx.clock()));
          if (panel === undefined) {
            throw new AppError(
              422,
              'no_backed_candidates',
              `No eligible candidate of ${category} is backed by stake: there is no panel to elect.`,
              'body.category',
            );
          }
          // The view, not the panel: a replay answers with the stored JSON.
          return { status: 201 as const, body: await panelView(tx, ctx.clock(), panel) };
        });
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/consensus/me',
      {
        schema: {
          tags: ['consensus'],
          summary: 'My candidacies and panel seats, my nomination, my locked stake and unlocks, my experience power',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
            before: UNLOCK_ID.optional().describe('Unlocks older than this one (nextBefore of the previous page)'),
          }),
          response: {
            200: z.object({
              did: z.string(),
              ep: z.number(),
              pointsBalance: POINTS_TEXT.describe('Points I can use (not locked)'),
              candidacies: z.array(
                z.object({
                  category: z.string(),
                  commissionBps: z.number(),
                  seat: z
                    .object({ cycle: z.number(), backedPoints: POINTS_TEXT })
                    .nullable()
                    .describe("My seat on this category's panel this cycle"),
                  createdAt: z.string(),
                  updatedAt: z.string(),
                }),
              ),
              nomination: z
                .object({
                  targets: z.array(z.string()),
                  stakePoints: POINTS_TEXT.describe('Locked behind the targets'),
                  setEventId: z.string(),
                  updatedAt: z.string(),
                })
                .nullable(),
              lockedPoints: POINTS_TEXT.describe('All my locked points: the stake plus unlocks cooling down'),
              coolingPoints: POINTS_TEXT,
              unlocks: z.array(UNLOCK_VIEW),
              nextBefore: z.string().nullable(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const db = ctx.database.db;
        const now = ctx.clock();
        const cycle = cycleOf(now);
        const { limit, before } = request.query;
        const candidacies = await candidaciesOf(db, did);
        const seats = await Promise.all(
          candidacies.map(async (c) => (await findPanel(db, c.category, cycle))?.members.find((m) => m.did === did)),
        );
        const nomination = await nominationOf(db, did);
        const unlocks = await unlocksOf(db, did, { before, limit });
        return {
          did,
          ep: (await experienceOf(db, [did], now)).get(did) ?? 0,
          pointsBalance: (await pointsBalance(db, did)).toString(),
          candidacies: candidacies.map((c, i) => {
            const seat = seats[i];
            return {
              category: c.category,
              commissionBps: Number(c.commission_bps),
              seat: seat === undefined ? null : { cycle, backedPoints: seat.backedPoints.toString() },
              createdAt: new Date(c.created_at).toISOString(),
              updatedAt: new Date(c.updated_at).toISOString(),
            };
          }),
          nomination:
            nomination === undefined
              ? null
              : {
                  targets: nomination.targets,
                  stakePoints: nomination.stakePoints.toString(),
                  setEventId: nomination.setEventId,
                  updatedAt: nomination.updatedAt.toISOString(),
                },
          lockedPoints: (await lockedPoints(db, did)).toString(),
          coolingPoints: (await coolingPoints(db, did)).toString(),
          unlocks: unlocks.map(unlockView),
          nextBefore: unlocks.length === limit ? (unlocks.at(-1)?.id ?? null) : null,
        };
      },
    );
  };
