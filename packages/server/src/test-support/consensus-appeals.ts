import { type JuryChoice, juryRoundId, voteCommit } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { KeyPair } from '../keys.js';
import { ruleDueAppeals } from '../modules/consensus/rulings.js';
import type { TestApp } from './app.js';
import { bearer, send, signAs } from './commerce.js';
import { DAY_MS, type Member } from './shopping.js';

/**
 * Appeals for tests: a round decided as the tally leaves one (a row, since the tally has its own
 * tests), an appeal through the API, and a jury's votes through commit and reveal up to the ruling.
 */

let rounds = 0;

/** A round of `productId` (of `producer`, rice model v1) decided as `verdict` now, open to appeal for 7 days. */
export async function decidedRound(
  t: TestApp,
  producer: Member,
  productId: string,
  verdict: 'pass' | 'fail',
): Promise<string> {
  const id = `r-appeal-${rounds++}`;
  const now = t.ctx.clock().toISOString();
  const appealUntil = new Date(t.ctx.clock().getTime() + 7 * DAY_MS).toISOString();
  await t.ctx.database.db.execute(
    sql`insert into consensus_rounds (id, product_id, lot_id, producer_did, category, model_id, model_version,
                                      claims_event_id, cycle, status,
                                      checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline, verdict,
                                      opened_event_id, appeal_until, created_at, decided_at)
        values (${id}, ${productId}, 'L1', ${producer.pair.did}, 'rice', 'rice-model', 1,
                (select claims_event_id from catalog_products where id = ${productId}), 0, 'decided', 1, ${'0'.repeat(64)},
                ${now}::timestamptz, ${now}::timestamptz, ${verdict}, 0, ${appealUntil}::timestamptz,
                ${now}::timestamptz, ${now}::timestamptz)`,
  );
  return id;
}

let keys = 0;

/** Files an appeal of `roundId` at `instance` through POST /v1/consensus/appeals. */
export function appeal(t: TestApp, by: Member, roundId: string, instance: number, simulate = 'succeed') {
  return t.app.inject({
    method: 'POST',
    url: '/v1/consensus/appeals',
    headers: { ...bearer(by.token), 'idempotency-key': `test-appeal-${keys++}` },
    payload: {
      envelope: signAs(t, by.pair, 'consensus.appeal.filed', {
        roundId,
        instance,
        grounds: '检测方法不符合标准 GB/T 20886 的取样要求',
      }),
      simulate,
    },
  });
}

export const appealCase = async (t: TestApp, caseId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/consensus/appeals/${caseId}` })).json();

/**
 * Every juror of the instance (all among `jurorKeys`) commits to `votes(juror, i)` and reveals in
 * the window; then the clock passes the reveal deadline and the ruling job rules. The clock comes
 * back to now (sessions expire when it moves that far).
 */
export async function juryVotesAndRuling(
  t: TestApp,
  jurorKeys: readonly KeyPair[],
  caseId: string,
  instance: number,
  votes: (juror: string, i: number) => JuryChoice,
) {
  const keyOf = (did: string) => {
    const found = jurorKeys.find((pair) => pair.did === did);
    if (found === undefined) throw new Error(`${did} was drawn but is not one of the test's jurors`);
    return found;
  };
  const seat = (await appealCase(t, caseId)).instances[instance];
  const jurors: string[] = seat.jurors.map((j: { juror: string }) => j.juror);
  const round = juryRoundId(caseId, instance);
  const salt = 'ab'.repeat(16);
  for (const [i, juror] of jurors.entries()) {
    const commit = voteCommit({ round, juror, vote: votes(juror, i) }, salt);
    const response = await send(t, keyOf(juror), 'consensus.jury.committed', { caseId, instance, commit });
    if (response.statusCode !== 201) throw new Error(`commit refused: ${response.body}`);
  }
  t.clock.now = new Date(Date.parse(seat.commitDeadline) + 1_000);
  for (const [i, juror] of jurors.entries()) {
    const response = await send(t, keyOf(juror), 'consensus.jury.revealed', {
      caseId,
      instance,
      vote: votes(juror, i),
      salt,
    });
    if (response.json().result?.status !== 'valid') throw new Error(`reveal not valid: ${response.body}`);
  }
  t.clock.now = new Date(Date.parse(seat.revealDeadline) + 1_000);
  const ruled = await ruleDueAppeals(t.ctx);
  t.clock.now = new Date();
  if (ruled < 1) throw new Error('no ruling was due');
  return { jurors, view: await appealCase(t, caseId) };
}
