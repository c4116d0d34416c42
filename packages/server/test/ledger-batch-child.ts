// Child process for the crash test: applies one 10,000-leg batch and is killed during it.
import { openDatabase, transaction } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { createAccounts, createTransfers } from '../src/modules/accounting/ledger.js';

const database = await openDatabase(
  process.env.DATABASE_URL
    ? { databaseUrl: process.env.DATABASE_URL }
    : { pgliteDir: process.env.PGLITE_DIR as string },
);
await migrate(database);
await transaction(database.db, (tx) =>
  createAccounts(tx, [
    { key: 'escrow', ledger: 'CNY', code: 'escrow' },
    ...Array.from({ length: 100 }, (_, i) => ({ key: `party:${i}`, ledger: 'CNY', code: 'payable' })),
  ]),
);
console.log('ready');
for (let round = 0; ; round++) {
  await transaction(database.db, (tx) =>
    createTransfers(
      tx,
      Array.from({ length: 10_000 }, (_, i) => ({
        id: `r${round}-leg-${i}`,
        debitAccount: 'escrow',
        creditAccount: `party:${i % 100}`,
        amount: 1n + BigInt(i % 7),
        code: 'settlement',
      })),
      new Date(),
    ),
  );
  console.log(`committed ${round}`);
}
