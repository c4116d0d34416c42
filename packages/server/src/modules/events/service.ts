import {
  CanonicalError,
  type CryptoProvider,
  canonicalBytes,
  checkEnvelopeShape,
  type Envelope,
  EnvelopeShapeError,
  leafHash as merkleLeafHash,
  toHex,
  verifyEnvelope,
} from '@concord/protocol';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { bytesParameter, type Database, type Executor, preparedRows, type Tx } from '../../db/connection.js';
import { AppError, badRequest, conflict, forbidden } from '../../errors.js';
import { type ActorStatus, type ActorStatusRow, actorStatusColumns, actorStatusOf } from '../identity/queries.js';
import { assignLogIndexes, LOG_ENTRY_BYTES_MAX, PROOF_URL_PREFIX, type SequenceOptions } from '../log/sequencer.js';
import type { CommitQueue } from './commit-queue.js';
import type { EventDefinition, EventPermission, EventRegistry } from './registry.js';
import { events } from './tables.js';

export interface EventServiceDeps {
  database: Database;
  registry: EventRegistry;
  config: Config;
  crypto: CryptoProvider;
  clock: () => Date;
  /** Group commit of accepted envelopes (see commit-queue.ts). */
  commitQueue: CommitQueue;
}

export interface EventReceipt {
  eventId: string;
  /** Position in the transparency log (gapless, from 0). */
  logIndex: string;
  /** RFC 9162 leaf hash of the entry, hex: SHA-256(0x00 ‖ canonical envelope). */
  leafHash: string;
  type: string;
  actor: string;
  replayed: boolean;
  result: Record<string, unknown>;
}

export interface SubmitOptions {
  /** Stored by the handler in the database only, never in the envelope or the log. */
  privateData?: unknown;
  /** Run inside this transaction (for requests that must commit more beside the event). */
  tx?: Tx;
  /**
   * With `tx`: the caller gives the receipt its log index itself (sequenceReceipts) as its last
   * write before commit. Sequencing locks the log's one counter row until the commit, so every
   * statement run after it holds back every other request that appends to the log.
   */
  sequenceLater?: boolean;
}

class NonceTaken extends Error {}

// Envelopes being accepted by this process, by actor and nonce: a copy that arrives meanwhile
// waits for the first to settle and then replays it, instead of racing it inside one batch.
const inFlight = new WeakMap<CommitQueue, Map<string, Promise<EventReceipt>>>();

/**
 * The one path by which a signed envelope changes state: shape, type, body, replay, signature,
 * clock, permission; then the handler in one transaction with the journal row. Any failure
 * leaves nothing written, and the same envelope sent again is answered with the first result.
 */
export async function submitEnvelope(
  deps: EventServiceDeps,
  raw: unknown,
  options: SubmitOptions = {},
): Promise<EventReceipt> {
  const envelope = checkShape(raw);
  if (options.tx !== undefined) return submitOnce(deps, envelope, options);
  const key = `${envelope.actor}\n${envelope.nonce}`;
  let flights = inFlight.get(deps.commitQueue);
  if (flights === undefined) {
    flights = new Map();
    inFlight.set(deps.commitQueue, flights);
  }
  for (let pending = flights.get(key); pending !== undefined; pending = flights.get(key)) {
    await pending.catch(() => undefined);
  }
  const run = submitOnce(deps, envelope, options);
  flights.set(key, run);
  try {
    return await run;
  } finally {
    if (flights.get(key) === run) flights.delete(key);
  }
}

async function submitOnce(deps: EventServiceDeps, envelope: Envelope, options: SubmitOptions): Promise<EventReceipt> {
  const definition = deps.registry.get(envelope.type);
  if (definition === undefined) {
    throw badRequest('unknown_event_type', `Unknown event type "${envelope.type}".`, 'type');
  }
  const parsedBody = definition.body.safeParse(envelope.body);
  if (!parsedBody.success) {
    const issue = parsedBody.error.issues[0];
    const field = ['body', ...(issue?.path ?? [])].join('.');
    throw badRequest('invalid_body', `${field}: ${issue?.message ?? 'invalid'}`, field);
  }

  const canonical = canonicalOf(envelope);
  if (canonical.length > LOG_ENTRY_BYTES_MAX) {
    throw new AppError(
      413,
      'entry_too_large',
      `The envelope is ${canonical.length} bytes in canonical JSON; a log entry holds at most ${LOG_ENTRY_BYTES_MAX}. Put large data in a file and send its hash.`,
      'body',
    );
  }
  const leafHash = merkleLeafHash(deps.crypto, canonical);
  // An envelope is looked up as a replay only once it is refused (a replay is refused: its nonce
  // is taken, and often its clock or permission no longer holds), which saves every new envelope
  // a round trip; the same envelope sent again still gets the first answer.
  const replayOrThrow = async (executor: Executor, refusal: unknown): Promise<EventReceipt> => {
    const earlier = await findByNonce(executor, envelope.actor, envelope.nonce);
    if (earlier !== undefined) return replayOf(earlier, leafHash);
    if (refusal instanceof NonceTaken)
      throw conflict('nonce_in_use', 'The same nonce is being processed; retry.', 'nonce');
    throw refusal;
  };
  const now = deps.clock();
  const refusal = signatureOrClockRefusal(deps, envelope, now);
  const { tx } = options;
  if (tx !== undefined) {
    // In the caller's transaction only a refusal from before the journal row was written may be
    // a replay: a later one would find this request's own row.
    if (refusal !== undefined) return replayOrThrow(tx, refusal);
    try {
      return await acceptNew(deps, envelope, definition, parsedBody.data, canonical, leafHash, now, tx, options);
    } catch (error) {
      if (error instanceof NonceTaken) return replayOrThrow(tx, error);
      throw error;
    }
  }
  try {
    if (refusal !== undefined) throw refusal;
    return (
      await deps.commitQueue.submit({
        apply: (batchTx) =>
          acceptNew(deps, envelope, definition, parsedBody.data, canonical, leafHash, now, batchTx, options),
      })
    ).value;
  } catch (error) {
    // The batch's transaction is over, and with it anything this request wrote.
    if (error instanceof AppError || error instanceof NonceTaken) return replayOrThrow(deps.database.db, error);
    throw error;
  }
}

function signatureOrClockRefusal(deps: EventServiceDeps, envelope: Envelope, now: Date): AppError | undefined {
  const verified = verifyEnvelope(envelope, deps.crypto);
  if (!verified.ok) {
    return new AppError(
      401,
      verified.code === 'bad_actor' ? 'invalid_actor' : 'invalid_signature',
      verified.message,
      verified.code === 'bad_actor' ? 'actor' : 'sig',
    );
  }
  const skewMs = Math.abs(Date.parse(envelope.ts) - now.getTime());
  if (!(skewMs <= deps.config.clockSkewMs)) {
    return badRequest(
      'stale_timestamp',
      `ts is ${Math.round(skewMs / 1000)} s from the server's clock; at most ${deps.config.clockSkewMs / 1000} s is accepted.`,
      'ts',
    );
  }
  return undefined;
}

/**
 * Writes the journal row, checks the actor may send this type, runs the handler. A refusal
 * after the row is written relies on the transaction being undone: the commit queue undoes the
 * item, and every caller with its own transaction lets the error roll it back.
 */
async function acceptNew(
  deps: EventServiceDeps,
  envelope: Envelope,
  definition: EventDefinition,
  body: unknown,
  canonical: Uint8Array,
  leafHash: Uint8Array,
  now: Date,
  tx: Tx,
  options: SubmitOptions,
): Promise<EventReceipt> {
  // The row goes first so that it brings the actor's status back in the same round trip.
  const { status, inserted } = await insertEventReadingStatus(deps.config, tx, envelope, canonical, leafHash);
  if (inserted === undefined) throw new NonceTaken();
  checkPermission(definition.allowed, status, envelope.type);
  checkCustody(envelope, status);
  const frames = openFrames.get(tx) ?? [];
  openFrames.set(tx, frames);
  const caused: EventReceipt[] = [];
  frames.push(caused);
  let result: Record<string, unknown>;
  try {
    result = await definition.handle(
      {
        tx,
        envelope,
        eventId: inserted,
        actor: envelope.actor,
        actorRoles: status.roles,
        now,
        config: deps.config,
        privateData: options.privateData,
        deps,
      },
      body,
    );
  } finally {
    frames.pop();
  }
  // The result is stored with the log index (sequenceReceipts), one statement for both.
  const receipt: EventReceipt = {
    eventId: inserted.toString(),
    logIndex: '', // assigned just before commit, by sequenceReceipts
    leafHash: toHex(leafHash),
    type: envelope.type,
    actor: envelope.actor,
    replayed: false,
    result,
  };
  if (caused.length > 0) causedActs.set(receipt, caused);
  if (options.tx === undefined) return receipt; // the commit queue sequences its batch
  // An act a handler causes (a platform act in its transaction) follows its cause in the log.
  const cause = openFrames.get(options.tx)?.at(-1);
  if (cause !== undefined) cause.push(receipt);
  else if (options.sequenceLater !== true) await sequenceReceipts(options.tx, [receipt]);
  return receipt;
}

function canonicalOf(envelope: Envelope): Uint8Array {
  try {
    return canonicalBytes(envelope);
  } catch (error) {
    if (error instanceof CanonicalError) {
      const field = error.path.replace(/^\$\.?/, '');
      throw badRequest('not_canonical', error.message, field);
    }
    throw error;
  }
}

function checkShape(raw: unknown): Envelope {
  try {
    return checkEnvelopeShape(raw);
  } catch (error) {
    if (error instanceof EnvelopeShapeError) throw badRequest('invalid_envelope', error.message, error.field);
    throw error;
  }
}

function checkPermission(allowed: EventPermission, status: ActorStatus, type: string): void {
  if (allowed === 'unregistered') {
    if (status.registered) throw conflict('already_registered', 'This DID already has an account.', 'actor');
    return;
  }
  if (!status.registered) {
    throw forbidden('not_registered', 'Register the account (identity.account.registered) before other events.');
  }
  if (allowed === 'registered') return;
  if (!allowed.some((role) => status.roles.has(role))) {
    throw forbidden('role_required', `${type} needs the role ${allowed.join(' or ')}.`);
  }
}

/** Envelopes signed with a platform-held key say so, and only those may say so. */
function checkCustody(envelope: Envelope, status: ActorStatus): void {
  const marked = envelope.custody === 'platform';
  if (marked && status.registered && !status.custodial) {
    throw badRequest('custody_mismatch', 'custody "platform" is only for accounts with a custodial key.', 'custody');
  }
  if (!marked && status.custodial) {
    throw badRequest(
      'custody_mismatch',
      'This account has a custodial key: its envelopes carry custody "platform".',
      'custody',
    );
  }
}

/**
 * The acts each handler caused, by transaction: the handler running now owns the last frame.
 * (A transaction runs one handler at a time; a nested act's handler pushes its own frame.)
 */
const openFrames = new WeakMap<Tx, EventReceipt[][]>();
/** The acts an accepted event caused, in the order caused: sequenced right after it. */
const causedActs = new WeakMap<EventReceipt, EventReceipt[]>();

/** `receipts` with each one's caused acts after it, depth first: the order of the log. */
function withCausedActs(receipts: readonly EventReceipt[]): EventReceipt[] {
  return receipts.flatMap((receipt) => [receipt, ...withCausedActs(causedActs.get(receipt) ?? [])]);
}

/**
 * Gives accepted events their log indexes in the order given, each followed by the acts its
 * handler caused (so a replay meets a cause before its effects: a tally before the extension it
 * drew); the commit queue calls it once per batch, committing with it. Returns the index of
 * each given receipt. With `commit` (see assignLogIndexes) nothing may run on `tx` afterwards.
 */
export async function sequenceReceipts(
  tx: Tx,
  receipts: readonly unknown[],
  options: SequenceOptions = {},
): Promise<readonly unknown[]> {
  const given = receipts as EventReceipt[];
  const list = withCausedActs(given);
  const indexes = await assignLogIndexes(
    tx,
    list.map((r) => ({ id: BigInt(r.eventId), result: r.result })),
    options,
  );
  list.forEach((receipt, i) => {
    receipt.logIndex = (indexes[i] as bigint).toString();
  });
  const byReceipt = new Map(list.map((receipt, i) => [receipt, indexes[i] as bigint]));
  return given.map((receipt) => byReceipt.get(receipt) as bigint);
}

// Prepared: it runs for every accepted envelope. The status is read as it was before the insert.
const INSERT_EVENT_READING_STATUS = `with status as (select ${actorStatusColumns(2)}),
    inserted as (insert into events (type, actor, nonce, ts, custodial, envelope, canonical, leaf_hash)
                 values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
                 on conflict (actor, nonce) do nothing returning id::text as id)
  select (select id from inserted) as id, status.custodial, status.roles from status`;

const insertParameters = (envelope: Envelope, canonical: Uint8Array, leafHash: Uint8Array) => [
  envelope.type,
  envelope.actor,
  envelope.nonce,
  envelope.ts,
  envelope.custody === 'platform',
  JSON.stringify(envelope),
  bytesParameter(canonical),
  bytesParameter(leafHash),
];

/** The actor's status as it was before this statement, and the new row's id (none if the nonce is taken). */
async function insertEventReadingStatus(
  config: Config,
  tx: Tx,
  envelope: Envelope,
  canonical: Uint8Array,
  leafHash: Uint8Array,
): Promise<{ status: ActorStatus; inserted: bigint | undefined }> {
  const [row] = await preparedRows<ActorStatusRow & { id: string | null }>(
    tx,
    'insert_event_reading_status',
    INSERT_EVENT_READING_STATUS,
    insertParameters(envelope, canonical, leafHash),
  );
  return {
    status: actorStatusOf(config, envelope.actor, row),
    inserted: row?.id == null ? undefined : BigInt(row.id),
  };
}

interface StoredEvent {
  id: bigint;
  logIndex: bigint | null;
  type: string;
  actor: string;
  leafHash: Uint8Array;
  result: unknown;
}

async function findByNonce(executor: Executor, actor: string, nonce: string): Promise<StoredEvent | undefined> {
  const [row] = await executor
    .select({
      id: events.id,
      logIndex: events.logIndex,
      type: events.type,
      actor: events.actor,
      leafHash: events.leafHash,
      result: events.result,
    })
    .from(events)
    .where(and(eq(events.actor, actor), eq(events.nonce, nonce)))
    .limit(1);
  return row;
}

function replayOf(stored: StoredEvent, leafHash: Uint8Array): EventReceipt {
  if (toHex(stored.leafHash) !== toHex(leafHash)) {
    throw conflict('nonce_reused', 'This nonce was already used by this actor for a different envelope.', 'nonce');
  }
  return {
    eventId: stored.id.toString(),
    logIndex: String(stored.logIndex),
    leafHash: toHex(stored.leafHash),
    type: stored.type,
    actor: stored.actor,
    replayed: true,
    result: (stored.result ?? {}) as Record<string, unknown>,
  };
}

/** A receipt as the API answers it: with where its inclusion proof is served. */
export const receiptView = (receipt: EventReceipt) => ({
  ...receipt,
  proofUrl: `${PROOF_URL_PREFIX}${receipt.logIndex}`,
});

export const RECEIPT_SCHEMA = z.object({
  eventId: z.string().describe('Journal id of the accepted event.'),
  type: z.string(),
  actor: z.string(),
  logIndex: z.string().describe('Position of the envelope in the transparency log (decimal).'),
  leafHash: z.string().describe('RFC 9162 leaf hash (hex) of the entry: SHA-256(0x00 ‖ RFC 8785 canonical envelope).'),
  replayed: z.boolean().describe('True when this envelope was accepted earlier and this is its original result.'),
  result: z.record(z.string(), z.unknown()),
  proofUrl: z
    .string()
    .optional()
    .describe('Where the inclusion proof of this entry is served once the integrator has added it to a checkpoint.'),
});
