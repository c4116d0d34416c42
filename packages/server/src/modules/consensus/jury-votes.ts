import { classifyReveals, type JuryVote, juryRoundId } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Tx } from '../../db/connection.js';
import { conflict, forbidden } from '../../errors.js';
import { SHA256_HEX } from '../catalog/schema.js';
import { defineEvent } from '../events/registry.js';
import { type AppealRow, loadAppeal } from './appeals.js';
import { signedAt } from './signed-time.js';

/**
 * A juror's vote, by commit–reveal (DESIGN §8.5): first `voteCommit({round, juror, vote}, salt)`
 * before the commit deadline, then the vote and the salt inside the reveal window. A juror commits
 * once and reveals once; a reveal that does not open the commit, or comes early or late, is
 * recorded (it is on the log anyway) and counts as no vote, as the ruling will classify it.
 */

const CASE = {
  caseId: z.string().min(1).max(80),
  instance: z.number().int().min(0).max(8),
};

const ms = (value: Date | string | null) => (value === null ? 0 : new Date(value).getTime());

/** The appeal instance, which must be voting, and the juror's seat on it (both row-locked). */
async function votingSeat(tx: Tx, caseId: string, instance: number, juror: string) {
  const appeal = await loadAppeal(tx, caseId, instance, true);
  if (appeal.status !== 'voting')
    throw conflict('not_voting', `The jury of ${caseId} is not voting (${appeal.status}).`, 'body.caseId');
  return { appeal, seat: await seatOf(tx, appeal, juror) };
}

async function seatOf(tx: Tx, appeal: AppealRow, juror: string) {
  const [seat] = await rows<{ commit: string | null; committed_at: Date | string | null; vote: string | null }>(
    tx,
    sql`select commit, committed_at, vote from consensus_jurors
         where case_id = ${appeal.case_id} and instance = ${appeal.instance} and juror_did = ${juror} for update`,
  );
  if (seat === undefined) throw forbidden('not_a_juror', `You are not on the jury of ${appeal.case_id}.`);
  return seat;
}

export const juryVoteCommitted = defineEvent({
  type: 'consensus.jury.committed',
  summary: "A juror commits to a vote: voteCommit({round, juror, vote}, salt), before the jury's commit deadline.",
  body: z.object({ ...CASE, commit: SHA256_HEX }).strict(),
  allowed: 'registered',
  async handle(event, body) {
    const { appeal, seat } = await votingSeat(event.tx, body.caseId, body.instance, event.actor);
    if (seat.commit !== null) throw conflict('already_committed', 'You committed a vote already.', 'body.commit');
    const at = signedAt(event);
    if (at.getTime() > ms(appeal.commit_deadline))
      throw conflict('commit_closed', 'The commit deadline has passed.', 'body.commit');
    await event.tx.execute(
      sql`update consensus_jurors set commit = ${body.commit}, committed_at = ${at.toISOString()}::timestamptz
           where case_id = ${body.caseId} and instance = ${body.instance} and juror_did = ${event.actor}`,
    );
    return { caseId: body.caseId, instance: body.instance, round: juryRoundId(body.caseId, body.instance) };
  },
});

export const juryVoteRevealed = defineEvent({
  type: 'consensus.jury.revealed',
  summary: 'A juror reveals the vote and salt they committed to, inside the reveal window.',
  body: z
    .object({ ...CASE, vote: z.enum(['uphold', 'overturn']), salt: z.string().regex(/^[0-9a-f]{32,128}$/) })
    .strict(),
  allowed: 'registered',
  async handle(event, body) {
    const { appeal, seat } = await votingSeat(event.tx, body.caseId, body.instance, event.actor);
    if (seat.commit === null || seat.committed_at === null)
      throw conflict('not_committed', 'Commit a vote before revealing it.', 'body.vote');
    if (seat.vote !== null) throw conflict('already_revealed', 'You revealed your vote already.', 'body.vote');
    const at = signedAt(event);
    const round = juryRoundId(body.caseId, body.instance);
    const payload: JuryVote = { round, juror: event.actor, vote: body.vote };
    const [outcome] = classifyReveals<JuryVote>(
      {
        round,
        participants: [event.actor],
        commits: [{ participant: event.actor, commit: seat.commit, atMs: ms(seat.committed_at) }],
        reveals: [{ participant: event.actor, payload, salt: body.salt, atMs: at.getTime() }],
        commitDeadlineMs: ms(appeal.commit_deadline),
        revealDeadlineMs: ms(appeal.reveal_deadline),
      },
      'juror',
    );
    const status = outcome?.status ?? 'missing';
    await event.tx.execute(
      sql`update consensus_jurors set vote = ${body.vote}, salt = ${body.salt}, revealed_at = ${at.toISOString()}::timestamptz,
                 reveal_status = ${status}
           where case_id = ${body.caseId} and instance = ${body.instance} and juror_did = ${event.actor}`,
    );
    return { caseId: body.caseId, instance: body.instance, status };
  },
});
