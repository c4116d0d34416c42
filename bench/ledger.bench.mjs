// Ledger on PostgreSQL: a three-party sale (buyer → supplier, promoter, platform fee) as one
// linked batch with 1, 16 and 64 concurrent clients, every sale hitting the one fee account,
// against pgbench's TPC-B on the same machine in the same run; and a 10,000-leg settlement batch.
import {
  createAccounts,
  createShardedAccount,
  createTransfers,
  createTransfersNow,
  ledgerViolations,
  migrate,
  openDatabase,
  shardKey,
  transaction,
} from '../packages/server/dist/index.js';
import { formatRate, report } from './lib.mjs';
import { pgbenchTps } from './support/pgbench.mjs';
import { dropDatabase, freshDatabase, postgresReachable } from './support/server.mjs';

const BUYERS = 512;
const SECONDS = 8;

/**
 * Sales per second. `oneStatement`: each sale in a transaction of its own (createTransfersNow, one
 * round trip for plain transfers); otherwise inside a caller's transaction (createTransfers, as
 * an order's own writes take it).
 */
async function sales(db, clients, seconds, feeKey, tag, oneStatement) {
  let count = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const n = next++;
        const buyer = `buyer:${n % BUYERS}`;
        const batch = [
          {
            id: `sale-${tag}-${clients}-${n}-s`,
            debitAccount: buyer,
            creditAccount: `supplier:${n % 16}`,
            amount: 8_500n,
            code: 'sale',
          },
          {
            id: `sale-${tag}-${clients}-${n}-p`,
            debitAccount: buyer,
            creditAccount: `promoter:${n % 64}`,
            amount: 1_000n,
            code: 'commission',
          },
          {
            id: `sale-${tag}-${clients}-${n}-f`,
            debitAccount: buyer,
            creditAccount: feeKey(`sale-${tag}-${clients}-${n}-f`),
            amount: 500n,
            code: 'fee',
          },
        ];
        if (oneStatement) await createTransfersNow(db, batch, new Date());
        else await transaction(db, (tx) => createTransfers(tx, batch, new Date()));
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export async function run({ quick = false } = {}) {
  if (!(await postgresReachable())) {
    console.log('  skipped: PostgreSQL is not reachable');
    return;
  }
  const seconds = quick ? 3 : SECONDS;
  const name = `concord_bench_ledger_${process.pid}`;
  const url = await freshDatabase(name);
  const pgName = `concord_bench_pgbench_${process.pid}`;
  const pgUrl = await freshDatabase(pgName);
  try {
    const tps16 = pgbenchTps(pgUrl, 16, seconds);
    const database = await openDatabase({ databaseUrl: url, poolMax: 70 });
    await migrate(database);
    const db = database.db;
    const FEE_SHARDS = 16;
    await transaction(db, (tx) =>
      createAccounts(tx, [
        ...Array.from({ length: BUYERS }, (_, i) => ({ key: `buyer:${i}`, ledger: 'CNY', code: 'buyer' })),
        ...Array.from({ length: 16 }, (_, i) => ({ key: `supplier:${i}`, ledger: 'CNY', code: 'payable' })),
        ...Array.from({ length: 64 }, (_, i) => ({ key: `promoter:${i}`, ledger: 'CNY', code: 'commission' })),
        { key: 'fee:platform', ledger: 'CNY', code: 'revenue' },
      ]),
    );
    await transaction(db, (tx) =>
      createShardedAccount(tx, { key: 'fee:sharded', ledger: 'CNY', code: 'revenue' }, FEE_SHARDS),
    );
    const results = {};
    const inTransaction = {};
    const sharded = (id) => shardKey('fee:sharded', FEE_SHARDS, id);
    for (const clients of [1, 16, 64]) {
      results[clients] = {
        oneFeeAccount: await sales(db, clients, seconds, () => 'fee:platform', 'one', true),
        shardedFeeAccount: await sales(db, clients, seconds, sharded, 'sharded', true),
      };
      inTransaction[clients] = {
        oneFeeAccount: await sales(db, clients, seconds, () => 'fee:platform', 'one-tx', false),
        shardedFeeAccount: await sales(db, clients, seconds, sharded, 'sharded-tx', false),
      };
      console.log(
        `  sales, ${String(clients).padStart(2)} clients   one statement: ${formatRate(results[clients].oneFeeAccount)} one fee account, ${formatRate(results[clients].shardedFeeAccount)} fee in ${FEE_SHARDS} shards; in a transaction: ${formatRate(inTransaction[clients].oneFeeAccount)}, ${formatRate(inTransaction[clients].shardedFeeAccount)}`,
      );
    }
    console.log(`  pgbench TPC-B, 16 clients ${formatRate(tps16)}`);
    const best16 = Math.max(results[16].oneFeeAccount, results[16].shardedFeeAccount);
    const bestInTransaction16 = Math.max(inTransaction[16].oneFeeAccount, inTransaction[16].shardedFeeAccount);
    console.log(
      `  ratio at 16 clients       ${((best16 / tps16) * 100).toFixed(1)}% of pgbench (goal ≥ 60%); in a caller's transaction ${((bestInTransaction16 / tps16) * 100).toFixed(1)}%`,
    );

    // A settlement: 10,000 legs from escrow to the parties, one batch.
    await transaction(db, (tx) =>
      createAccounts(tx, [
        { key: 'escrow:cycle', ledger: 'CNY', code: 'escrow' },
        ...Array.from({ length: 1000 }, (_, i) => ({ key: `party:${i}`, ledger: 'CNY', code: 'payable' })),
      ]),
    );
    const legs = Array.from({ length: 10_000 }, (_, i) => ({
      id: `settle-${i}`,
      debitAccount: 'escrow:cycle',
      creditAccount: `party:${i % 1000}`,
      amount: BigInt(100 + (i % 900)),
      code: 'settlement',
    }));
    const settleStart = performance.now();
    await transaction(db, (tx) => createTransfers(tx, legs, new Date()));
    const legsPerSecond = legs.length / ((performance.now() - settleStart) / 1000);
    console.log(`  settlement batch          ${formatRate(legsPerSecond)} legs (10,000 in one batch; goal ≥ 5,000/s)`);
    const violations = await ledgerViolations(db);
    if (violations.length > 0) throw new Error(`ledger invariants broken: ${violations.join('; ')}`);
    await database.close();
    return report(quick ? 'ledger-quick' : 'ledger', {
      database: 'postgres',
      secondsPerRun: seconds,
      salesPerSecond: results,
      salesPerSecondInTransaction: inTransaction,
      feeShards: FEE_SHARDS,
      pgbenchTpcbTps16: tps16,
      ratio16: best16 / tps16,
      ratio16InTransaction: bestInTransaction16 / tps16,
      goal16: 0.6,
      settlementLegsPerSecond: legsPerSecond,
      settlementGoal: 5000,
    });
  } finally {
    await dropDatabase(name);
    await dropDatabase(pgName);
  }
}
