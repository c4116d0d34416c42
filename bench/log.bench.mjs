// Transparency log on PostgreSQL: ingest through POST /v1/events, integration latency, and
// `concord verify` throughput (inclusion proofs at 1,000,000 entries: log-proofs.bench.mjs).

import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultReplayChecks } from '../packages/cli/dist/verify/replay-checks.js';
import { trustVerifiers } from '../packages/cli/dist/verify/trust.js';
import { verifyLog } from '../packages/cli/dist/verify/verify-log.js';
import {
  canonicalBytes,
  createEnvelope,
  keyPairFromSecretKey,
  nodeCrypto,
  signEnvelope,
  toBase64Url,
} from '../packages/protocol/dist/node.js';
import { createRegistry } from '../packages/server/dist/index.js';
import { formatRate, report } from './lib.mjs';
import { cpuMeter } from './support/cpu.mjs';
import { httpClient } from './support/http-client.mjs';
import { startIngestCeilingServer } from './support/ingest-ceiling.mjs';
import { dropDatabase, freshDatabase, percentile, postgresReachable, startServer } from './support/server.mjs';
import { singleCoreEntryMinimumRate } from './support/verify-entry-minimum.mjs';
import { allCoresVerifyRate, singleCoreVerifyRate, singleCoreVerifyWithImportRate } from './support/verify-rate.mjs';

const CLIENTS = 16;

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

const clients = new Map();
async function post(url, body) {
  if (!clients.has(url)) clients.set(url, httpClient(url));
  const response = await clients.get(url)('POST', '/v1/events', { json: body });
  if (response.status !== 201) throw new Error(`POST /v1/events: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
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
    replayChecks: defaultReplayChecks().checks,
  });
  const seconds = (performance.now() - start) / 1000;
  rmSync(stateDir, { recursive: true, force: true });
  if (result.divergences.length > 0)
    throw new Error(`verify found divergences: ${JSON.stringify(result.divergences.slice(0, 3))}`);
  return { entries: result.entriesVerified, perSecond: result.entriesVerified / seconds };
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
  let ingestCpu;
  let latency;
  let verify;
  try {
    await ingest(server.url, bodies.slice(0, 500), CLIENTS); // warm-up
    const meter = cpuMeter(server.pid);
    const started = performance.now();
    ingestRate = await ingest(server.url, bodies.slice(500), CLIENTS);
    ingestCpu = meter.stop((performance.now() - started) / 1000);
    latency = await integrationLatency(server.url, latencyBodies);
    verify = await verifyThroughput(server.url);
  } finally {
    await server.stop();
    await dropDatabase(name);
  }
  // The same client against a bare server with no database: the most one process can take here.
  const ceiling = await startIngestCeilingServer();
  let ceilingRate;
  let ceilingCpu;
  try {
    const ceilingBodies = registrations(quick ? 3000 : 10_000);
    await ingest(ceiling.url, ceilingBodies.slice(0, 500), CLIENTS);
    const meter = cpuMeter(ceiling.pid);
    const started = performance.now();
    ceilingRate = await ingest(ceiling.url, ceilingBodies.slice(500), CLIENTS);
    ceilingCpu = meter.stop((performance.now() - started) / 1000);
  } finally {
    await ceiling.stop();
  }
  const bareAllCores = await allCoresVerifyRate(cores);
  const bareOneCore = singleCoreVerifyRate();
  const bareOneCoreImport = singleCoreVerifyWithImportRate();
  const entryMinimum = singleCoreEntryMinimumRate(
    bodies.slice(0, 4096).map((body) => canonicalBytes(JSON.parse(body))),
  );
  console.log(
    `  ingest, ${CLIENTS} clients          ${formatRate(ingestRate)} = ${((ingestRate / bareAllCores) * 100).toFixed(1)}% of bare verify on ${cores} cores (${formatRate(bareAllCores)}; goal ≥ 50%)`,
  );
  const machineMsPerEnvelope = (ingestCpu.machineBusyCores / ingestRate) * 1000;
  console.log(
    `    CPU while timed          ${ingestCpu.machineBusyCores.toFixed(2)} of ${cores} cores busy: server ${ingestCpu.serverCores.toFixed(2)}, bench clients ${ingestCpu.benchClientCores.toFixed(2)}, the rest PostgreSQL and others; ${machineMsPerEnvelope.toFixed(2)} ms of machine CPU per envelope (a bare verify: ${(1000 / bareOneCore).toFixed(3)} ms)`,
  );
  console.log(
    `    bare server, no database ${formatRate(ceilingRate)} = ${((ceilingRate / bareAllCores) * 100).toFixed(1)}% of bare verify on ${cores} cores: one node:http process that only parses, hashes and verifies each envelope, same client (server ${ceilingCpu.serverCores.toFixed(2)} cores, client ${ceilingCpu.benchClientCores.toFixed(2)})`,
  );
  console.log(
    `  integration latency        p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms (goal p99 < 1000 ms)`,
  );
  console.log(
    `  concord verify             ${formatRate(verify.perSecond)} over ${verify.entries} entries = ${((verify.perSecond / bareOneCore) * 100).toFixed(1)}% of bare single-core verify (${formatRate(bareOneCore)}; goal ≥ 80%)`,
  );
  console.log(
    `                             = ${((verify.perSecond / bareOneCoreImport) * 100).toFixed(1)}% of bare single-core verify importing each signer's key (${formatRate(bareOneCoreImport)})`,
  );
  console.log(
    `    per-entry minimum alone  ${formatRate(entryMinimum)} = ${((entryMinimum / bareOneCore) * 100).toFixed(1)}% of bare single-core verify: parse, canonical-form check, leaf hash, key import and signature in a loop, nothing else (the ceiling of any verifier)`,
  );

  return report(quick ? 'log-quick' : 'log', {
    database: 'postgres',
    clients: CLIENTS,
    ingest: {
      envelopes: total - 500,
      perSecond: ingestRate,
      bareVerifyAllCores: bareAllCores,
      ratio: ingestRate / bareAllCores,
      goal: 0.5,
      cpu: { ...ingestCpu, machineMsPerEnvelope },
      bareServerWithoutDatabase: { perSecond: ceilingRate, ratio: ceilingRate / bareAllCores, cpu: ceilingCpu },
    },
    integrationLatency: { ...latency, goalP99Ms: 1000 },
    verify: {
      ...verify,
      bareVerifyOneCore: bareOneCore,
      ratio: verify.perSecond / bareOneCore,
      bareVerifyOneCoreWithKeyImport: bareOneCoreImport,
      ratioWithKeyImport: verify.perSecond / bareOneCoreImport,
      perEntryMinimum: { perSecond: entryMinimum, ratio: entryMinimum / bareOneCore },
      goal: 0.8,
    },
  });
}
