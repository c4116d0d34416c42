import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
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

  async read(executor: Executor, indexes: readonly number[]): Promise<Uint8Array[]> {
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
      const read = await readStoredHashes(executor, missing);
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
