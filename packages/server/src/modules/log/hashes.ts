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
