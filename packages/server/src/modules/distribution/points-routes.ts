import { toHex } from '@concord/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { authenticate, authenticateOperator } from '../identity/service.js';
import { awardView, memberAwards } from './points-awards.js';
import { lotsOf, pointsBalance, pointsMovements } from './points-ledger.js';
import { memberTransfers, pointsSummary, transferBetweenMembers, transferView } from './points-transfers.js';
import { memberFigures } from './tiers.js';

const security = [{ session: [] }];
const POINTS_TEXT = z.string().regex(/^-?[0-9]+$/);
const POSITIVE_POINTS = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of points (minor units) as a decimal string, e.g. "500"');

const TRANSFER_VIEW = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  debitPoints: POINTS_TEXT.describe('Taken from the sender'),
  creditPoints: POINTS_TEXT.describe('Given to the recipient'),
  feePoints: POINTS_TEXT.describe("The platform's fee (1%, rounded up)"),
  createdAt: z.string(),
});

const AWARD_VIEW = z.object({
  id: z.string(),
  orderId: z.string(),
  holder: z.string(),
  kind: z.enum(['cashback', 'referral']),
  rateBps: z.number(),
  points: POINTS_TEXT,
  reversedPoints: POINTS_TEXT.describe('Taken back by refunds of the order'),
  createdAt: z.string(),
});

const MOVEMENT_VIEW = z.object({
  seq: z.string().describe('The ledger sequence: a cursor for `before`'),
  transferId: z.string(),
  code: z.string().describe('points_cashback, points_referral, points_transfer, points_burn, …'),
  reference: z.string().nullable(),
  points: POINTS_TEXT.describe('Positive: in; negative: out'),
  counterparty: z.string(),
  createdAt: z.string(),
});

const SUMMARY_VIEW = z.object({
  mintedPoints: POINTS_TEXT.describe('Minted and not taken back by refunds'),
  issuedPoints: POINTS_TEXT,
  reversedPoints: POINTS_TEXT,
  heldPoints: POINTS_TEXT,
  holders: z.number(),
  spentPoints: POINTS_TEXT,
  burnedPoints: POINTS_TEXT,
  feePoints: POINTS_TEXT,
  stakedPoints: POINTS_TEXT.describe("Locked as nominators' stake (consensus), cooling unlocks included"),
  stakers: z.number(),
  otherPoints: POINTS_TEXT,
  conserved: z.boolean().describe('minted = held + spent + burned + fees + staked (+ other)'),
});

/** Members' points: their balance and history, transfers between them, the operator's summary. */
export const pointsRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/points/transfers',
      {
        schema: {
          tags: ['distribution'],
          summary: 'Send points to another member; the platform keeps 1% (rounded up). Requires an Idempotency-Key.',
          description:
            'The amount is taken from you; the recipient gets it less the fee. Refused, with nothing written: to yourself (422 self_transfer), to an unknown account (404), more than you hold (409 insufficient_points), an amount the fee would take whole (422 transfer_too_small).',
          security,
          body: z.strictObject({
            to: DID_SCHEMA,
            points: POSITIVE_POINTS.describe('Points taken from you, fee included'),
          }),
          response: {
            201: TRANSFER_VIEW.extend({ balance: POINTS_TEXT.describe('Your points after the transfer') }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const did = await authenticate(ctx, request);
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => {
            const row = await transferBetweenMembers(ctx, tx, {
              id: `pt_${toHex(ctx.crypto.randomBytes(12))}`,
              from: did,
              to: request.body.to,
              points: BigInt(request.body.points),
              now: ctx.clock(),
            });
            return {
              status: 201 as const,
              body: { ...transferView(row), balance: (await pointsBalance(tx, did)).toString() },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/points',
      {
        schema: {
          tags: ['distribution'],
          summary: 'My points: balance, tier, the age of what I hold, my awards, transfers and movements',
          security,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
            before: z
              .string()
              .regex(/^[0-9]{1,19}$/, 'a seq from an earlier page')
              .optional()
              .describe('Movements older than this seq (the next page of movements)'),
          }),
          response: {
            200: z.object({
              balance: POINTS_TEXT,
              tier: z.string(),
              lots: z.array(z.object({ earnedOn: z.string(), points: POINTS_TEXT })),
              awards: z.array(AWARD_VIEW),
              transfers: z.array(TRANSFER_VIEW),
              movements: z.array(MOVEMENT_VIEW),
              nextBefore: z.string().nullable(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const db = ctx.database.db;
        const { limit, before } = request.query;
        const movements = await pointsMovements(db, did, { beforeSeq: before, limit });
        const lots = await lotsOf(db, did, ctx.clock());
        return {
          balance: (await pointsBalance(db, did)).toString(),
          tier: (await memberFigures(db, did)).tier,
          lots: lots.map((lot) => ({
            earnedOn: new Date(lot.earnedAtMs).toISOString().slice(0, 10),
            points: lot.amountPoints.toString(),
          })),
          awards: (await memberAwards(db, did, limit)).map(awardView),
          transfers: (await memberTransfers(db, did, limit)).map(transferView),
          movements: movements.map((m) => ({ ...m, points: m.points.toString() })),
          nextBefore: movements.length === limit ? (movements[movements.length - 1]?.seq ?? null) : null,
        };
      },
    );

    app.get(
      '/v1/points/summary',
      {
        schema: {
          tags: ['distribution'],
          summary:
            'The POINTS ledger at a glance (operator): minted, held, spent, burned, fees — and whether they conserve',
          security,
          response: { 200: SUMMARY_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticateOperator(ctx, request, 'The points summary is for the operator.');
        const summary = await pointsSummary(ctx.database.db);
        return {
          ...summary,
          mintedPoints: summary.mintedPoints.toString(),
          issuedPoints: summary.issuedPoints.toString(),
          reversedPoints: summary.reversedPoints.toString(),
          heldPoints: summary.heldPoints.toString(),
          spentPoints: summary.spentPoints.toString(),
          burnedPoints: summary.burnedPoints.toString(),
          feePoints: summary.feePoints.toString(),
          stakedPoints: summary.stakedPoints.toString(),
          otherPoints: summary.otherPoints.toString(),
        };
      },
    );
  };
