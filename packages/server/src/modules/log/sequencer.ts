import { preparedRows, type Tx } from '../../db/connection.js';

/** C2SP tlog-tiles entry bundles prefix each entry with a uint16 length. */
export const LOG_ENTRY_BYTES_MAX = 65_535;

// One statement, so the counter row is locked for as few round trips as possible: from here to
// the commit, every other transaction that appends to the log waits for it. It also stores each
// event's result (what a replay answers), which saves every event a statement of its own.
const SEQUENCE = `with counter as (
    update log_sequencer set next_index = next_index + cardinality($1::int8[]) returning next_index - cardinality($1::int8[]) as first)
  update events set log_index = counter.first + v.ord - 1, result = v.result
    from counter, unnest($1::int8[], $2::jsonb[]) with ordinality as v(id, result, ord)
   where events.id = v.id
  returning counter.first::text as first`;

/**
 * Gives the events, in order, the next consecutive log indexes (and stores their handlers'
 * results), in the caller's transaction.
 * The single counter row is locked until commit, so batches from every server process commit
 * in index order: the committed log is always a gapless prefix, never numbered twice.
 */
export async function assignLogIndexes(
  tx: Tx,
  events: readonly { id: bigint; result: Record<string, unknown> }[],
): Promise<bigint[]> {
  if (events.length === 0) return [];
  const [row] = await preparedRows<{ first: string }>(tx, 'log_sequence', SEQUENCE, [
    events.map((event) => event.id.toString()),
    events.map((event) => JSON.stringify(event.result)),
  ]);
  if (row === undefined) throw new Error('log_sequencer row or the events are missing: migrations not applied?');
  const first = BigInt(row.first);
  return events.map((_, i) => first + BigInt(i));
}
