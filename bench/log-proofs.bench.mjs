// Inclusion proofs at 1,000,000 entries on PostgreSQL, and the server's memory with that log.
// The entries are synthetic (shaped like envelopes, unsigned): only the tree matters here.

import { sql } from 'drizzle-orm';
import { fromHex, nodeCrypto, toHex } from '../packages/protocol/dist/node.js';
import { integrateOnce, migrate, openDatabase } from '../packages/server/dist/index.js';
import { formatRate, report } from './lib.mjs';
import { httpClient } from './support/http-client.mjs';
import { dropDatabase, freshDatabase, percentile, postgresReachable, startServer } from './support/server.mjs';

const ACTOR = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

async function proofsAtScale(size) {
  const name = `concord_bench_proofs_${process.pid}`;
  const url = await freshDatabase(name);
  const database = await openDatabase({ databaseUrl: url, poolMax: 4 });
  await migrate(database);
  const db = database.db;
  const fillStart = performance.now();
  for (let from = 0; from < size; from += 250_000) {
    const to = Math.min(size, from + 250_000);
    await db.execute(sql`
      insert into events (type, actor, nonce, ts, envelope, canonical, leaf_hash, log_index)
      select 'bench.synthetic', ${ACTOR}::text, nonce, now(), envelope, c, sha256('\\x00'::bytea || c), i
      from (
        select i, nonce, envelope, convert_to(envelope::text, 'UTF8') as c
        from (
          select i, lpad(i::text, 16, '0') as nonce,
            jsonb_build_object('v', 1, 'type', 'bench.synthetic', 'actor', ${ACTOR}::text, 'ts', '2026-11-23T00:00:00.000Z',
              'nonce', lpad(i::text, 16, '0'), 'body', jsonb_build_object('i', i), 'sig', repeat('A', 86)) as envelope
          from generate_series(${from}::int8, ${to - 1}::int8) i
        ) e
      ) s`);
  }
  await db.execute(sql`update log_sequencer set next_index = ${size}`);
  const secretHex = toHex(nodeCrypto.randomBytes(32));
  const secretKey = fromHex(secretHex);
  const signer = { name: 'concord.localhost/log', secretKey, publicKey: nodeCrypto.ed25519.publicKey(secretKey) };
  const integrateStart = performance.now();
  for (;;) {
    const result = await integrateOnce(db, nodeCrypto, signer, 65_536);
    if (result === undefined || result.to === result.from) break;
    process.stdout.write(`\r  integrating ${result.to.toLocaleString('en-US')} / ${size.toLocaleString('en-US')}`);
  }
  process.stdout.write('\n');
  const integrateSeconds = (performance.now() - integrateStart) / 1000;
  await database.close();

  const server = await startServer(url, { CONCORD_LOG_SIGNING_KEY: secretHex });
  try {
    // A keep-alive client lighter than fetch: on a shared 2-core box the client's own work shows in the tail.
    const get = httpClient(server.url);
    // Warm-up: JIT and PostgreSQL's buffers, so the figures are the steady state.
    for (let i = 0; i < 300; i++) await get('GET', `/v1/log/entries/${Math.floor(Math.random() * size)}`);
    const latencies = [];
    for (let i = 0; i < 2000; i++) {
      const index = Math.floor(Math.random() * size);
      const start = performance.now();
      const { status, body: entry } = await get('GET', `/v1/log/entries/${index}`);
      latencies.push(performance.now() - start);
      if (status !== 200 || !entry.integrated) throw new Error(`entry ${index} not integrated (${status})`);
    }
    latencies.sort((a, b) => a - b);
    return {
      size,
      fillSeconds: (integrateStart - fillStart) / 1000,
      integrateSeconds,
      integratedPerSecond: size / integrateSeconds,
      proofP50Ms: percentile(latencies, 50),
      proofP99Ms: percentile(latencies, 99),
      serverRssMiB: server.rssMiB(),
    };
  } finally {
    await server.stop();
    await dropDatabase(name);
  }
}

export async function run({ quick = false } = {}) {
  if (!(await postgresReachable())) {
    console.log('  skipped: PostgreSQL is not reachable (set DATABASE_URL or start it on 127.0.0.1:5432)');
    return;
  }
  const scale = await proofsAtScale(quick ? 100_000 : 1_000_000);
  console.log(`  ${scale.size.toLocaleString('en-US')} entries integrated at ${formatRate(scale.integratedPerSecond)}`);
  console.log(
    `  inclusion proof            p50 ${scale.proofP50Ms.toFixed(2)} ms, p99 ${scale.proofP99Ms.toFixed(2)} ms (goal p99 < 5 ms)`,
  );
  console.log(`  server RSS                 ${scale.serverRssMiB.toFixed(0)} MiB after serving them (goal < 300 MB)`);
  return report(quick ? 'log-proofs-quick' : 'log-proofs', {
    database: 'postgres',
    ...scale,
    goalP99Ms: 5,
    goalRssMB: 300,
  });
}
