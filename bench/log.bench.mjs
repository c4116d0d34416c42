// Transparency log on PostgreSQL: ingest through POST /v1/events, integration latency, inclusion
// proofs at 1,000,000 entries, server memory, and `concord verify` throughput.

import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { defaultReplayChecks } from '../packages/cli/dist/verify/replay-checks.js';
import { trustVerifiers } from '../packages/cli/dist/verify/trust.js';
import { verifyLog } from '../packages/cli/dist/verify/verify-log.js';
import {
  createEnvelope,
  fromHex,
  keyPairFromSecretKey,
  nodeCrypto,
  signEnvelope,
  toBase64Url,
  toHex,
} from '../packages/protocol/dist/node.js';
import { createRegistry, integrateOnce, migrate, openDatabase } from '../packages/server/dist/index.js';
import { formatRate, report } from './lib.mjs';
import { dropDatabase, freshDatabase, percentile, postgresReachable, startServer } from './support/server.mjs';
import { allCoresVerifyRate, singleCoreVerifyRate } from './support/verify-rate.mjs';

const CLIENTS = 16;
// Synthetic entries (shaped like envelopes, not signed): enough to measure proofs and memory.
const ACTOR = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

function registrations(count) {
  return Array.from({ length: count }, () => {
    const pair = keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));
    return JSON.stringify(
      signEnvelope(
        createEnvelope({
          type: 'identity.account.registered',
          actor: pair.did,
          body: {},
          ts: new Date(),
          nonce: toBase64Url(nodeCrypto.randomBytes(16)),
        }),
        pair.secretKey,
        nodeCrypto,
      ),
    );
  });
}

async function post(url, body) {
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const receipt = await response.json();
  if (response.status !== 201) throw new Error(`POST /v1/events: ${response.status} ${JSON.stringify(receipt)}`);
  return receipt;
}

async function ingest(url, bodies, clients) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < bodies.length; i = next++) await post(url, bodies[i]);
    }),
  );
  return bodies.length / ((performance.now() - start) / 1000);
}

/** Append → visible in /log/checkpoint, for requests at a moderate rate; a poller watches the checkpoint. */
async function integrationLatency(url, bodies) {
  const seen = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const text = await (await fetch(`${url}/log/checkpoint`)).text();
      seen.push({ at: performance.now(), size: Number(text.split('\n')[1]) });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const sent = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const at = performance.now();
        const receipt = await post(url, bodies[i]);
        sent.push({ at, index: Number(receipt.logIndex) });
      }
    }),
  );
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && (seen.at(-1)?.size ?? 0) <= Math.max(...sent.map((s) => s.index))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  polling = false;
  await poller;
  const latencies = sent
    .map((s) => (seen.find((p) => p.size > s.index && p.at >= s.at)?.at ?? Number.NaN) - s.at)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return { samples: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

async function verifyThroughput(url) {
  const info = await (await fetch(`${url}/v1/log/info`)).json();
  const trust = trustVerifiers(nodeCrypto, { log: info.verifierKey, witnesses: [], quorum: 0 });
  const registry = createRegistry();
  const stateDir = mkdtempSync(join(tmpdir(), 'concord-verify-bench-'));
  const start = performance.now();
  const result = await verifyLog({
    baseUrl: url,
    crypto: nodeCrypto,
    trust,
    stateDir,
    bodyCheck: (type, body) => (registry.get(type)?.body.safeParse(body).success ? undefined : 'schema'),
    replayChecks: defaultReplayChecks(),
  });
  const seconds = (performance.now() - start) / 1000;
  rmSync(stateDir, { recursive: true, force: true });
  if (result.divergences.length > 0)
    throw new Error(`verify found divergences: ${JSON.stringify(result.divergences.slice(0, 3))}`);
  return { entries: result.entriesVerified, perSecond: result.entriesVerified / seconds };
}

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
      select 'bench.synthetic', ${ACTOR}, nonce, now(), envelope, c, sha256('\\x00'::bytea || c), i
      from (
        select i, nonce, envelope, convert_to(envelope::text, 'UTF8') as c
        from (
          select i, lpad(i::text, 16, '0') as nonce,
            jsonb_build_object('v', 1, 'type', 'bench.synthetic', 'actor', ${ACTOR}, 'ts', '2026-11-23T00:00:00.000Z',
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
    const latencies = [];
    for (let i = 0; i < 2000; i++) {
      const index = Math.floor(Math.random() * size);
      const start = performance.now();
      const response = await fetch(`${server.url}/v1/log/entries/${index}`);
      const entry = await response.json();
      latencies.push(performance.now() - start);
      if (!entry.integrated) throw new Error(`entry ${index} not integrated`);
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
  const cores = os.cpus().length;
  const total = quick ? 3000 : 20_000;
  console.log(`  signing ${total.toLocaleString('en-US')} envelopes…`);
  const bodies = registrations(total);
  const latencyBodies = registrations(quick ? 300 : 1500);

  const name = `concord_bench_ingest_${process.pid}`;
  const url = await freshDatabase(name);
  const server = await startServer(url);
  let ingestRate;
  let latency;
  let verify;
  try {
    await ingest(server.url, bodies.slice(0, 500), CLIENTS); // warm-up
    ingestRate = await ingest(server.url, bodies.slice(500), CLIENTS);
    latency = await integrationLatency(server.url, latencyBodies);
    verify = await verifyThroughput(server.url);
  } finally {
    await server.stop();
    await dropDatabase(name);
  }
  const bareAllCores = await allCoresVerifyRate(cores);
  const bareOneCore = singleCoreVerifyRate();
  console.log(
    `  ingest, ${CLIENTS} clients          ${formatRate(ingestRate)} = ${((ingestRate / bareAllCores) * 100).toFixed(1)}% of bare verify on ${cores} cores (${formatRate(bareAllCores)}; goal ≥ 50%)`,
  );
  console.log(
    `  integration latency        p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms (goal p99 < 1000 ms)`,
  );
  console.log(
    `  concord verify             ${formatRate(verify.perSecond)} over ${verify.entries} entries = ${((verify.perSecond / bareOneCore) * 100).toFixed(1)}% of bare single-core verify (${formatRate(bareOneCore)}; goal ≥ 80%)`,
  );

  const scale = await proofsAtScale(quick ? 100_000 : 1_000_000);
  console.log(`  ${scale.size.toLocaleString('en-US')} entries integrated at ${formatRate(scale.integratedPerSecond)}`);
  console.log(
    `  inclusion proof            p50 ${scale.proofP50Ms.toFixed(2)} ms, p99 ${scale.proofP99Ms.toFixed(2)} ms (goal p99 < 5 ms)`,
  );
  console.log(`  server RSS                 ${scale.serverRssMiB.toFixed(0)} MiB (goal < 300 MB)`);
  return report(quick ? 'log-quick' : 'log', {
    database: 'postgres',
    clients: CLIENTS,
    ingest: {
      envelopes: total - 500,
      perSecond: ingestRate,
      bareVerifyAllCores: bareAllCores,
      ratio: ingestRate / bareAllCores,
      goal: 0.5,
    },
    integrationLatency: { ...latency, goalP99Ms: 1000 },
    verify: { ...verify, bareVerifyOneCore: bareOneCore, ratio: verify.perSecond / bareOneCore, goal: 0.8 },
    proofs: { ...scale, goalP99Ms: 5, goalRssMB: 300 },
  });
}
