import {
  CycleTree,
  closeCycle,
  DEFAULT_SETTLEMENT_POLICY,
  DEFAULT_SPLIT_POLICY,
  settleOrder,
  toHex,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import {
  cycleWindow,
  type Database,
  keyPaths,
  ledgerViolations,
  loadConfig,
  migrate,
  openDatabase,
  pgliteDirIn,
  readKeyFile,
  resolveIdentities,
  seedCompletedOrders,
  settlementCycleAt,
} from '@concord/server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, runCli, spawnCli } from './run-cli.js';

const { env, dataDir } = cliTestEnvironment('concord-settlement-crash-', { LOG_LEVEL: 'warn' });
const ORDERS = 3_000;

const open = (): Promise<Database> =>
  openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { pgliteDir: pgliteDirIn(dataDir) });

async function query<T>(database: Database, statement: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(statement)) as unknown as { rows: T[] }).rows;
}

describe('a cycle close killed with SIGKILL', () => {
  it('is finished by the next run: every order settled once, every leaf paid once, the ledger whole', async () => {
    const completedAt = new Date(Date.now() - 60 * 86_400_000);
    const config = resolveIdentities(loadConfig({ ...env, DATA_DIR: dataDir }));
    const cycle = settlementCycleAt(config, completedAt);
    let database = await open();
    let seeded = 0n;
    try {
      await migrate(database);
      seeded = await seedCompletedOrders(database, {
        count: ORDERS,
        prefix: 'crash',
        products: [
          { productId: 'no-model-a', producer: 'did:key:zCrashProducerA' },
          { productId: 'no-model-b', producer: 'did:key:zCrashProducerB' },
        ],
        buyers: 50,
        completedAt,
      });
    } finally {
      await database.close();
    }

    // Small batches, so the kill lands between (or inside) them, well before the end.
    const first = spawnCli(['cycle', 'close', String(cycle), '--batch', '40'], env);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const done = [...first.output().matchAll(/orders (\d+)\//g)].map((m) => Number(m[1]));
        if ((done.at(-1) ?? 0) >= 400) {
          clearInterval(timer);
          first.kill('SIGKILL');
          resolve();
        }
      }, 20);
      first.on('exit', () => {
        clearInterval(timer);
        reject(new Error(`the close ended before it was killed:\n${first.output()}`));
      });
    });
    await new Promise((resolve) => first.on('exit', resolve));

    database = await open();
    try {
      const [state] = await query<{ status: string; orders: number }>(
        database,
        sql`select status, orders from settlement_cycles where cycle = ${cycle}`,
      );
      expect(state?.status).toBe('closing');
      expect(state?.orders).toBeGreaterThan(0);
      expect(state?.orders).toBeLessThan(ORDERS);
      expect(await ledgerViolations(database.db)).toEqual([]);
    } finally {
      await database.close();
    }

    const second = await runCli(['cycle', 'close', String(cycle)], env);
    expect(second.output).toContain(`cycle ${cycle} closed: ${ORDERS} orders, ${seeded} fen`);
    expect(second.code).toBe(0);
    // A third run finds it closed and moves nothing.
    const third = await runCli(['cycle', 'close', String(cycle)], env);
    expect(third.code).toBe(0);

    database = await open();
    try {
      const [counts] = await query<{ settled: string; settles: string; payouts: string; leaves: string }>(
        database,
        sql`select (select count(*) from settlement_orders where cycle = ${cycle})::text as settled,
                   (select count(*) from ledger_transfers where id like 'settle:crash-%')::text as settles,
                   (select count(*) from ledger_transfers where code = 'settlement' and reference = ${`cycle:${cycle}`})::text as payouts,
                   (select count(*) from settlement_leaves where cycle = ${cycle})::text as leaves`,
      );
      expect(counts).toMatchObject({ settled: String(ORDERS), settles: String(ORDERS) });
      expect(counts?.payouts).toBe(counts?.leaves);
      const [clearing] = await query<{ balance: string }>(
        database,
        sql`select (credits_posted - debits_posted)::text as balance from ledger_accounts where key = ${`settlement:cycle:${cycle}`}`,
      );
      expect(clearing?.balance).toBe('0');
      expect(await ledgerViolations(database.db)).toEqual([]);

      // The published root is the one a single uninterrupted run computes from the settled orders.
      const platform = readKeyFile(keyPaths(dataDir).operator, nodeCrypto).did;
      const settled = await query<{ order_id: string; paid_fen: string; supplier: string; buyer: string }>(
        database,
        sql`select order_id, paid_fen::text, supplier, buyer from settlement_orders where cycle = ${cycle}`,
      );
      const result = closeCycle({
        entries: settled.flatMap(
          (o) =>
            settleOrder(
              {
                orderId: o.order_id,
                paidFen: BigInt(o.paid_fen),
                heldFen: 0n,
                policy: DEFAULT_SPLIT_POLICY,
                supplier: o.supplier,
                buyer: o.buyer,
                lines: [],
              },
              platform,
            ).entries,
        ),
        rounds: [],
        witnesses: [],
        platform,
        policy: DEFAULT_SETTLEMENT_POLICY,
      });
      expect(result.totals.paidOutFen).toBe(seeded);
      const [published] = await query<{ root: string }>(
        database,
        sql`select root from settlement_cycles where cycle = ${cycle} and status = 'closed'`,
      );
      expect(published?.root).toBe(toHex(new CycleTree(nodeCrypto, result.leaves).root));
    } finally {
      await database.close();
    }
    expect(cycleWindow(config, cycle).endsAt.getTime()).toBeLessThan(Date.now());
  }, 240_000);
});
