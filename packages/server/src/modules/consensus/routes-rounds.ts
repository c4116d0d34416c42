import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { CURSOR_QUERY, LIMIT_QUERY } from '../catalog/cursor.js';
import { ENTITY_ID, LOT_ID, SHA256_HEX } from '../catalog/schema.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { openRoundNow, ROUND_ID } from './rounds.js';
import { describeRound, listRounds, myRounds } from './rounds-queries.js';

const security = [{ session: [] }];
const TIME = z.string().describe('ISO 8601');
const STATUS = z.enum(['open', 'decided', 'inconclusive']);
const REVEAL_STATUS = z.enum(['valid', 'mismatch', 'early', 'late', 'missing']);
const CHECKPOINT = z
  .object({ size: z.number().int(), root: SHA256_HEX })
  .describe(
    'The published checkpoint whose root seeds the draw: drawSortition({checkpointRoot: root, roundId, stage, …})',
  );

const SEAT = z.object({
  tester: z.string(),
  ep: z.number().describe('experience power when drawn'),
  stakePoints: z.string().describe('the panel backing, in points'),
  weight: z.number().describe('roundWeights weight: the draw and the tally use it'),
});

const ROUND_SUMMARY = z.object({
  id: z.string(),
  productId: z.string(),
  lotId: z.string(),
  producer: z.string(),
  category: z.string(),
  model: z.object({ id: z.string(), version: z.number().int() }),
  cycle: z.number().int(),
  status: STATUS,
  stage: z.number().int().describe('0 for the first draw; each extension adds one'),
  verdict: z.string().nullable(),
  openedAt: TIME,
  commitDeadline: TIME,
  revealDeadline: TIME,
  checkpoint: CHECKPOINT,
});

const DRAW_RESULT = z.object({
  roundId: z.string(),
  productId: z.string(),
  lotId: z.string(),
  cycle: z.number().int(),
  stage: z.number().int(),
  checkpoint: CHECKPOINT,
  seed: SHA256_HEX.describe('sortitionSeed(checkpoint root, round id, stage)'),
  drawDigest: SHA256_HEX.describe('resultDigest of the sortition result'),
  drawn: z.array(SEAT).describe('in the order drawn'),
  eligible: z.array(SEAT).describe('the panel less conflicts of interest: what the sortition drew from'),
  commitDeadline: TIME,
  revealDeadline: TIME,
  eventId: z.string(),
  logIndex: z.string(),
});

const ROUND_VIEW = ROUND_SUMMARY.extend({
  revealsPublic: z.boolean().describe('reports and salts are shown once the reveal deadline has passed'),
  draws: z.array(
    z.object({
      stage: z.number().int(),
      seed: SHA256_HEX,
      drawn: z.array(z.string()),
      digest: SHA256_HEX,
      eventId: z.string(),
    }),
  ),
  testers: z.array(
    SEAT.extend({
      stage: z.number().int(),
      committed: z.boolean(),
      commit: SHA256_HEX.nullable(),
      committedAt: TIME.nullable(),
      revealStatus: REVEAL_STATUS.nullable().describe('null until revealed; only valid counts'),
      revealedAt: TIME.nullable(),
      report: z.unknown().nullable(),
      salt: z.string().nullable(),
      accuracy: z.number().nullable(),
    }),
  ),
});

const MY_ROUND = ROUND_SUMMARY.extend({
  myStage: z.number().int(),
  committed: z.boolean(),
  revealStatus: REVEAL_STATUS.nullable(),
  next: z.object({
    step: z
      .enum(['buy', 'commit', 'wait', 'reveal', 'done', 'missed', 'closed'])
      .describe(
        'buy the product; commit with `orderId`; wait for the reveal window (it opens at `until`); reveal; or nothing',
      ),
    until: TIME.nullable().describe('when the step must be done by (for wait: when the reveal window opens)'),
    orderId: z.string().nullable(),
  }),
});

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const roundRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    app.post(
      '/v1/consensus/rounds',
      {
        schema: {
          tags: ['consensus', 'operator'],
          summary: 'Open a test round of a product lot now (operator; the platform signs consensus.round.opened)',
          description:
            'Draws the initial testers from the category panel of this cycle, seeded by the latest published checkpoint. 409 round_open (the lot is being tested), no_panel, no_checkpoint, no_eligible_testers, not_listed; 404 for an unknown product or lot. An Idempotency-Key makes a retry safe.',
          security,
          body: z.strictObject({ productId: ENTITY_ID, lotId: LOT_ID }),
          response: { 201: DRAW_RESULT, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const operator = await authenticateOperator(ctx, request, 'Only the operator opens rounds.');
        const outcome = await idempotent(ctx.database, ctx.crypto, request, operator, async (tx) => {
          const receipt = await openRoundNow(ctx, tx, request.body);
          return {
            status: 201 as const,
            body: { ...receipt.result, eventId: receipt.eventId, logIndex: receipt.logIndex } as z.infer<
              typeof DRAW_RESULT
            >,
          };
        });
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/consensus/rounds',
      {
        schema: {
          tags: ['consensus'],
          summary: 'Test rounds, newest first',
          querystring: z.object({
            productId: ENTITY_ID.optional(),
            producer: DID_SCHEMA.optional().describe("only rounds of this producer's products"),
            status: STATUS.optional(),
            cursor: CURSOR_QUERY,
            limit: LIMIT_QUERY(20),
          }),
          response: { 200: page(ROUND_SUMMARY), ...ERROR_RESPONSES },
        },
      },
      async (request) => listRounds(db, request.query),
    );

    app.get(
      '/v1/consensus/rounds/:id',
      {
        schema: {
          tags: ['consensus'],
          summary: 'A round: deadlines, the checkpoint and draws, each drawn tester’s weight, commit and reveal',
          params: z.object({ id: ROUND_ID }),
          response: { 200: ROUND_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => describeRound(db, request.params.id, ctx.clock()),
    );

    app.get(
      '/v1/consensus/me/rounds',
      {
        schema: {
          tags: ['consensus'],
          summary: 'The rounds I am drawn in, newest first, with what I must do next and by when',
          security,
          querystring: z.object({ cursor: CURSOR_QUERY, limit: LIMIT_QUERY(20) }),
          response: { 200: page(MY_ROUND), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        return myRounds(db, did, request.query, ctx.clock());
      },
    );
  };
