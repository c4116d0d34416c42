import { type CryptoProvider, canonicalize, concatBytes, toHex, utf8Encode } from '@concord/protocol';
import { and, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { type Database, type Tx, transaction } from '../db/connection.js';
import { badRequest, conflict } from '../errors.js';
import { idempotencyKeys } from '../modules/events/tables.js';

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

export interface Outcome<T, S extends number = number> {
  /** The success status the route declares; a replay answers with the stored one, which is the same. */
  status: S;
  body: T;
  /**
   * The work stored this answer under its slot itself, as its transaction's last statement, and
   * committed (sequenceReceipts with `answer` and `commit`): nothing more may run on its `tx`.
   */
  answered?: true;
}

/** Where an idempotent request's answer is stored (for work that stores it itself). */
export interface IdempotencySlot {
  scope: string;
  key: string;
}

/**
 * Runs a non-envelope POST at most once per `Idempotency-Key`: the effect and the stored answer
 * commit together, so a retry gets the first answer; the same key with a different request is
 * refused. A failed request stores nothing and may be retried with the same key.
 */
export async function idempotent<T, S extends number>(
  database: Database,
  crypto: CryptoProvider,
  request: FastifyRequest,
  scope: string,
  work: (tx: Tx, slot: IdempotencySlot | undefined) => Promise<Outcome<T, S>>,
  options: { required?: boolean } = {},
): Promise<Outcome<T, S>> {
  const header = request.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) {
    if (options.required)
      throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header.', 'Idempotency-Key');
    return transaction(database.db, (tx) => work(tx, undefined));
  }
  if (!KEY_PATTERN.test(key)) {
    throw badRequest(
      'invalid_idempotency_key',
      'Idempotency-Key must be 8–128 characters of A–Z a–z 0–9 _ . : -',
      'Idempotency-Key',
    );
  }
  const requestHash = crypto.sha256(
    concatBytes(
      // The URL as sent, not the route's pattern: one key used on /orders/a and /orders/b is two requests.
      utf8Encode(`${request.method} ${request.url}\n`),
      utf8Encode(canonicalize(request.body ?? null)),
    ),
  );
  const fullScope = `${scope} ${request.routeOptions.url ?? ''}`;

  const stored = await findStored(database, fullScope, key);
  if (stored !== undefined) return replay(stored, requestHash);
  try {
    return await transaction(database.db, async (tx): Promise<Outcome<T, S>> => {
      const [claimed] = await tx
        .insert(idempotencyKeys)
        .values({ scope: fullScope, key, requestHash, statusCode: 0, response: {} })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed === undefined) throw new KeyTaken();
      const outcome = await work(tx, { scope: fullScope, key });
      if (outcome.answered) return outcome;
      await tx
        .update(idempotencyKeys)
        .set({ statusCode: outcome.status, response: outcome.body as object })
        .where(and(eq(idempotencyKeys.scope, fullScope), eq(idempotencyKeys.key, key)));
      return outcome;
    });
  } catch (error) {
    if (!(error instanceof KeyTaken)) throw error;
    const winner = await findStored(database, fullScope, key);
    if (winner === undefined)
      throw conflict('idempotency_key_in_use', 'A request with this key is in progress; retry.');
    return replay(winner, requestHash);
  }
}

class KeyTaken extends Error {}

async function findStored(database: Database, scope: string, key: string) {
  const [row] = await database.db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .limit(1);
  return row;
}

function replay<T, S extends number>(
  stored: { requestHash: Uint8Array; statusCode: number; response: unknown },
  requestHash: Uint8Array,
): Outcome<T, S> {
  if (toHex(stored.requestHash) !== toHex(requestHash)) {
    throw conflict(
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request.',
      'Idempotency-Key',
    );
  }
  return { status: stored.statusCode as S, body: stored.response as T };
}
