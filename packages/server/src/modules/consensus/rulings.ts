import {
  type JuryVote,
  jurorSeatsOf,
  juryRoundId,
  type RulingResult,
  resultDigest,
  ruleAppeal,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { fromJsonb, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict } from '../../errors.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import { SHA256_HEX } from '../catalog/schema.js';
import { earningsAccount, ensureEarnings } from '../distribution/accounts.js';
import { defineEvent } from '../events/registry.js';
import { platformAct } from '../orders/platform-acts.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { postPaymentHold, refundPayment } from '../payments/service.js';
import { type AppealRow, bondEscrowOf, flip, loadAppeal } from './appeals.js';
import { settleJurorStakes } from './juror-stakes.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';
import { signedAt } from './signed-time.js';
import { replaceVerdict } from './verdict.js';

/**
 * The ruling of an appeal instance (DESIGN §8.5): after the jury's reveal deadline the platform
 * publishes `ruleAppeal` over the jurors' commits and reveals as an envelope whose digest anyone
 * can recompute. The majority rules (a tie lets the verdict stand); the jury's fee out of the bond
 * goes to the coherent jurors whichever way they ruled, the rest comes back when the verdict is
 * overturned and goes to the arbitration pool when it stands; the incoherent jurors' backers are
 * slashed for the coherent jurors' backers (juror-stakes.ts); an overturned verdict is replaced by
 * the other one, with its consequences (`replaceVerdict`).
 */

export const ARBITRATION_ACCOUNT = 'platform:arbitration';
const DAY_MS = 86_400_000;
const ms = (value: Date | string | null) => (value === null ? 0 : new Date(value).getTime());

/** The ruling as the rule gives it from what the database holds of the instance. */
export async function computeRuling(tx: Tx, appeal: AppealRow): Promise<RulingResult> {
  const jurors = await rows<{
    juror_did: string;
    commit: string | null;
    committed_at: Date | string | null;
    vote: 'uphold' | 'overturn' | null;
    salt: string | null;
    revealed_at: Date | string | null;
    backing: { nominator: string; stakePoints: string }[] | string;
  }>(
    tx,
    sql`select juror_did, commit, committed_at, vote, salt, revealed_at, backing from consensus_jurors
         where case_id = ${appeal.case_id} and instance = ${appeal.instance} order by juror_did`,
  );
  const round = juryRoundId(appeal.case_id, appeal.instance);
  return ruleAppeal({
    caseId: appeal.case_id,
    instance: appeal.instance,
    // The stakes as read at the draw (appeals.ts jurorStakes).
    jurors: jurorSeatsOf(jurors.map((j) => ({ juror: j.juror_did, backers: fromJsonb(j.backing) }))),
    commits: jurors.flatMap((j) =>
      j.commit === null ? [] : [{ participant: j.juror_did, commit: j.commit, atMs: ms(j.committed_at) }],
    ),
    reveals: jurors.flatMap((j) =>
      j.vote === null || j.salt === null
        ? []
        : [
            {
              participant: j.juror_did,
              payload: { round, juror: j.juror_did, vote: j.vote } satisfies JuryVote,
              salt: j.salt,
              atMs: ms(j.revealed_at),
            },
          ],
    ),
    commitDeadlineMs: ms(appeal.commit_deadline),
    revealDeadlineMs: ms(appeal.reveal_deadline),
    bonds: [{ party: appeal.appellant_did, side: 'overturn', amountFen: BigInt(appeal.bond_fen) }],
    policy: DEFAULT_CONSENSUS_POLICY.jury,
  });
}

/**
 * Pays out the bond as ruled: the jury's fee to the coherent jurors' earnings, the rest back to the
 * appellant through the provider when the verdict fell, or to the arbitration pool when it stood
 * (with the fee when no juror was coherent).
 */
async function settleBond(ctx: AppContext, tx: Tx, appeal: AppealRow, ruling: RulingResult, now: Date): Promise<void> {
  await postPaymentHold(ctx, tx, appeal.payment_id);
  const returned = ruling.bonds.reduce((sum, bond) => sum + BigInt(bond.returnedFen), 0n);
  if (returned > 0n) await refundPayment(ctx, tx, appeal.payment_id, returned);
  const escrow = bondEscrowOf(appeal.case_id, appeal.instance);
  const paid = ruling.jurors.filter((juror) => BigInt(juror.rewardFen) > 0n);
  for (const juror of paid) await ensureEarnings(tx, juror.juror);
  await createAccounts(tx, [{ key: ARBITRATION_ACCOUNT, ledger: 'CNY', code: 'arbitration' }]);
  const id = (suffix: string) => `ruling:${appeal.case_id}:${appeal.instance}:${suffix}`;
  const toPool = BigInt(ruling.unpaidFen) + BigInt(ruling.keptFen);
  await createTransfers(
    tx,
    [
      ...paid.map((juror, i) => ({
        id: id(`juror-${i}`),
        debitAccount: escrow,
        creditAccount: earningsAccount(juror.juror),
        amount: BigInt(juror.rewardFen),
        code: 'jury_reward',
        reference: appeal.case_id,
      })),
      ...(toPool > 0n
        ? [
            {
              id: id('pool'),
              debitAccount: escrow,
              creditAccount: ARBITRATION_ACCOUNT,
              amount: toPool,
              code: 'jury_kept',
              reference: appeal.case_id,
            },
          ]
        : []),
    ],
    now,
  );
}

export const appealRuled = defineEvent({
  type: 'consensus.appeal.ruled',
  summary:
    "The platform publishes an appeal instance's ruling after the jury's reveal deadline; the digest names what ruleAppeal gives from the votes on the log.",
  body: z
    .object({
      caseId: z.string().min(1).max(80),
      instance: z.number().int().min(0).max(8),
      ruling: z.enum(['uphold', 'overturn']),
      digest: SHA256_HEX,
    })
    .strict(),
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform publishes a ruling.');
    const ctx = appOf(event);
    const { tx } = event;
    const now = signedAt(event);
    const appeal = await loadAppeal(tx, body.caseId, body.instance, true);
    if (appeal.status !== 'voting')
      throw conflict('not_voting', `${body.caseId} instance ${body.instance} is ${appeal.status}.`, 'body.caseId');
    if (now.getTime() <= ms(appeal.reveal_deadline))
      throw conflict('not_due', `Votes are revealed until ${new Date(ms(appeal.reveal_deadline)).toISOString()}.`);
    const ruling = await computeRuling(tx, appeal);
    const digest = resultDigest(ruling);
    if (digest !== body.digest || ruling.ruling !== body.ruling)
      throw new AppError(
        422,
        'digest_mismatch',
        `The ruling is ${ruling.ruling} with digest ${digest}.`,
        'body.digest',
      );
    const appealUntil = ruling.final ? null : new Date(now.getTime() + DEFAULT_CONSENSUS_POLICY.appealDays * DAY_MS);
    await tx.execute(
      sql`update consensus_appeals set status = 'ruled', ruling = ${ruling.ruling}, ruled_at = ${now.toISOString()}::timestamptz,
                 ruled_event_id = ${event.eventId.toString()}::int8,
                 appeal_until = ${appealUntil === null ? null : appealUntil.toISOString()}::timestamptz
           where case_id = ${appeal.case_id} and instance = ${appeal.instance}`,
    );
    for (const juror of ruling.jurors) {
      await tx.execute(
        sql`update consensus_jurors set reveal_status = ${juror.status}, coherent = ${juror.coherent},
                   reward_fen = ${juror.rewardFen}::int8, slash_points = ${juror.slashPoints}::int8,
                   reward_points = ${juror.rewardPoints}::int8
             where case_id = ${appeal.case_id} and instance = ${appeal.instance} and juror_did = ${juror.juror}`,
      );
    }
    await storeResult(tx, {
      kind: 'ruling',
      subject: appeal.case_id,
      stage: appeal.instance,
      result: ruling,
      digest,
      eventId: event.eventId,
      at: now,
    });
    await settleBond(ctx, tx, appeal, ruling, now);
    const stakes = await settleJurorStakes(ctx, tx, appeal, ruling, now);
    const verdict = ruling.ruling === 'overturn' ? flip(appeal.verdict_appealed) : appeal.verdict_appealed;
    if (ruling.ruling === 'overturn') await replaceVerdict(ctx, tx, appeal.round_id, verdict, now);
    return {
      caseId: appeal.case_id,
      instance: appeal.instance,
      ruling: ruling.ruling,
      verdict,
      votes: ruling.votes,
      slashedPoints: stakes.slashedPoints.toString(),
      final: ruling.final,
      appealUntil: appealUntil?.toISOString() ?? null,
    };
  },
});

/** Rules every appeal instance whose reveal deadline has passed; returns how many. */
export async function ruleDueAppeals(ctx: AppContext, limit = 20): Promise<number> {
  const due = await rows<{ case_id: string; instance: number }>(
    ctx.database.db,
    sql`select case_id, instance from consensus_appeals
         where status = 'voting' and reveal_deadline < ${ctx.clock().toISOString()}::timestamptz
         order by reveal_deadline limit ${limit}`,
  );
  for (const { case_id, instance } of due) {
    await transaction(ctx.database.db, async (tx) => {
      const appeal = await loadAppeal(tx, case_id, Number(instance), true);
      if (appeal.status !== 'voting') return;
      const ruling = await computeRuling(tx, appeal);
      await platformAct(ctx, tx, 'consensus.appeal.ruled', {
        caseId: case_id,
        instance: Number(instance),
        ruling: ruling.ruling,
        digest: resultDigest(ruling),
      });
    });
  }
  return due.length;
}
