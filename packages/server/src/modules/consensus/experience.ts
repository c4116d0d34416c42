import { experiencePower } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { type ConsensusPolicy, DEFAULT_CONSENSUS_POLICY } from './policy.js';

/**
 * A tester's experience power (DESIGN §8.2): the decayed sum of the accuracy of their completed
 * tests (protocol `experiencePower`), read from `consensus_tests`. Everything in that table comes
 * from the log (the approval of the tester role, and the published tallies), so anyone replaying
 * the log gets the same number at the same time.
 */

export const GENESIS_ROUND = 'genesis';

interface TestRow {
  tester_did: string;
  accuracy: number;
  penalty: number;
  completed_at: Date | string;
}

/** The EP of each of `testers` at `now` (0 for one with no tests). */
export async function experienceOf(
  executor: Executor,
  testers: readonly string[],
  now: Date,
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
): Promise<Map<string, number>> {
  const power = new Map<string, number>(testers.map((did) => [did, 0]));
  if (testers.length === 0) return power;
  const found = await rows<TestRow>(
    executor,
    sql`select tester_did, accuracy, penalty, completed_at from consensus_tests
         where tester_did in ${[...new Set(testers)]} and completed_at <= ${now.toISOString()}::timestamptz`,
  );
  const byTester = new Map<string, { accuracy: number; penalty: number; completedAtMs: number }[]>();
  for (const row of found) {
    const list = byTester.get(row.tester_did) ?? [];
    list.push({
      accuracy: Number(row.accuracy),
      penalty: Number(row.penalty),
      completedAtMs: new Date(row.completed_at).getTime(),
    });
    byTester.set(row.tester_did, list);
  }
  for (const [did, tests] of byTester) {
    power.set(did, experiencePower(tests, { nowMs: now.getTime(), halfLifeDays: policy.halfLifeDays }));
  }
  return power;
}

/** Records a completed test (idempotent per tester and round). */
export async function recordTest(
  tx: Tx,
  test: { tester: string; roundId: string; accuracy: number; penalty?: number; completedAt: Date },
): Promise<void> {
  await tx.execute(
    sql`insert into consensus_tests (tester_did, round_id, accuracy, penalty, completed_at)
        values (${test.tester}, ${test.roundId}, ${test.accuracy}, ${test.penalty ?? 0}, ${test.completedAt.toISOString()}::timestamptz)
        on conflict (tester_did, round_id) do nothing`,
  );
}

/**
 * A newly approved tester's qualification entry: the operator's approval (an envelope) stands
 * for one accurate test, so a new platform has testers it can draw at all; it decays like any
 * other, and real tests soon outweigh it.
 */
export async function onTesterApproved(_ctx: AppContext, tx: Tx, did: string, now: Date): Promise<void> {
  await recordTest(tx, {
    tester: did,
    roundId: GENESIS_ROUND,
    accuracy: DEFAULT_CONSENSUS_POLICY.genesisAccuracy,
    completedAt: now,
  });
}
