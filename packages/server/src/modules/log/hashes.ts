import { inArray } from 'drizzle-orm';
import { type Executor, preparedRows } from '../../db/connection.js';
import { logHashes } from './tables.js';

/** The stored tree hashes at `indexes`, in that order; a missing one means the tree is damaged. */
export async function readStoredHashes(executor: Executor, indexes: readonly number[]): Promise<Uint8Array[]> {
  if (indexes.length === 0) return [];
  const unique = [...new Set(indexes)];
  const found = await executor.select().from(logHashes).where(inArray(logHashes.idx, unique));
  const byIndex = new Map(found.map((row) => [Number(row.idx), row.hash]));
  return indexes.map((index) => {
    const hash = byIndex.get(index);
    if (hash === undefined) throw new Error(`log_hashes has no stored hash ${index}: the tree is incomplete`);
    return hash;
  });
}

/**
 * Stored tree hashes, kept by this process. A stored hash covers a complete subtree, so it never
 * changes once written: proofs of entries near each other share most of their paths, and every
 * proof shares the top of the tree. The least recently used go first once `max` are kept.
 */
export class StoredHashCache {
  private readonly hashes = new Map<number, Uint8Array>();

  constructor(private readonly max = 65_536) {}

  read(executor: Executor, indexes: readonly number[]): Promise<Uint8Array[]> {
    return this.readWith(indexes, (missing) => readStoredHashes(executor, missing));
  }

  /** As `read`, with the hashes it does not keep read by `load` (in the order asked). */
  async readWith(
    indexes: readonly number[],
    load: (missing: number[]) => Promise<readonly Uint8Array[]>,
  ): Promise<Uint8Array[]> {
    const found = new Map<number, Uint8Array>();
    const missing: number[] = [];
    for (const index of new Set(indexes)) {
      const hash = this.hashes.get(index);
      if (hash === undefined) {
        missing.push(index);
        continue;
      }
      found.set(index, hash);
      this.hashes.delete(index); // re-inserted below: the most recently used go last
      this.hashes.set(index, hash);
    }
    if (missing.length > 0) {
      const read = await load(missing);
      missing.forEach((index, i) => {
        const hash = read[i] as Uint8Array;
        found.set(index, hash);
        this.hashes.set(index, hash);
      });
      for (const oldest of this.hashes.keys()) {
        if (this.hashes.size <= this.max) break;
        this.hashes.delete(oldest);
      }
    }
    return indexes.map((index) => found.get(index) as Uint8Array);
  }
}

// One statement, so a proof costs one round trip (and one backend's wake-up) even when some of
// its hashes are not kept: the entry, and the stored hashes asked for, concatenated in order.
const ENTRY_AND_HASHES = `select e.envelope, e.leaf_hash, h.found::int as found, h.hashes
  from events e,
       lateral (select count(l.idx) as found, string_agg(l.hash, ''::bytea order by m.ord) as hashes
                  from unnest($2::int8[]) with ordinality as m(idx, ord)
                  join log_hashes l on l.idx = m.idx) h
 where e.log_index = $1`;

export interface StoredEntry {
  envelope: unknown;
  leafHash: Uint8Array;
}

/**
 * The entry at `index` (undefined if there is none) and the stored tree hashes at `indexes`
 * (in that order; a missing one means the tree is damaged), in one round trip.
 */
export async function readEntryAndHashes(
  executor: Executor,
  index: number,
  indexes: readonly number[],
): Promise<{ entry: StoredEntry | undefined; hashes: Uint8Array[] }> {
  const [row] = await preparedRows<{
    envelope: unknown;
    leaf_hash: Uint8Array;
    found: number;
    hashes: Uint8Array | null;
  }>(executor, 'log_entry_and_hashes', ENTRY_AND_HASHES, [index, indexes]);
  if (row === undefined) return { entry: undefined, hashes: [] };
  if (row.found !== indexes.length) {
    const stored = await readStoredHashes(executor, indexes); // names the missing one
    return { entry: { envelope: row.envelope, leafHash: row.leaf_hash }, hashes: stored };
  }
  const all = row.hashes ?? new Uint8Array(0);
  const hashes = indexes.map((_, i) => new Uint8Array(all.subarray(i * 32, (i + 1) * 32)));
  return { entry: { envelope: row.envelope, leafHash: new Uint8Array(row.leaf_hash) }, hashes };
}
