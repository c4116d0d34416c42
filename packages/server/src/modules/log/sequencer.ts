import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/connection.js';

/** C2SP tlog-tiles entry bundles prefix each entry with a uint16 length. */
export const LOG_ENTRY_BYTES_MAX = 65_535;

/**
 * Gives the events, in order, the next consecutive log indexes, in the caller's transaction.
 * The single counter row is locked until commit, so batches from every server process commit
 * in index order: the committed log is always a gapless prefix, never numbered twice.
 */
export async function assignLogIndexes(tx: Tx, eventIds: readonly bigint[]): Promise<bigint[]> {
  if (eventIds.length === 0) return [];
  const count = eventIds.length;
  const result = (await tx.execute(
    sql`update log_sequencer set next_index = next_index + ${count} returning next_index - ${count} as first`,
  )) as unknown as { rows: { first: string }[] };
  const firstText = result.rows[0]?.first;
  if (firstText === undefined) throw new Error('log_sequencer row missing: migrations not applied');
  const first = BigInt(firstText);
  const indexes = eventIds.map((_, i) => first + BigInt(i));
  const pairs = sql.join(
    eventIds.map((id, i) => sql`(${id.toString()}::int8, ${(indexes[i] as bigint).toString()}::int8)`),
    sql`, `,
  );
  await tx.execute(
    sql`update events set log_index = v.idx from (values ${pairs}) as v(id, idx) where events.id = v.id`,
  );
  return indexes;
}
