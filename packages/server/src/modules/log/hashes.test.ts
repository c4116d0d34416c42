import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { readStoredHashes, StoredHashCache } from './hashes.js';
import { logHashes } from './tables.js';

let t: TestDatabase;
const hashOf = (index: number) => new Uint8Array(32).fill(index % 256);

beforeAll(async () => {
  t = await createTestDatabase();
  await t.database.db.insert(logHashes).values(Array.from({ length: 10 }, (_, idx) => ({ idx, hash: hashOf(idx) })));
});
afterAll(() => t?.close());

describe('the stored-hash cache of the proof route', () => {
  it('answers as the database does, in the order asked, and keeps what it read', async () => {
    const cache = new StoredHashCache(4);
    const asked = [3, 1, 3, 2];
    expect(await cache.read(t.database.db, asked)).toEqual(await readStoredHashes(t.database.db, asked));
    // Kept: answered even once the rows are gone (stored hashes never change once written).
    await t.database.db.execute(sql`delete from log_hashes where idx in (1, 2, 3)`);
    expect(await cache.read(t.database.db, [1, 2, 3])).toEqual([hashOf(1), hashOf(2), hashOf(3)]);
    // Reading 4 and 5 goes past four kept: the least recently used (1, read before 2 and 3) goes.
    await cache.read(t.database.db, [2, 3]);
    await cache.read(t.database.db, [4, 5]);
    await expect(cache.read(t.database.db, [1])).rejects.toThrow('no stored hash 1');
    expect(await cache.read(t.database.db, [5, 4])).toEqual([hashOf(5), hashOf(4)]);
  });
});
