import { type CryptoProvider, formatCheckpoint, signNote } from '@concord/protocol';
import { desc, eq, lte, sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';
import { logCheckpoints, logCosignatures } from './tables.js';

/** The key that signs checkpoints; its name is the log's origin, as C2SP logs do. */
export interface LogSigner {
  name: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function signCheckpoint(crypto: CryptoProvider, signer: LogSigner, size: number, root: Uint8Array): string {
  return signNote(crypto, formatCheckpoint({ origin: signer.name, size, rootHash: root }), [signer]);
}

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  /** The log-signed note, without cosignatures. */
  note: string;
  cosignatures: string[];
}

/** Appends the cosignature lines to the signed note: what `/log/checkpoint` serves. */
export const servedNote = (checkpoint: StoredCheckpoint): string =>
  checkpoint.note + checkpoint.cosignatures.map((line) => `${line}\n`).join('');

async function withCosignatures(
  executor: Executor,
  row: { size: number; root: Uint8Array; note: string },
): Promise<StoredCheckpoint> {
  const lines = await executor
    .select({ line: logCosignatures.line })
    .from(logCosignatures)
    .where(eq(logCosignatures.size, row.size))
    .orderBy(logCosignatures.witness);
  return { size: Number(row.size), root: row.root, note: row.note, cosignatures: lines.map((l) => l.line) };
}

export async function latestCheckpoint(executor: Executor): Promise<StoredCheckpoint | undefined> {
  const [row] = await executor.select().from(logCheckpoints).orderBy(desc(logCheckpoints.size)).limit(1);
  return row === undefined ? undefined : withCosignatures(executor, row);
}

/**
 * The newest checkpoint cosigned by at least `quorum` witnesses: the published one. Witnesses
 * cosign in order, so it is found by walking down from the newest.
 */
export async function publishedCheckpoint(executor: Executor, quorum: number): Promise<StoredCheckpoint | undefined> {
  if (quorum === 0) return latestCheckpoint(executor);
  const size = await publishedSize(executor, quorum);
  return size === undefined ? undefined : checkpointAt(executor, size);
}

/** The size of the published checkpoint (a walk down the newest checkpoints, by their indexes). */
export async function publishedSize(executor: Executor, quorum: number): Promise<number | undefined> {
  const [found] = await rows<{ size: string }>(
    executor,
    quorum === 0
      ? sql`select size from log_checkpoints order by size desc limit 1`
      : sql`select c.size from log_checkpoints c join log_cosignatures s on s.size = c.size
            group by c.size having count(*) >= ${quorum} order by c.size desc limit 1`,
  );
  return found === undefined ? undefined : Number(found.size);
}

export async function checkpointAt(executor: Executor, size: number): Promise<StoredCheckpoint | undefined> {
  const [row] = await executor.select().from(logCheckpoints).where(eq(logCheckpoints.size, size)).limit(1);
  return row === undefined ? undefined : withCosignatures(executor, row);
}

/** The newest checkpoint no larger than `size` (for proofs to an older view). */
export async function checkpointAtOrBelow(executor: Executor, size: number): Promise<StoredCheckpoint | undefined> {
  const [row] = await executor
    .select()
    .from(logCheckpoints)
    .where(lte(logCheckpoints.size, size))
    .orderBy(desc(logCheckpoints.size))
    .limit(1);
  return row === undefined ? undefined : withCosignatures(executor, row);
}
