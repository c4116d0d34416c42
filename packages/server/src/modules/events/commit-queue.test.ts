import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { CommitQueue } from './commit-queue.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.database.db.execute(sql`create table queue_probe (n integer primary key)`);
});
afterAll(async () => {
  await t?.close();
});

describe('CommitQueue', () => {
  it('commits concurrent items together and undoes only the item that failed', async () => {
    const batches: number[] = [];
    const queue = new CommitQueue(t.database.db, {
      batchSizeMax: 16,
      batchWaitMs: 0,
      beforeCommit: async (_tx, values) => {
        batches.push(values.length);
        return values.map((_, i) => i);
      },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        queue.submit({
          apply: async (tx) => {
            await tx.execute(sql`insert into queue_probe (n) values (${n})`);
            if (n % 10 === 7) throw new Error(`item ${n} refused`);
            return n;
          },
        }),
      ),
    );
    const refused = results.flatMap((r, n) => (r.status === 'rejected' ? [n] : []));
    expect(refused).toEqual([7, 17, 27, 37]);
    const stored = await rows<{ n: number }>(t.database.db, sql`select n from queue_probe order by n`);
    expect(stored.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, n) => n).filter((n) => n % 10 !== 7));
    // Items queued while a batch committed went together into later batches.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(36);
    expect(batches.length).toBeLessThan(36);
    expect(Math.max(...batches)).toBeLessThanOrEqual(16);
  });

  it('undoes the writes of an item that fails alone in its batch (it runs without a savepoint)', async () => {
    const queue = new CommitQueue(t.database.db, { batchSizeMax: 16, batchWaitMs: 0 });
    const alone = await queue
      .submit({
        apply: async (tx) => {
          await tx.execute(sql`insert into queue_probe (n) values (50)`);
          throw new Error('refused after writing');
        },
      })
      .catch((error: unknown) => error);
    expect((alone as Error).message).toBe('refused after writing');
    // A statement that fails aborts the transaction: the item's error is still the one reported.
    await queue.submit({ apply: (tx) => tx.execute(sql`insert into queue_probe (n) values (51)`) });
    const duplicate = await queue
      .submit({ apply: (tx) => tx.execute(sql`insert into queue_probe (n) values (51)`) })
      .catch((error: unknown) => error);
    expect(String((duplicate as Error).cause ?? duplicate)).toMatch(/duplicate key|unique/);
    const stored = await rows<{ n: number }>(
      t.database.db,
      sql`select n from queue_probe where n between 50 and 59 order by n`,
    );
    expect(stored.map((r) => r.n)).toEqual([51]);
  });

  it('rejects every item of a batch whose commit fails, and writes none of them', async () => {
    const queue = new CommitQueue(t.database.db, {
      batchSizeMax: 8,
      batchWaitMs: 5,
      beforeCommit: async () => {
        throw new Error('sequencer unavailable');
      },
    });
    const results = await Promise.allSettled(
      [100, 101, 102].map((n) =>
        queue.submit({ apply: (tx) => tx.execute(sql`insert into queue_probe (n) values (${n})`) }),
      ),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const stored = await rows<{ n: number }>(t.database.db, sql`select n from queue_probe where n >= 100`);
    expect(stored).toEqual([]);
  });
});
