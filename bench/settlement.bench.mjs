// Issue 8: closing settlement cycles of 10,000, 100,000 and 1,000,000 completed orders on
// PostgreSQL — every order's escrow emptied into the cycle (one ledger transfer each), its legs
// cut by the split policy, the experience pool divided among 40 experts and the platform, every
// leaf paid and the result published with its Merkle root and inputs digest. Goal: 1,000,000
// orders in under 5 minutes with memory under 1 GB, growing linearly.
// The orders are written straight into the tables (seedCompletedOrders): only the close is timed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  closeSettlementCycle,
  createContext,
  cycleWindow,
  loadConfig,
  migrate,
  openDatabase,
  resolveIdentities,
  seedCompletedOrders,
  settlementCycleAt,
} from '../packages/server/dist/index.js';
import { report } from './lib.mjs';
import { dropDatabase, freshDatabase, postgresReachable } from './support/server.mjs';

const GOAL_SECONDS = 300;
const GOAL_MEMORY_MIB = 1024;
const EXPERTS = 40;
const PRODUCTS = 400;

/** A category, 40 experts' models and 400 products of 200 producers, as the catalogue would hold them. */
async function catalogue(client) {
  await client.query(
    `insert into catalog_categories (slug, name_zh, name_en, deposit_fen, defined_event_id) values ('bench', '测试', 'Bench', 0, 0)`,
  );
  await client.query(
    `insert into catalog_models (id, owner_did, created_event_id)
     select 'model-' || i, 'did:key:zBenchExpert' || i, 0 from generate_series(0, ${EXPERTS - 1}) i`,
  );
  await client.query(
    `insert into catalog_model_versions (model_id, version, expert_did, category, definition, status, published_event_id)
     select 'model-' || i, 1, 'did:key:zBenchExpert' || i, 'bench', '{}', 'published', 0 from generate_series(0, ${EXPERTS - 1}) i`,
  );
  await client.query(
    `insert into catalog_products (id, producer_did, category, title_zh, description, model_id, model_version, claims, status,
                                   search_text, search, min_price_fen, max_price_fen, published_event_id, claims_event_id, status_event_id)
     select 'product-' || i, 'did:key:zBenchProducer' || (i % 200), 'bench', '商品', '-', 'model-' || (i % ${EXPERTS}), 1, '{}',
            'listed', '-', to_tsvector('simple', '-'), 5000, 60000, 0, 0, 0
       from generate_series(0, ${PRODUCTS - 1}) i`,
  );
  return Array.from({ length: PRODUCTS }, (_, i) => ({
    productId: `product-${i}`,
    producer: `did:key:zBenchProducer${i % 200}`,
  }));
}

async function closeOne(orders) {
  const name = `concord_bench_settlement_${process.pid}`;
  const url = await freshDatabase(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-bench-settlement-'));
  const database = await openDatabase({ databaseUrl: url, poolMax: 4 });
  try {
    await migrate(database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const products = await catalogue(client);
    const config = resolveIdentities(loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    const completedAt = new Date(Date.now() - 30 * 86_400_000);
    const cycle = settlementCycleAt(config, completedAt);
    const seedStart = performance.now();
    await seedCompletedOrders(database, {
      count: orders,
      prefix: 'bench',
      products,
      buyers: Math.max(100, Math.floor(orders / 5)),
      completedAt,
      onProgress: (done) => process.stdout.write(`\r  seeding ${done.toLocaleString('en-US')} orders`),
    });
    await client.query('analyze');
    process.stdout.write(
      `\r  ${orders.toLocaleString('en-US')} completed orders seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
    );

    const ctx = createContext(config, database, {
      clock: () => new Date(cycleWindow(config, cycle).endsAt.getTime() + 1000),
    });
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 50);
    const phases = {};
    const start = performance.now();
    const summary = await closeSettlementCycle(ctx, cycle, {
      onProgress: ({ phase, done, total }) => {
        phases[phase] ??= performance.now();
        if (phase === 'orders')
          process.stdout.write(`\r  closing: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} orders`);
      },
    });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    process.stdout.write('\n');
    const end = process.memoryUsage();
    peakRss = Math.max(peakRss, end.rss);
    peakHeap = Math.max(peakHeap, end.heapUsed);
    const [{ transfers }] = (
      await client.query(`select count(*)::int as transfers from ledger_transfers where code = 'settlement'`)
    ).rows;
    await client.end();
    if (summary.status !== 'closed' || summary.orders !== orders)
      throw new Error(`close ended ${summary.status} with ${summary.orders} orders`);
    const payoutsSeconds = phases.payouts === undefined ? undefined : (performance.now() - phases.payouts) / 1000;
    return {
      orders,
      seconds,
      ordersPerSecond: orders / seconds,
      payoutsSeconds,
      leaves: summary.leaves,
      transfers,
      paidFen: summary.paidFen,
      root: summary.root,
      peakRssMiB: peakRss / 2 ** 20,
      peakHeapGrowthMiB: (peakHeap - baseline.heapUsed) / 2 ** 20,
    };
  } finally {
    await database.close();
    await dropDatabase(name);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run({ quick = false } = {}) {
  if (!(await postgresReachable())) {
    console.log('  PostgreSQL is not reachable: skipped (set DATABASE_URL).');
    return undefined;
  }
  // BENCH_SETTLEMENT_SIZES=100000,… runs other sizes (for profiling; the stored figures use the defaults).
  const sizes =
    process.env.BENCH_SETTLEMENT_SIZES?.split(',').map(Number) ??
    (quick ? [2_000, 20_000] : [10_000, 100_000, 1_000_000]);
  const runs = [];
  for (const orders of sizes) {
    const result = await closeOne(orders);
    runs.push(result);
    console.log(
      `  ${orders.toLocaleString('en-US').padStart(9)} orders  ${result.seconds.toFixed(1).padStart(6)} s  ${Math.round(result.ordersPerSecond).toLocaleString('en-US').padStart(7)} orders/s  payouts ${result.payoutsSeconds?.toFixed(1)} s  ${result.leaves} leaves  peak RSS ${result.peakRssMiB.toFixed(0)} MiB (heap +${result.peakHeapGrowthMiB.toFixed(0)} MiB)`,
    );
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  // Linear growth: seconds per order at the largest size over seconds per order at the smallest.
  const growth = last.seconds / last.orders / (first.seconds / first.orders);
  console.log(
    `  time per order, largest vs smallest cycle: ×${growth.toFixed(2)} (1.00 is linear); goal: 1,000,000 in < ${GOAL_SECONDS} s, < ${GOAL_MEMORY_MIB} MiB`,
  );
  const largest = runs.find((r) => r.orders === 1_000_000);
  return report(quick ? 'settlement-quick' : 'settlement', {
    database: 'postgres',
    runs,
    perOrderGrowth: growth,
    goal: { seconds: GOAL_SECONDS, memoryMiB: GOAL_MEMORY_MIB },
    met: largest === undefined ? undefined : largest.seconds < GOAL_SECONDS && largest.peakRssMiB < GOAL_MEMORY_MIB,
  });
}
