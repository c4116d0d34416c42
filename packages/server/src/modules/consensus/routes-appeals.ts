import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { AppError, badRequest, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { ENVELOPE_SCHEMA } from '../events/schema.js';
import { RECEIPT_SCHEMA, receiptView, submitEnvelope } from '../events/service.js';
import { authenticate } from '../identity/service.js';
import type { AppealPrivateData, AppealRow } from './appeals.js';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

const JUROR_VIEW = z.object({
  juror: z.string(),
  committed: z.boolean(),
  revealed: z.boolean(),
  vote: z.enum(['uphold', 'overturn']).nullable().describe('Shown once the reveal deadline has passed.'),
  status: z.string().nullable(),
  coherent: z.boolean().nullable(),
  stakePoints: z.string().describe('The points nominators had behind the juror when it was drawn.'),
  rewardFen: z.string().nullable().describe("The juror's share of the jury fee, once ruled."),
  slashPoints: z.string().nullable().describe("Slashed from the juror's backers when incoherent, once ruled."),
  rewardPoints: z.string().nullable().describe("Paid to the juror's backers when coherent, once ruled."),
});

const INSTANCE_VIEW = z.object({
  caseId: z.string(),
  instance: z.number(),
  roundId: z.string(),
  appellant: z.string(),
  grounds: z.string(),
  verdictAppealed: z.enum(['pass', 'fail']),
  bondFen: z.string(),
  paymentId: z.string(),
  status: z.enum(['awaiting_bond', 'voting', 'ruled', 'lapsed']),
  checkpointRoot: z.string().nullable(),
  commitDeadline: z.string().nullable(),
  revealDeadline: z.string().nullable(),
  ruling: z.enum(['uphold', 'overturn']).nullable(),
  appealUntil: z.string().nullable(),
  jurors: z.array(JUROR_VIEW),
});

interface JurorRow {
  instance: number;
  juror_did: string;
  commit: string | null;
  vote: 'uphold' | 'overturn' | null;
  reveal_status: string | null;
  coherent: boolean | null;
  stake_points: string;
  reward_fen: string | null;
  slash_points: string | null;
  reward_points: string | null;
}

/** Appeals and juries (DESIGN §8.5): filing with a bond, the case as it stands, my jury seats. */
export const appealRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const security = [{ session: [] }];

    app.post(
      '/v1/consensus/appeals',
      {
        schema: {
          tags: ['consensus'],
          summary: 'Appeal a verdict or a ruling with a bond (requires an Idempotency-Key)',
          description:
            "Takes the signed `consensus.appeal.filed` envelope and starts the bond's payment (2^instance × the base bond); once it is paid the jury is drawn. `simulate` picks the sandbox payment's outcome.",
          security,
          body: z.strictObject({
            envelope: ENVELOPE_SCHEMA,
            simulate: z.enum(['succeed', 'fail', 'timeout']).default('succeed').describe('sandbox payment outcome'),
          }),
          response: { 201: z.object({ appeal: INSTANCE_VIEW, receipt: RECEIPT_SCHEMA }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await authenticate(ctx, request);
        const { envelope, simulate } = request.body;
        if (envelope.actor !== did)
          throw badRequest('actor_mismatch', 'Sign the appeal with the key you are signed in with.', 'envelope.actor');
        if (envelope.type !== 'consensus.appeal.filed')
          throw badRequest('wrong_type', 'This takes a consensus.appeal.filed envelope.', 'envelope.type');
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          did,
          async (tx) => {
            const privateData: AppealPrivateData = { simulate };
            const receipt = await submitEnvelope(ctx, envelope, { tx, privateData });
            if (receipt.replayed)
              throw new AppError(409, 'appeal_exists', 'This appeal was filed already.', 'envelope');
            const [instance] = await caseInstances(tx, String(receipt.result.caseId), Number(receipt.result.instance));
            return {
              status: 201 as const,
              body: { appeal: instance as z.output<typeof INSTANCE_VIEW>, receipt: receiptView(receipt) },
            };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/consensus/appeals/:caseId',
      {
        schema: {
          tags: ['consensus'],
          summary: 'An appeal case: every instance, its jury, votes (after the reveal deadline) and ruling',
          params: z.object({ caseId: z.string().min(1).max(80) }),
          response: { 200: z.object({ caseId: z.string(), instances: z.array(INSTANCE_VIEW) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const instances = await caseInstances(ctx.database.db, request.params.caseId);
        if (instances.length === 0) throw notFound(`Appeal ${request.params.caseId}`, 'caseId');
        return { caseId: request.params.caseId, instances };
      },
    );

    app.get(
      '/v1/consensus/me/jury',
      {
        schema: {
          tags: ['consensus'],
          summary: 'The juries I sit on, with what I must do next and by when',
          security,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  caseId: z.string(),
                  instance: z.number(),
                  roundId: z.string(),
                  status: z.string(),
                  next: z.enum(['commit', 'reveal', 'wait', 'done']),
                  commitDeadline: z.string().nullable(),
                  revealDeadline: z.string().nullable(),
                }),
              ),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const found = await rows<{
          case_id: string;
          instance: number;
          round_id: string;
          status: string;
          commit: string | null;
          vote: string | null;
          commit_deadline: Date | string | null;
          reveal_deadline: Date | string | null;
        }>(
          ctx.database.db,
          sql`select a.case_id, a.instance, a.round_id, a.status, j.commit, j.vote, a.commit_deadline, a.reveal_deadline
                from consensus_jurors j join consensus_appeals a on a.case_id = j.case_id and a.instance = j.instance
               where j.juror_did = ${did} order by a.created_at desc limit 100`,
        );
        const now = ctx.clock().getTime();
        return {
          items: found.map((row) => {
            const commitBy = row.commit_deadline === null ? 0 : new Date(row.commit_deadline).getTime();
            const revealBy = row.reveal_deadline === null ? 0 : new Date(row.reveal_deadline).getTime();
            const next =
              row.status !== 'voting'
                ? 'done'
                : row.commit === null
                  ? now <= commitBy
                    ? 'commit'
                    : 'done'
                  : row.vote === null && now > commitBy && now <= revealBy
                    ? 'reveal'
                    : row.vote === null && now <= commitBy
                      ? 'wait'
                      : 'done';
            return {
              caseId: row.case_id,
              instance: Number(row.instance),
              roundId: row.round_id,
              status: row.status,
              next,
              commitDeadline: iso(row.commit_deadline),
              revealDeadline: iso(row.reveal_deadline),
            } as const;
          }),
        };
      },
    );

    /** The instances of a case (or one of them), with their jurors; votes hidden until revealed by all rules. */
    async function caseInstances(executor: Parameters<typeof rows>[0], caseId: string, only?: number) {
      const instances = await rows<AppealRow>(
        executor,
        only === undefined
          ? sql`select * from consensus_appeals where case_id = ${caseId} order by instance`
          : sql`select * from consensus_appeals where case_id = ${caseId} and instance = ${only}`,
      );
      const jurors = await rows<JurorRow>(
        executor,
        sql`select instance, juror_did, commit, vote, reveal_status, coherent, stake_points::text as stake_points,
                   reward_fen::text as reward_fen, slash_points::text as slash_points, reward_points::text as reward_points
              from consensus_jurors where case_id = ${caseId} order by instance, juror_did`,
      );
      const now = ctx.clock().getTime();
      return instances.map((row) => {
        const votesOpen = row.reveal_deadline !== null && now > new Date(row.reveal_deadline).getTime();
        return {
          caseId: row.case_id,
          instance: Number(row.instance),
          roundId: row.round_id,
          appellant: row.appellant_did,
          grounds: row.grounds,
          verdictAppealed: row.verdict_appealed,
          bondFen: String(row.bond_fen),
          paymentId: row.payment_id,
          status: row.status,
          checkpointRoot: row.checkpoint_root,
          commitDeadline: iso(row.commit_deadline),
          revealDeadline: iso(row.reveal_deadline),
          ruling: row.ruling,
          appealUntil: iso(row.appeal_until),
          jurors: jurors
            .filter((j) => Number(j.instance) === Number(row.instance))
            .map((j) => ({
              juror: j.juror_did,
              committed: j.commit !== null,
              revealed: j.vote !== null,
              vote: votesOpen ? j.vote : null,
              status: votesOpen ? j.reveal_status : null,
              coherent: j.coherent,
              stakePoints: j.stake_points,
              rewardFen: j.reward_fen,
              slashPoints: j.slash_points,
              rewardPoints: j.reward_points,
            })),
        };
      });
    }
  };
