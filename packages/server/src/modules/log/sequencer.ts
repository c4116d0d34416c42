import { lastStatementAndCommit, preparedRows, type Tx } from '../../db/connection.js';

/** C2SP tlog-tiles entry bundles prefix each entry with a uint16 length. */
export const LOG_ENTRY_BYTES_MAX = 65_535;

/** Where a receipt's inclusion proof is served: this prefix and its log index. */
export const PROOF_URL_PREFIX = '/v1/log/entries/';

// One statement, so the counter row is locked for as few round trips as possible: from here to
// the commit, every other transaction that appends to the log waits for it. It also stores each
// event's result (what a replay answers), which saves every event a statement of its own.
const COUNTER = `counter as (
    update log_sequencer set next_index = next_index + cardinality($1::int8[]) returning next_index - cardinality($1::int8[]) as first)`;
const NUMBER_EVENTS = `update events set log_index = counter.first + v.ord - 1, result = v.result
    from counter, unnest($1::int8[], $2::jsonb[]) with ordinality as v(id, result, ord)
   where events.id = v.id
  returning counter.first::text as first`;
const SEQUENCE = `with ${COUNTER} ${NUMBER_EVENTS}`;
// The same, and the stored answer of the request (idempotency_keys) with the first index filled
// into its receipt, as the statement the commit goes with: the counter row is unlocked by it.
const SEQUENCE_AND_ANSWER = `with ${COUNTER},
  answered as (
    update idempotency_keys
       set status_code = $3::int,
           response = jsonb_set(jsonb_set($4::jsonb, '{receipt,logIndex}', to_jsonb(counter.first::text)),
                                '{receipt,proofUrl}', to_jsonb($7::text || counter.first::text))
      from counter
     where scope = $5 and key = $6)
  ${NUMBER_EVENTS}`;

/**
 * The answer an idempotent request stores with its effect: `body.receipt` is the receipt of the
 * first event sequenced, whose `logIndex` and `proofUrl` the sequencing fills in.
 */
export interface StoredAnswer {
  scope: string;
  key: string;
  status: number;
  body: { receipt: unknown } & Record<string, unknown>;
}

/**
 * Gives the events, in order, the next consecutive log indexes (and stores their handlers'
 * results), in the caller's transaction.
 * The single counter row is locked until commit, so batches from every server process commit
 * in index order: the committed log is always a gapless prefix, never numbered twice. With
 * `commit`, the transaction commits in the same round trip (nothing may run on `tx` after it),
 * storing `answer` on the way.
 */
export interface SequenceOptions {
  /** Commit with the sequencing statement; nothing may run on the transaction after it. */
  commit?: boolean;
  /** Stored on the way (only with `commit`). */
  answer?: StoredAnswer | undefined;
}

type SequencedListener = (count: number) => void;
const sequencedListeners = new Set<SequencedListener>();

/**
 * Calls `listener` with the number of entries each sequencing in this process numbers (the
 * integrator, to start before its timer once a batch is waiting). In memory, no SQL: it costs the
 * request path nothing. With `commit` the entries are committed when it is called; otherwise their
 * transaction commits a little later (an integration that runs first finds them on its next turn).
 * It is process-wide: a process has one database (a test process with several sees spare runs).
 */
export function onSequenced(listener: SequencedListener): () => void {
  sequencedListeners.add(listener);
  return () => sequencedListeners.delete(listener);
}

export async function assignLogIndexes(
  tx: Tx,
  events: readonly { id: bigint; result: Record<string, unknown> }[],
  options: SequenceOptions = {},
): Promise<bigint[]> {
  if (events.length === 0) return [];
  const ids = events.map((event) => event.id.toString());
  const results = events.map((event) => JSON.stringify(event.result));
  const { answer } = options;
  if (answer !== undefined && options.commit !== true) throw new Error('an answer is stored only with the commit');
  const [row] =
    options.commit === true
      ? await lastStatementAndCommit<{ first: string }>(tx, 'log_sequence_answer', SEQUENCE_AND_ANSWER, [
          ids,
          results,
          answer?.status ?? null,
          answer === undefined ? null : JSON.stringify(answer.body),
          answer?.scope ?? null,
          answer?.key ?? null,
          PROOF_URL_PREFIX,
        ])
      : await preparedRows<{ first: string }>(tx, 'log_sequence', SEQUENCE, [ids, results]);
  if (row === undefined) throw new Error('log_sequencer row or the events are missing: migrations not applied?');
  const first = BigInt(row.first);
  for (const listener of sequencedListeners) listener(events.length);
  return events.map((_, i) => first + BigInt(i));
}
