// Issue 6: the commissions and points of a settlement cycle of 100,000 completed orders brought by
// 2,000 promoters (with uplines, levels, tiers and invitations), read from PostgreSQL, computed by
// the protocol's rules and written back as the cycle's entries. Goal: under 10 s, with its memory.
// The orders are synthetic rows (no envelopes, no ledger): only the cycle computation is measured.

import pg from 'pg';
import { DEFAULT_DISTRIBUTION_POLICY, DEFAULT_SPLIT_POLICY } from '../packages/protocol/dist/index.js';
import { nodeCrypto, toHex } from '../packages/protocol/dist/node.js';
import { computeCycleDistribution, migrate, openDatabase } from '../packages/server/dist/index.js';
import { report } from './lib.mjs';
import { dropDatabase, freshDatabase, postgresReachable } from './support/server.mjs';

const GOAL_SECONDS = 10;

async function fill(db, { orders, promoters, buyers }) {
  const policy = JSON.stringify(
    Object.fromEntries(Object.entries(DEFAULT_SPLIT_POLICY).map(([key, value]) => [key, value])),
  );
  const policyHash = toHex(nodeCrypto.sha256(new TextEncoder().encode(policy)));
  // The first tenth of the promoters lead teams; every other promoter has one of them as upline.
  const leads = Math.max(1, Math.floor(promoters / 10));
  await db.query(
    `insert into distribution_promoters (did, level, upline_did, joined_at, level_changed_at)
     select 'did:key:zBenchPromoter' || i,
            (array['promoter','team_lead','regional_partner','city_agent'])[1 + (i % 4)],
            case when i < ${leads} then null else 'did:key:zBenchPromoter' || (i % ${leads}) end,
            now() - interval '90 days', now() - interval '30 days'
       from generate_series(0, ${promoters - 1}) i`,
  );
  await db.query(
    `insert into distribution_member_stats (did, tier)
     select 'did:key:zBenchBuyer' || i, (array['normal','normal','silver','gold'])[1 + (i % 4)]
       from generate_series(0, ${buyers - 1}) i`,
  );
  // A quarter of the buyers were invited by another buyer.
  await db.query(
    `insert into distribution_invites (invitee_did, inviter_did, invited_at, event_id)
     select 'did:key:zBenchBuyer' || i, 'did:key:zBenchBuyer' || ((i + 1) % ${buyers}), now() - interval '60 days', 0
       from generate_series(0, ${buyers - 1}) i where i % 4 = 0`,
  );
  // 70% of the orders came through a promoter; amounts ¥10–¥1,000; completed within the week.
  await db.query(
    `insert into orders (id, buyer_did, producer_did, status, total_fen, currency, policy, policy_hash, attribution,
                         escrow_account, payment_id, placed_event_id, ship_recipient, ship_phone, ship_region, ship_detail,
                         pay_by, paid_at, shipped_at, delivered_at, complete_at, completed_at, created_at)
     select 'bench' || lpad(i::text, 8, '0'), 'did:key:zBenchBuyer' || (i % ${buyers}), 'did:key:zBenchProducer' || (i % 50),
            'completed', 1000 + (i * 7919) % 99000, 'CNY', $1::jsonb, $2,
            case when i % 10 < 7 then jsonb_strip_nulls(jsonb_build_object(
              'promoter', 'did:key:zBenchPromoter' || p,
              'promoterLevel', (array['promoter','team_lead','regional_partner','city_agent'])[1 + (p % 4)],
              'upline', case when p < ${leads} then null else 'did:key:zBenchPromoter' || (p % ${leads}) end,
              'uplineLevel', case when p < ${leads} then null
                                  else (array['promoter','team_lead','regional_partner','city_agent'])[1 + ((p % ${leads}) % 4)] end))
            end,
            'escrow:order:bench' || i, 'order-bench' || i, i, '-', '-', '-', '-',
            now() - interval '20 days', now() - interval '20 days', now() - interval '19 days', now() - interval '10 days',
            now() - interval '3 days', now() - interval '3 days' + (i % 86400) * interval '1 second', now() - interval '20 days'
       from (select i, (i * 31) % ${promoters} as p from generate_series(0, ${orders - 1}) i) g`,
    [policy, policyHash],
  );
  await db.query('analyze');
}

export async function run({ quick = false } = {}) {
  const sizes = quick
    ? { orders: 10_000, promoters: 200, buyers: 4_000 }
    : { orders: 100_000, promoters: 2_000, buyers: 40_000 };
  if (!(await postgresReachable())) {
    console.log('  PostgreSQL is not reachable: skipped (set DATABASE_URL).');
    return undefined;
  }
  const name = `concord_bench_distribution_${process.pid}`;
  const url = await freshDatabase(name);
  const database = await openDatabase({ databaseUrl: url, poolMax: 4 });
  try {
    await migrate(database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const fillStart = performance.now();
    await fill(client, sizes);
    console.log(
      `  ${sizes.orders.toLocaleString('en-US')} completed orders, ${sizes.promoters.toLocaleString('en-US')} promoters, ${sizes.buyers.toLocaleString('en-US')} buyers written in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
    );

    const runs = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      global.gc?.();
      const baseline = process.memoryUsage();
      let peakRss = baseline.rss;
      let peakHeap = baseline.heapUsed;
      const sampler = setInterval(() => {
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
      }, 20);
      const start = performance.now();
      const result = await computeCycleDistribution(
        database,
        DEFAULT_DISTRIBUTION_POLICY,
        { cycleKey: 'bench-week', from: new Date(Date.now() - 7 * 86_400_000), to: new Date() },
        (done) => process.stdout.write(`\r  run ${attempt + 1}: ${done.toLocaleString('en-US')} orders read`),
      );
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      const end = process.memoryUsage();
      peakRss = Math.max(peakRss, end.rss);
      peakHeap = Math.max(peakHeap, end.heapUsed);
      process.stdout.write('\n');
      runs.push({
        seconds,
        timings: result.timings,
        orders: result.distribution.totals.orders,
        commissions: result.distribution.commissions.length,
        pointsEntries: result.distribution.points.length,
        totals: Object.fromEntries(
          Object.entries(result.distribution.totals).map(([key, value]) => [key, String(value)]),
        ),
        peakRssMiB: peakRss / 2 ** 20,
        peakHeapGrowthMiB: (peakHeap - baseline.heapUsed) / 2 ** 20,
      });
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const median = runs[1];
    const stored = await client.query(
      `select count(*)::int as entries, sum(amount_fen)::text as fen from distribution_cycle_entries where cycle_key = 'bench-week'`,
    );
    console.log(
      `  cycle of ${median.orders.toLocaleString('en-US')} orders   ${median.seconds.toFixed(2)} s median of 3 (read ${(median.timings.readMs / 1000).toFixed(2)} s, compute ${(median.timings.computeMs / 1000).toFixed(2)} s, write ${(median.timings.writeMs / 1000).toFixed(2)} s; goal < ${GOAL_SECONDS} s)`,
    );
    console.log(
      `  entries                    ${median.commissions.toLocaleString('en-US')} commissions, ${median.pointsEntries.toLocaleString('en-US')} points entries (${stored.rows[0].entries.toLocaleString('en-US')} rows stored)`,
    );
    console.log(
      `  memory                     peak RSS ${median.peakRssMiB.toFixed(0)} MiB, heap growth ${median.peakHeapGrowthMiB.toFixed(0)} MiB`,
    );
    await client.end();
    return report(quick ? 'distribution-quick' : 'distribution', {
      database: 'postgres',
      sizes,
      runs,
      medianSeconds: median.seconds,
      storedEntries: stored.rows[0].entries,
      goalSeconds: GOAL_SECONDS,
      met: median.seconds < GOAL_SECONDS,
    });
  } finally {
    await database.close();
    await dropDatabase(name);
  }
}
