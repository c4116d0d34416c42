import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/connection.js';

/**
 * A result the operator published (DESIGN §8: every election, draw, tally, rewards and ruling),
 * stored beside the event that published it: the JSON the digest is of, so the API can show what
 * anyone recomputes. One per kind, subject and stage.
 */
export interface StoredResult {
  kind: 'election' | 'draw' | 'tally' | 'rewards' | 'ruling';
  /** The round, `jury:<case>` or the election's subject. */
  subject: string;
  /** The round's stage, the appeal's instance, 0 for an election. */
  stage: number;
  result: unknown;
  digest: string;
  eventId: bigint;
  at: Date;
}

export async function storeResult(tx: Tx, stored: StoredResult): Promise<void> {
  await tx.execute(
    sql`insert into consensus_results (kind, subject, stage, result, digest, event_id, created_at)
        values (${stored.kind}, ${stored.subject}, ${stored.stage}, ${JSON.stringify(stored.result)}::jsonb,
                ${stored.digest}, ${stored.eventId.toString()}::int8, ${stored.at.toISOString()}::timestamptz)`,
  );
}
