import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { events } from '../events/tables.js';
import { readEntryAndHashes, readStoredHashes, StoredHashCache } from './hashes.js';
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

describe('an entry and the hashes of its proof, read in one statement', () => {
  it('gives the entry and the hashes in the order asked, no entry past the log, and names a missing hash', async () => {
    const canonical = new TextEncoder().encode('{"v":1}');
    await t.database.db.insert(events).values({
      type: 'bench.synthetic',
      actor: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
      nonce: 'n-0',
      ts: new Date('2026-11-23T00:00:00Z'),
      envelope: { v: 1 },
      canonical,
      leafHash: hashOf(200),
      logIndex: 0n,
    });
    const read = await readEntryAndHashes(t.database.db, 0, [7, 5, 6, 7]);
    expect(read.entry).toEqual({ envelope: { v: 1 }, leafHash: hashOf(200) });
    expect(read.hashes).toEqual([hashOf(7), hashOf(5), hashOf(6), hashOf(7)]);
    expect((await readEntryAndHashes(t.database.db, 0, [])).hashes).toEqual([]);
    expect((await readEntryAndHashes(t.database.db, 1, [5])).entry).toBeUndefined();
    await expect(readEntryAndHashes(t.database.db, 0, [5, 42])).rejects.toThrow('no stored hash 42');
  });
});
