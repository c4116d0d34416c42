import { type PhragmenResult, reportCommit, resultDigest, type TestReport, toHex } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import type { KeyPair } from '../keys.js';
import { cycleOf } from '../modules/distribution/supplier-tokens.js';
import type { TestApp } from './app.js';

/** Fixtures for the experience-consensus tests. */

type Someone = string | KeyPair | { pair: KeyPair };
const didOf = (who: Someone) => (typeof who === 'string' ? who : 'did' in who ? who.did : who.pair.did);

/**
 * Seats `testers` as the panel of `category` for the current cycle (or `options.cycle`), each
 * backed by `options.backedPoints` (default 0). A panel is normally elected by an envelope
 * (consensus.panel.elected); this stands in for it, with a result shaped like the election's.
 */
export async function panelOf(
  t: TestApp,
  category: string,
  testers: readonly Someone[],
  options: { cycle?: number; backedPoints?: bigint } = {},
): Promise<{ cycle: number; members: string[] }> {
  const cycle = options.cycle ?? cycleOf(t.clock.now);
  const backed = options.backedPoints ?? 0n;
  const members = testers.map(didOf);
  const result: PhragmenResult = {
    toElect: members.length,
    elected: members.map((did, round) => ({ candidate: did, round, backedStakeFen: backed.toString() })),
    assignments: [],
  };
  const db = t.ctx.database.db;
  await db.execute(
    sql`insert into consensus_panels (cycle, category, seats, result, digest, elected_event_id, created_at)
        values (${cycle}, ${category}, ${members.length}, ${JSON.stringify(result)}::jsonb, ${resultDigest(result)},
                0, ${t.clock.now.toISOString()}::timestamptz)`,
  );
  for (const did of members) {
    await db.execute(
      sql`insert into consensus_panel_members (cycle, category, tester_did, backed_points)
          values (${cycle}, ${category}, ${did}, ${backed.toString()}::int8)`,
    );
  }
  return { cycle, members };
}

/** A fresh random salt, as a tester's client makes one (16 bytes, hex). */
export const newSalt = (): string => toHex(nodeCrypto.randomBytes(16));

/** A rice report (riceModel's attributes) by `tester` in `round`. */
export const riceReport = (
  round: string,
  tester: Someone,
  values: TestReport['values'] = { moisture: 14.4, organic: true, grade: '一级' },
): TestReport => ({ round, tester: didOf(tester), values, evidence: [], text: '实测:水分 14.4 g/100g,有机证书有效。' });

/** The commit a tester's client sends for `report` with `salt`. */
export const commitOfReport = (report: TestReport, salt: string): string => reportCommit(report, salt);
