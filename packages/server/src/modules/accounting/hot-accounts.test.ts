import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { createShardedAccount, shardedBalance, shardKey } from './hot-accounts.js';
import { createAccounts, createTransfers, ledgerViolations } from './ledger.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe('sharded hot accounts', () => {
  it('spread concurrent sales over the shards and sum back to every fee paid', async () => {
    await transaction(t.database.db, async (tx) => {
      await createAccounts(tx, [{ key: 'buyers', ledger: 'CNY', code: 'buyer' }]);
      await createShardedAccount(tx, { key: 'fee:platform', ledger: 'CNY', code: 'revenue' }, 8);
    });
    const ids = Array.from({ length: 200 }, (_, i) => `sale-${i}`);
    await Promise.all(
      ids.map((id) =>
        transaction(t.database.db, (tx) =>
          createTransfers(
            tx,
            [{ id, debitAccount: 'buyers', creditAccount: shardKey('fee:platform', 8, id), amount: 50n, code: 'fee' }],
            new Date(),
          ),
        ),
      ),
    );
    const balance = await shardedBalance(t.database.db, 'fee:platform');
    expect(balance).toMatchObject({ shards: 8, creditsPosted: 10_000n, debitsPosted: 0n });
    const used = new Set(ids.map((id) => shardKey('fee:platform', 8, id)));
    expect(used.size).toBe(8);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });

  it('refuses to shard an account with a balance limit', async () => {
    await expect(
      transaction(t.database.db, (tx) =>
        createShardedAccount(tx, { key: 'wallet', ledger: 'CNY', code: 'wallet', debitsMustNotExceedCredits: true }, 4),
      ),
    ).rejects.toThrow(RangeError);
  });
});
