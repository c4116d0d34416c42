import type { Envelope } from '@concord/protocol';
import { DEFAULT_CONSENSUS_POLICY } from '@concord/server';
import {
  accountWithRole,
  appeal,
  createTestApp,
  decidedRound,
  deliverWebhooks,
  juryVotesAndRuling,
  type Member,
  register,
  riceShop,
  sign,
  type TestApp,
} from '@concord/server/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consensusResults } from '../src/verify/consensus-results.js';
import { consensusRulings } from '../src/verify/consensus-rulings.js';
import { ConsensusState } from '../src/verify/consensus-state.js';

let t: TestApp;
let producer: Member;
const experts: TestApp['operator'][] = [];

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'replay-rice', 10);
  for (let i = 0; i < 5; i++) experts.push(await accountWithRole(t, 'expert'));
  await t.integrate();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** The log's envelopes in log order, as `concord verify` reads them. */
async function logEnvelopes(): Promise<Envelope[]> {
  const result = (await t.ctx.database.db.execute(
    sql`select envelope from events where log_index is not null order by log_index`,
  )) as unknown as { rows: { envelope: Envelope }[] };
  return result.rows.map((row) => row.envelope);
}

/** The rulings never ask for an earlier tree's root. */
const noPrefix = { rootAt: () => undefined };

/**
 * The rulings' replay, fed by the results' replay state as `concord verify` feeds it (this log's
 * rounds are decided by the test support, not on the log, so the results' own findings are not
 * this test's subject).
 */
function replay(envelopes: readonly Envelope[]): string[] {
  const state = new ConsensusState(DEFAULT_CONSENSUS_POLICY);
  const results = consensusResults(DEFAULT_CONSENSUS_POLICY, state);
  const check = consensusRulings(state);
  return envelopes.flatMap((envelope, index) => {
    results.entry(index, envelope, noPrefix);
    return check.entry(index, envelope, noPrefix) ?? [];
  });
}

describe('replaying appeal rulings from the log', () => {
  it('recomputes every published ruling, and catches one the operator signed with another outcome', async () => {
    const roundId = await decidedRound(t, producer, 'replay-rice', 'fail');
    expect((await appeal(t, producer, roundId, 0)).statusCode).toBe(201);
    await deliverWebhooks(t);
    await juryVotesAndRuling(t, experts, `appeal-${roundId}`, 0, (_juror, i) => (i === 0 ? 'uphold' : 'overturn'));
    const envelopes = await logEnvelopes();
    const ruled = envelopes.filter((e) => e.type === 'consensus.appeal.ruled');
    expect(ruled).toHaveLength(1);
    expect(ruled[0]?.body).toMatchObject({ ruling: 'overturn' });
    expect(replay(envelopes)).toEqual([]);

    // A ruling the votes do not give, signed with the operator's key as a real one would be.
    const forged = sign(t.operator, 'consensus.appeal.ruled', { ...(ruled[0]?.body as object), ruling: 'uphold' });
    const found = replay([...envelopes, forged]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('is overturn');
    // And a ruling of a case whose jury the log never drew.
    const stray = sign(t.operator, 'consensus.appeal.ruled', {
      caseId: 'appeal-nowhere',
      instance: 0,
      ruling: 'uphold',
      digest: '0'.repeat(64),
    });
    expect(replay([...envelopes, stray])[0]).toContain('never drew');
  });
});
