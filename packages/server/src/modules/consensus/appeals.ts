import {
  appealBondFen,
  ConsensusError,
  drawJury,
  type JuryStakes,
  juryPool,
  jurySize,
  juryStakes,
  resultDigest,
  type SortitionResult,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, forbidden, notFound } from '../../errors.js';
import { createAccounts } from '../accounting/ledger.js';
import { SHA256_HEX } from '../catalog/schema.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { checkpointAt, publishedCheckpoint } from '../log/checkpoints.js';
import { platformAct } from '../orders/platform-acts.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { createPayment, type Payment } from '../payments/service.js';
import { experienceOf } from './experience.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';
import { findRound, type RoundRow } from './rounds.js';
import { signedAt } from './signed-time.js';
import { stakedNominations } from './stake.js';

/**
 * Appeals of a decided round (DESIGN §8.5, 仲裁). A case is a round's appeal; each instance has an
 * appellant who pays a bond (appealBondFen: 2^instance × the base) through the payment provider,
 * and once it is paid, a jury of jurySize(instance) drawn by sortition from experts and
 * experienced testers with no tie to the case, seeded by the latest published checkpoint. Votes
 * (jury-votes.ts) and the ruling (rulings.ts) follow.
 *
 * Who may appeal: the product's producer, a tester drawn in the round, or a verified buyer of the
 * product (a paid order), within the appeal window of the verdict they appeal.
 */

export const caseIdOf = (roundId: string) => `appeal-${roundId}`;
export const bondEscrowOf = (caseId: string, instance: number) => `escrow:appeal:${caseId}:${instance}`;
const bondPaymentOf = (caseId: string, instance: number) => `bond-${caseId}-${instance}`;

/** Testers need at least this much experience to sit on a jury (experts always may). */
export const JUROR_EP_MIN = 1;
/** From the draw to the commit deadline, and from there to the reveal deadline. */
export const JURY_COMMIT_DAYS = 3;
export const JURY_REVEAL_DAYS = 2;
const DAY_MS = 86_400_000;

export interface AppealRow {
  case_id: string;
  instance: number;
  round_id: string;
  appellant_did: string;
  grounds: string;
  verdict_appealed: 'pass' | 'fail';
  bond_fen: string;
  payment_id: string;
  status: 'awaiting_bond' | 'voting' | 'ruled' | 'lapsed';
  checkpoint_root: string | null;
  commit_deadline: Date | string | null;
  reveal_deadline: Date | string | null;
  ruling: 'uphold' | 'overturn' | null;
  appeal_until: Date | string | null;
  created_at: Date | string;
}

export async function loadAppeal(executor: Executor, caseId: string, instance: number, lock = false) {
  const [row] = await rows<AppealRow>(
    executor,
    lock
      ? sql`select * from consensus_appeals where case_id = ${caseId} and instance = ${instance} for update`
      : sql`select * from consensus_appeals where case_id = ${caseId} and instance = ${instance}`,
  );
  if (row === undefined) throw notFound(`Appeal ${caseId} instance ${instance}`, 'body.caseId');
  return row;
}

/** The verdict an appeal at `instance` would overturn, and until when it may be appealed. */
async function appealable(
  tx: Tx,
  round: RoundRow,
  instance: number,
): Promise<{ verdict: 'pass' | 'fail'; until: Date }> {
  if (instance === 0) {
    if (
      round.status !== 'decided' ||
      (round.verdict !== 'pass' && round.verdict !== 'fail') ||
      round.appeal_until === null
    )
      throw conflict('not_appealable', `Round ${round.id} has no verdict to appeal.`, 'body.roundId');
    return { verdict: round.verdict, until: new Date(round.appeal_until) };
  }
  const [previous] = await rows<AppealRow>(
    tx,
    sql`select * from consensus_appeals where case_id = ${caseIdOf(round.id)} and instance = ${instance - 1}`,
  );
  if (previous?.status !== 'ruled' || previous.appeal_until === null || previous.ruling === null)
    throw conflict(
      'not_appealable',
      `Instance ${instance - 1} of this case has no appealable ruling.`,
      'body.instance',
    );
  const stood = previous.ruling === 'uphold' ? previous.verdict_appealed : flip(previous.verdict_appealed);
  return { verdict: stood, until: new Date(previous.appeal_until) };
}

export const flip = (verdict: 'pass' | 'fail'): 'pass' | 'fail' => (verdict === 'pass' ? 'fail' : 'pass');

/** The producer, a drawn tester of the round, or a buyer with a paid order of the product. */
async function mayAppeal(tx: Tx, round: RoundRow, did: string): Promise<boolean> {
  if (did === round.producer_did) return true;
  const counts = await rows<{ n: number }>(
    tx,
    sql`select (select count(*)::int from consensus_round_testers where round_id = ${round.id} and tester_did = ${did})
             + (select count(*)::int from orders o join order_lines l on l.order_id = o.id
                 where o.buyer_did = ${did} and l.product_id = ${round.product_id}
                   and o.status in ('paid', 'shipped', 'delivered', 'completed')) as n`,
  );
  return Number(counts[0]?.n ?? 0) > 0;
}

/** What an appellant sends beside the envelope: the sandbox outcome of the bond payment. */
export interface AppealPrivateData {
  simulate?: 'succeed' | 'fail' | 'timeout' | undefined;
}

export const appealFiled = defineEvent({
  type: 'consensus.appeal.filed',
  summary:
    "Appeal a round's verdict (instance 0) or the previous instance's ruling, with the grounds; the bond is paid through the payment provider (POST /v1/consensus/appeals) and the jury is drawn once it is.",
  body: z
    .object({
      roundId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      instance: z.number().int().min(0).max(8),
      grounds: z.string().trim().min(10).max(2000),
    })
    .strict(),
  allowed: 'registered',
  async handle(event, body) {
    const ctx = appOf(event);
    const { tx, actor } = event;
    const now = signedAt(event);
    const policy = DEFAULT_CONSENSUS_POLICY;
    if (body.instance > policy.jury.lastInstance)
      throw new AppError(422, 'last_instance', `Instance ${policy.jury.lastInstance} is the last.`, 'body.instance');
    const round = await findRound(tx, body.roundId, true);
    if (round === undefined) throw notFound(`Round ${body.roundId}`, 'body.roundId');
    const { verdict, until } = await appealable(tx, round, body.instance);
    if (now.getTime() > until.getTime())
      throw conflict('appeal_closed', `Appeals were heard until ${until.toISOString()}.`, 'body.roundId');
    if (!(await mayAppeal(tx, round, actor)))
      throw forbidden(
        'not_a_party',
        'Only the producer, a tester of the round or a verified buyer of the product appeals.',
      );
    const caseId = caseIdOf(round.id);
    const bond = appealBondFen(body.instance, policy.jury);
    const paymentId = bondPaymentOf(caseId, body.instance);
    const [inserted] = await rows<{ case_id: string }>(
      tx,
      sql`insert into consensus_appeals (case_id, instance, round_id, appellant_did, grounds, verdict_appealed, bond_fen,
                                         payment_id, status, filed_event_id, created_at)
          values (${caseId}, ${body.instance}, ${round.id}, ${actor}, ${body.grounds}, ${verdict}, ${bond.toString()}::int8,
                  ${paymentId}, 'awaiting_bond', ${event.eventId.toString()}::int8, ${now.toISOString()}::timestamptz)
          on conflict do nothing returning case_id`,
    );
    if (inserted === undefined)
      throw conflict('appeal_exists', `Instance ${body.instance} of ${caseId} was filed already.`, 'body.instance');
    const escrow = bondEscrowOf(caseId, body.instance);
    const [escrowCreated] = await createAccounts(tx, [{ key: escrow, ledger: 'CNY', code: 'escrow' }]);
    await createPayment(ctx, tx, {
      id: paymentId,
      escrowAccount: escrow,
      escrow: escrowCreated,
      amount: bond,
      ledger: 'CNY',
      simulate: (event.privateData as AppealPrivateData | undefined)?.simulate,
      purpose: 'appeal_bond',
      reference: `${caseId}:${body.instance}`,
    });
    return {
      caseId,
      instance: body.instance,
      status: 'awaiting_bond',
      verdictAppealed: verdict,
      bondFen: bond.toString(),
      paymentId,
      jurySize: jurySize(body.instance, policy.jury),
    };
  },
});

/** The bond's payment outcome: paid → the jury is drawn; failed or timed out → the appeal lapses. */
export async function onAppealBondPayment(
  ctx: AppContext,
  tx: Tx,
  payment: Payment,
  outcome: 'succeeded' | 'failed' | 'timed_out',
): Promise<void> {
  const [caseId, instanceText] = (payment.reference ?? '').split(/:(?=[0-9]+$)/);
  if (caseId === undefined || instanceText === undefined) throw new Error(`bond ${payment.id} has no case reference`);
  const instance = Number(instanceText);
  if (outcome === 'succeeded') {
    // The seed is pinned by size in the envelope: a newer checkpoint published meanwhile changes nothing.
    const checkpoint = await publishedCheckpoint(tx, ctx.config.witnessQuorum);
    if (checkpoint === undefined) throw conflict('no_checkpoint', 'No checkpoint is published yet to seed the jury.');
    const { draw } = await juryDraw(tx, caseId, instance, checkpoint.size);
    await platformAct(ctx, tx, 'consensus.jury.drawn', {
      caseId,
      instance,
      checkpointSize: checkpoint.size,
      jurors: draw.drawn,
      digest: resultDigest(draw),
      stakesDigest: resultDigest(await jurorStakes(tx, caseId, instance, draw.drawn)),
    });
    return;
  }
  await tx.execute(
    sql`update consensus_appeals set status = 'lapsed' where case_id = ${caseId} and instance = ${instance} and status = 'awaiting_bond'`,
  );
}

/**
 * The jury of an instance, as anyone can recompute it: the pool is every expert and every tester
 * with EP ≥ JUROR_EP_MIN, weighted by EP (an expert at least 1); excluded are the producer, the
 * expert of the product's model, the round's testers, the appellants and the jurors of earlier
 * instances of the case. EP is taken at the filing time, and the seed is the latest published
 * checkpoint, whose size and root the draw names.
 */
export async function juryDraw(
  tx: Tx,
  caseId: string,
  instance: number,
  checkpointSize: number,
): Promise<{ draw: SortitionResult; weights: Map<string, number> }> {
  const appeal = await loadAppeal(tx, caseId, instance);
  // Experience as it stood when the appeal was filed: a time on the log, so the draw computed
  // before the platform signs it and the draw its handler checks are the same.
  const now = new Date(appeal.created_at);
  // The expert whose model the product uses earns from its sales: tied to the case too.
  const [round] = await rows<{ producer_did: string; expert_did: string | null }>(
    tx,
    sql`select r.producer_did, v.expert_did from consensus_rounds r
          left join catalog_model_versions v on v.model_id = r.model_id and v.version = r.model_version
         where r.id = ${appeal.round_id}`,
  );
  const candidates = await rows<{ did: string; role: string }>(
    tx,
    sql`select did, role from account_roles where role in ('expert', 'tester') order by did, role`,
  );
  const roles = new Map<string, string[]>();
  for (const { did, role } of candidates) roles.set(did, [...(roles.get(did) ?? []), role]);
  const power = await experienceOf(tx, [...roles.keys()], now);
  const pool = juryPool(
    [...roles].map(([did, held]) => ({ did, roles: held })),
    power,
    JUROR_EP_MIN,
  );
  const tied = await rows<{ did: string }>(
    tx,
    sql`select tester_did as did from consensus_round_testers where round_id = ${appeal.round_id}
        union select appellant_did from consensus_appeals where case_id = ${caseId}
        union select juror_did from consensus_jurors where case_id = ${caseId} and instance < ${instance}`,
  );
  const exclude = [
    ...new Set([round?.producer_did ?? '', round?.expert_did ?? '', ...tied.map((t) => t.did)].filter((d) => d !== '')),
  ];
  const checkpoint = await checkpointAt(tx, checkpointSize);
  if (checkpoint === undefined)
    throw new AppError(422, 'unknown_checkpoint', `No checkpoint of size ${checkpointSize}.`, 'body.checkpointSize');
  try {
    const draw = drawJury({
      checkpointRoot: Buffer.from(checkpoint.root).toString('hex'),
      caseId,
      instance,
      pool,
      exclude,
      policy: DEFAULT_CONSENSUS_POLICY.jury,
    });
    return { draw, weights: new Map(pool.map((entry) => [entry.id, Number(entry.weight)])) };
  } catch (error) {
    if (error instanceof ConsensusError) throw new AppError(409, error.code, error.message, error.field);
    throw error;
  }
}

/**
 * The stakes the drawn jurors serve with (protocol `juryStakes`): the nominations naming each, as
 * they stand when the jury is drawn. Published by digest with the draw, so a juror's nominators
 * know what their stake answers for, and the ruling slashes and rewards exactly that.
 */
export async function jurorStakes(
  executor: Executor,
  caseId: string,
  instance: number,
  jurors: readonly string[],
): Promise<JuryStakes> {
  return juryStakes(caseId, instance, jurors, await stakedNominations(executor));
}

export const juryDrawn = defineEvent({
  type: 'consensus.jury.drawn',
  summary:
    "The platform draws an appeal instance's jury once its bond is paid; the digest names the draw anyone can recompute from the log and the checkpoint.",
  body: z
    .object({
      caseId: z.string().min(1).max(80),
      instance: z.number().int().min(0).max(8),
      checkpointSize: z.number().int().min(1).describe('The published checkpoint whose root seeds the draw.'),
      jurors: z.array(DID_SCHEMA).min(1).max(1024).describe('The drawn jurors, in the order drawn.'),
      digest: SHA256_HEX,
      stakesDigest: SHA256_HEX.describe(
        "The digest of the jurors' stakes (protocol juryStakes) as the nominations stand at the draw.",
      ),
    })
    .strict(),
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform draws a jury.');
    const { tx } = event;
    const now = signedAt(event);
    const appeal = await loadAppeal(tx, body.caseId, body.instance, true);
    if (appeal.status !== 'awaiting_bond')
      throw conflict('already_drawn', `The jury of ${body.caseId} instance ${body.instance} is drawn already.`);
    const { draw, weights } = await juryDraw(tx, body.caseId, body.instance, body.checkpointSize);
    const digest = resultDigest(draw);
    if (digest !== body.digest || draw.drawn.join() !== body.jurors.join())
      throw new AppError(422, 'digest_mismatch', `The draw's digest is ${digest}.`, 'body.digest');
    const stakes = await jurorStakes(tx, body.caseId, body.instance, draw.drawn);
    const stakesDigest = resultDigest(stakes);
    if (stakesDigest !== body.stakesDigest)
      throw new AppError(
        422,
        'stakes_digest_mismatch',
        `The jurors' stakes have digest ${stakesDigest}.`,
        'body.stakesDigest',
      );
    const commitDeadline = new Date(now.getTime() + JURY_COMMIT_DAYS * DAY_MS);
    const revealDeadline = new Date(commitDeadline.getTime() + JURY_REVEAL_DAYS * DAY_MS);
    await tx.execute(
      sql`update consensus_appeals set status = 'voting', checkpoint_size = ${body.checkpointSize}, checkpoint_root = ${draw.checkpointRoot},
                 commit_deadline = ${commitDeadline.toISOString()}::timestamptz,
                 reveal_deadline = ${revealDeadline.toISOString()}::timestamptz, drawn_event_id = ${event.eventId.toString()}::int8
           where case_id = ${body.caseId} and instance = ${body.instance}`,
    );
    for (const seat of stakes.jurors) {
      await tx.execute(
        sql`insert into consensus_jurors (case_id, instance, juror_did, weight, backing, stake_points)
            values (${body.caseId}, ${body.instance}, ${seat.juror}, ${weights.get(seat.juror) ?? 0},
                    ${JSON.stringify(seat.backers)}::jsonb, ${seat.stakePoints}::int8)`,
      );
    }
    await storeResult(tx, {
      kind: 'draw',
      subject: `jury:${body.caseId}`,
      stage: body.instance,
      result: draw,
      digest,
      eventId: event.eventId,
      at: now,
    });
    return {
      caseId: body.caseId,
      instance: body.instance,
      jurors: draw.drawn,
      stakes: stakes.jurors.map((seat) => ({ juror: seat.juror, stakePoints: seat.stakePoints })),
      commitDeadline: commitDeadline.toISOString(),
      revealDeadline: revealDeadline.toISOString(),
    };
  },
});
