// Checkout on PostgreSQL (issue 5): orders per second through the HTTP API of a real server with
// 16 concurrent buyers, carts of 1–3 items from a catalogue of 10,000 products, each order a
// signed orders.order.placed envelope on the log, paid into escrow by the sandbox (its webhook
// delivered by the server's own job); p50/p99 of the checkout request; against pgbench's TPC-B
// with 16 clients in the same run, and against the lean order model: the database's part of an
// order run by pgbench itself (bench/support/order-model/), the ceiling of that ratio here.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  createEnvelope,
  keyPairFromSecretKey,
  nodeCrypto,
  signEnvelope,
  signInMessage,
  toBase64Url,
  toHex,
} from '../packages/protocol/dist/node.js';
import { formatRate, report } from './lib.mjs';
import { cpuMeter, processCpuSeconds } from './support/cpu.mjs';
import { httpClient } from './support/http-client.mjs';
import { orderModelTps, pgbenchTps } from './support/pgbench.mjs';
import {
  dropDatabase,
  freshDatabase,
  percentile,
  postgresReachable,
  SERVER_NODE_ARGS,
  startServer,
} from './support/server.mjs';
import { statementCounter } from './support/statement-counter.mjs';

const CLIENTS = 16;
const SECONDS = 8;
// BENCH_CHECKOUT_PRODUCTS: a smaller catalogue for trying the benchmark out (the figure is for 10,000).
const PRODUCTS = Number(process.env.BENCH_CHECKOUT_PRODUCTS ?? 10_000);
const PRODUCERS = 20;
const STOCK = 1_000_000;
const SETUP_CONCURRENCY = 32;
const GOALS = { ordersPerSecond: 500, ratioOfPgbench: 0.2, p99Ms: 100 };
const CATEGORY = 'bench-goods';
const MODEL_ID = 'bench-model';

// ---- HTTP and envelopes -------------------------------------------------------------------------

function expectStatus(response, status, what) {
  if (response.status !== status)
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)?.slice(0, 400)}`);
  return response.body;
}

const newPair = () => keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));

let nonceCounter = 0;
const sign = (pair, type, body) =>
  signEnvelope(
    createEnvelope({
      type,
      actor: pair.did,
      body,
      ts: new Date(),
      nonce: `${toBase64Url(nodeCrypto.randomBytes(12))}${(nonceCounter++).toString(36)}`,
    }),
    pair.secretKey,
    nodeCrypto,
  );

/** Runs fn(0…count-1) with at most `concurrency` at once; onDone(done) after each. */
async function inParallel(count, concurrency, fn, onDone) {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        await fn(i);
        done++;
        onDone?.(done);
      }
    }),
  );
}

const randomInt = (n) => Math.floor(Math.random() * n);

/**
 * Samples what the database's backends are doing every `everyMs`: their state and wait event, and
 * for those waiting on a lock, the statement they wait in and the last statement of the backend
 * they wait for (where the queue forms).
 */
function sampleActivity(admin, database, everyMs = 100) {
  const waits = new Map();
  const lockedIn = new Map();
  const heldBy = new Map();
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { rows } = await admin.query(
          `select a.state, coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU') as wait, a.wait_event_type,
                  left(regexp_replace(a.query, '\\s+', ' ', 'g'), 70) as query,
                  (select left(regexp_replace(b.query, '\\s+', ' ', 'g'), 70) from pg_stat_activity b
                    where b.pid = (pg_blocking_pids(a.pid))[1]) as blocker
             from pg_stat_activity a
            where a.datname = $1 and a.pid <> pg_backend_pid() and a.state <> 'idle'`,
          [database],
        );
        samples++;
        for (const row of rows) {
          bump(waits, `${row.state} ${row.wait}`);
          if (row.wait_event_type === 'Lock') {
            bump(lockedIn, row.query);
            if (row.blocker !== null) bump(heldBy, row.blocker);
          }
        }
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([what, count]) => ({ what, averageBackends: Math.round((count / Math.max(1, samples)) * 100) / 100 }));
  return async () => {
    running = false;
    await loop;
    return { samples, byWait: top(waits, 6), lockWaitsIn: top(lockedIn, 3), lockWaitsBehind: top(heldBy, 3) };
  };
}

// ---- Setup ----------------------------------------------------------------------------------------

const MODEL = {
  name: { zh: '基准质量模型', en: 'Benchmark quality model' },
  category: CATEGORY,
  standards: ['GB/T 1354-2018'],
  attributes: [
    {
      key: 'moisture',
      label: { zh: '水分', en: 'Moisture' },
      unit: 'g/100g',
      kind: 'numeric',
      min: 0,
      max: 100,
      tolerance: 0.5,
      weight: 300,
      mandatory: true,
      testMethod: 'GB 5009.3-2016 直接干燥法',
    },
  ],
};

const productId = (i) => `p${String(i).padStart(5, '0')}`;
const skuOf = (i) => `${productId(i)}:u`;

async function setUp(call, operator, products, sample) {
  const event = async (pair, type, body) =>
    expectStatus(await call('POST', '/v1/events', { body: sign(pair, type, body) }), 201, type);
  const register = async (pair) =>
    expectStatus(
      await call('POST', '/v1/accounts', { body: { envelope: sign(pair, 'identity.account.registered', {}) } }),
      201,
      'register',
    );
  const withRole = async (role) => {
    const pair = newPair();
    await register(pair);
    await event(pair, 'identity.role.applied', { role });
    await event(operator, 'identity.role.approved', { account: pair.did, role });
    return pair;
  };
  const signIn = async (pair) => {
    const { challenge } = expectStatus(
      await call('POST', '/v1/auth/challenges', { body: { did: pair.did } }),
      201,
      'challenge',
    );
    const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
    return expectStatus(
      await call('POST', '/v1/auth/sessions', { body: { did: pair.did, challenge, signature } }),
      201,
      'sign-in',
    ).token;
  };

  await register(operator);
  await event(operator, 'catalog.category.defined', {
    slug: CATEGORY,
    name: { zh: '基准商品', en: 'Benchmark goods' },
    depositFen: '0',
  });
  const expert = await withRole('expert');
  await event(expert, 'catalog.model.published', { modelId: MODEL_ID, version: 1, definition: MODEL });
  const producers = await Promise.all(Array.from({ length: PRODUCERS }, () => withRole('producer')));

  const start = performance.now();
  let shown = 0;
  const stopSampling = sample();
  await inParallel(
    products,
    SETUP_CONCURRENCY,
    async (i) => {
      const producer = producers[i % PRODUCERS];
      await event(producer, 'catalog.product.published', {
        productId: productId(i),
        category: CATEGORY,
        title: { zh: `基准商品 ${i}`, en: `Benchmark product ${i}` },
        description: '基准测试用商品。',
        images: [],
        model: { id: MODEL_ID, version: 1 },
        claims: { moisture: 14.5 },
        skus: [{ code: 'u', options: {}, priceFen: String(100 + ((i * 37) % 9900)), stock: STOCK }],
      });
      await event(producer, 'catalog.product.listed', { productId: productId(i) });
    },
    (done) => {
      if (done - shown >= 2000 || done === products) {
        shown = done;
        const seconds = (performance.now() - start) / 1000;
        console.log(
          `  setup: ${done.toLocaleString('en-US')}/${products.toLocaleString('en-US')} products published and listed (${seconds.toFixed(0)} s, ${formatRate(done / seconds)})`,
        );
      }
    },
  );

  const productActivity = await stopSampling();
  const buyers = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const pair = newPair();
      await register(pair);
      const token = await signIn(pair);
      const address = expectStatus(
        await call('POST', '/v1/addresses', {
          token,
          body: { recipient: '张三', phone: '13800138000', region: '浙江省 杭州市 西湖区', detail: '文三路 100 号' },
        }),
        201,
        'address',
      );
      return { pair, token, addressId: address.id };
    }),
  );
  return { producers, buyers, productActivity, productSeconds: (performance.now() - start) / 1000 };
}

// ---- The timed phase ------------------------------------------------------------------------------

/** One buyer's loop: a cart of 1–3 SKUs of one producer, quote, sign, check out. */
async function shop(call, buyer, clientIndex, products, until, stats) {
  let n = 0;
  while (performance.now() < until) {
    const loopStart = performance.now();
    // Items of one producer, so that a cart is one order (a quote splits carts by producer).
    const producer = randomInt(PRODUCERS);
    const perProducer = Math.floor(products / PRODUCERS);
    const picked = new Set();
    const items = 1 + randomInt(3);
    while (picked.size < items) picked.add(producer + PRODUCERS * randomInt(perProducer));
    for (const i of picked) {
      const put = await call('PUT', '/v1/cart/items', {
        token: buyer.token,
        body: { skuId: skuOf(i), quantity: 1 + randomInt(3) },
      });
      expectStatus(put, 200, 'cart');
    }
    const quote = expectStatus(await call('POST', '/v1/checkout/quote', { token: buyer.token }), 200, 'quote');
    for (const { body } of quote.orders) {
      const envelope = sign(buyer.pair, 'orders.order.placed', body);
      const sent = performance.now();
      const placed = await call('POST', '/v1/checkout', {
        token: buyer.token,
        headers: { 'idempotency-key': `bench-${clientIndex}-${n++}-${toBase64Url(nodeCrypto.randomBytes(6))}` },
        body: { envelope, addressId: buyer.addressId, simulate: 'succeed' },
      });
      const now = performance.now();
      stats.latencies.push(now - sent);
      if (placed.status === 201) {
        stats.orderIds.push(placed.body.order.id);
        stats.lines += body.items.length;
        stats.loopLatencies.push(now - loopStart);
      } else {
        const code = `${placed.status} ${placed.body?.error?.code ?? ''}`.trim();
        stats.errors[code] = (stats.errors[code] ?? 0) + 1;
        // Leave the cart empty for the next round.
        for (const i of picked)
          await call('PUT', '/v1/cart/items', { token: buyer.token, body: { skuId: skuOf(i), quantity: 0 } });
      }
    }
    stats.carts++;
  }
}

async function checkoutPhase(call, buyers, products, seconds) {
  const stats = { latencies: [], loopLatencies: [], orderIds: [], errors: {}, carts: 0, lines: 0 };
  const start = performance.now();
  await Promise.all(buyers.map((buyer, c) => shop(call, buyer, c, products, start + seconds * 1000, stats)));
  return { ...stats, seconds: (performance.now() - start) / 1000 };
}

/** Waits until the server's webhook job has paid the orders (or stops progressing). */
async function waitForPayment(db, orderIds, timedStartWall) {
  const deadline = Date.now() + 180_000;
  let last = -1;
  let lastChange = Date.now();
  let state;
  for (;;) {
    const { rows } = await db.query(
      `select count(*) filter (where paid_at is not null)::int as paid,
              extract(epoch from max(paid_at))::float8 as last_paid,
              percentile_cont(0.5) within group (order by extract(epoch from paid_at - created_at)) as p50,
              percentile_cont(0.99) within group (order by extract(epoch from paid_at - created_at)) as p99
         from orders where id = any($1::text[])`,
      [orderIds],
    );
    state = rows[0];
    if (state.paid === orderIds.length) break;
    if (state.paid !== last) {
      last = state.paid;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > 15_000 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const outbox = (
    await db.query(
      `select count(*) filter (where delivered_at is null)::int as undelivered,
              count(*) filter (where attempts > 1)::int as retried
         from sandbox_webhook_outbox`,
    )
  ).rows[0];
  const secondsToLastPaid = state.last_paid === null ? Number.NaN : state.last_paid - timedStartWall / 1000;
  return {
    orders: orderIds.length,
    paid: state.paid,
    secondsToLastPaid,
    perSecond: state.paid / secondsToLastPaid,
    timeToPaidP50Ms: Number(state.p50) * 1000,
    timeToPaidP99Ms: Number(state.p99) * 1000,
    webhooksUndelivered: outbox.undelivered,
    webhooksRetried: outbox.retried,
  };
}

// ---- The benchmark --------------------------------------------------------------------------------

export async function run({ quick = false } = {}) {
  if (!(await postgresReachable())) {
    console.log('  skipped: PostgreSQL is not reachable (set DATABASE_URL or start it on 127.0.0.1:5432)');
    return;
  }
  const seconds = quick ? 3 : SECONDS;
  const name = `concord_bench_checkout_${process.pid}`;
  const pgName = `concord_bench_pgbench_${process.pid}`;
  const pgUrl = await freshDatabase(pgName);
  let tps16;
  let modelTps;
  try {
    tps16 = pgbenchTps(pgUrl, CLIENTS, seconds);
    console.log(`  pgbench TPC-B, ${CLIENTS} clients   ${formatRate(tps16)}`);
    // The database's part of an order with nothing else on the machine: the ceiling of the ratio.
    modelTps = orderModelTps(pgUrl, CLIENTS, seconds);
    console.log(
      `  lean order model, pgbench  ${formatRate(modelTps)} orders = ${((modelTps / tps16) * 100).toFixed(1)}% of TPC-B: ~29 prepared statements per order run by pgbench itself, no server (bench/support/order-model/)`,
    );
  } finally {
    await dropDatabase(pgName);
  }

  const url = await freshDatabase(name);
  // The operator key the server signs the platform's acts with, and we define the category with.
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-bench-checkout-'));
  const operator = newPair();
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dataDir, 'keys', 'operator.json'),
    `${JSON.stringify({ did: operator.did, secretKeyHex: toHex(operator.secretKey) })}\n`,
    { mode: 0o600 },
  );
  // BENCH_COUNT_STATEMENTS=1: also count the SQL statements per order (the counter costs some speed).
  const counter = process.env.BENCH_COUNT_STATEMENTS ? statementCounter() : undefined;
  const server = await startServer(
    url,
    { DATA_DIR: dataDir, ...counter?.env },
    counter === undefined ? undefined : [...SERVER_NODE_ARGS, ...counter.nodeArgs],
  );
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const sampler = new pg.Client({ connectionString: url });
  await sampler.connect();
  let result;
  try {
    const call = httpClient(server.url);
    const setupStart = performance.now();
    const setupCpu = { server: processCpuSeconds(server.pid) };
    const { buyers, productActivity, productSeconds } = await setUp(call, operator, PRODUCTS, () =>
      sampleActivity(sampler, name),
    );
    const setupSeconds = (performance.now() - setupStart) / 1000;
    setupCpu.serverCores = (processCpuSeconds(server.pid) - setupCpu.server) / setupSeconds;
    console.log(
      `  setup                      ${PRODUCTS.toLocaleString('en-US')} products (${PRODUCERS} producers, stock ${STOCK.toLocaleString('en-US')} each), ${CLIENTS} buyers in ${setupSeconds.toFixed(1)} s`,
    );

    const list = (items) => items.map((t) => `${t.averageBackends} ${t.what}`).join('; ');
    console.log(
      `    while publishing: server ${setupCpu.serverCores.toFixed(2)} cores; database backends by wait: ${list(productActivity.byWait)}`,
    );

    // Warm-up (not counted): JIT, pool connections, caches.
    const warm = await checkoutPhase(call, buyers, PRODUCTS, 1);
    await waitForPayment(db, warm.orderIds, Date.now());

    const stopSampling = sampleActivity(sampler, name);
    const meter = cpuMeter(server.pid);
    const timedStartWall = Date.now();
    counter?.start();
    const timed = await checkoutPhase(call, buyers, PRODUCTS, seconds);
    const cpu = meter.stop(timed.seconds);
    const activity = await stopSampling();

    const payment = await waitForPayment(db, timed.orderIds, timedStartWall);
    const statements = await counter?.stop(); // the timed orders and their payments

    const latencies = [...timed.latencies].sort((a, b) => a - b);
    const loops = [...timed.loopLatencies].sort((a, b) => a - b);
    const orders = timed.orderIds.length;
    const ordersPerSecond = orders / timed.seconds;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const ratio = ordersPerSecond / tps16;
    const errorCount = Object.values(timed.errors).reduce((a, b) => a + b, 0);

    console.log(
      `  checkout, ${CLIENTS} clients        ${formatRate(ordersPerSecond)} orders (${orders} in ${timed.seconds.toFixed(1)} s, ${(timed.lines / Math.max(1, orders)).toFixed(2)} lines each; goal ≥ ${GOALS.ordersPerSecond}/s)`,
    );
    console.log(
      `  checkout request latency   p50 ${p50?.toFixed(1)} ms, p99 ${p99?.toFixed(1)} ms (goal p99 < ${GOALS.p99Ms} ms); whole cart→quote→checkout p50 ${percentile(loops, 50)?.toFixed(1)} ms, p99 ${percentile(loops, 99)?.toFixed(1)} ms`,
    );
    console.log(
      `  ratio                      ${(ratio * 100).toFixed(1)}% of pgbench TPC-B (${formatRate(tps16)}; goal ≥ ${GOALS.ratioOfPgbench * 100}%)`,
    );
    console.log(
      `  paid into escrow           ${payment.paid}/${payment.orders} orders paid by the webhook job, the last ${payment.secondsToLastPaid.toFixed(1)} s after the start: ${formatRate(payment.perSecond)} including payment; checkout→paid p50 ${payment.timeToPaidP50Ms.toFixed(0)} ms, p99 ${payment.timeToPaidP99Ms.toFixed(0)} ms`,
    );
    if (errorCount > 0) console.log(`  refused checkouts          ${errorCount}: ${JSON.stringify(timed.errors)}`);
    console.log(
      `  CPU while timed            ${cpu.machineBusyCores.toFixed(2)} of ${os.cpus().length} cores busy: server ${cpu.serverCores.toFixed(2)}, bench clients ${cpu.benchClientCores.toFixed(2)}, the rest PostgreSQL and others`,
    );
    console.log(`  database backends          average busy, by wait: ${list(activity.byWait)}`);
    if (activity.lockWaitsIn.length > 0) {
      console.log(`    waiting for a lock in    ${list(activity.lockWaitsIn)}`);
      console.log(`    behind a backend whose last statement was ${list(activity.lockWaitsBehind)}`);
    }

    let statementsPerOrder;
    if (statements !== undefined) {
      statementsPerOrder = statements.reduce((sum, [, n]) => sum + n, 0) / orders;
      console.log(
        `  SQL statements per order   ${statementsPerOrder.toFixed(1)} (cart puts, quote, checkout, payment); most sent:`,
      );
      for (const [text, n] of statements.slice(0, 12))
        console.log(`    ${(n / orders).toFixed(2)}  ${text.slice(0, 90)}`);
    }

    // Counted runs are slower (the counter runs in the server): their figures go to a file of their own.
    result = report(`${counter === undefined ? 'checkout' : 'checkout-counted'}${quick ? '-quick' : ''}`, {
      database: 'postgres',
      clients: CLIENTS,
      seconds: timed.seconds,
      catalogue: { products: PRODUCTS, producers: PRODUCERS, skusPerProduct: 1, stockPerSku: STOCK },
      cart: 'one order per cart: 1–3 distinct SKUs of one producer, quantity 1–3 each',
      setupSeconds,
      setupPublishing: {
        productsPerSecond: PRODUCTS / productSeconds,
        serverCores: setupCpu.serverCores,
        databaseActivity: productActivity,
      },
      orders,
      carts: timed.carts,
      linesPerOrder: timed.lines / Math.max(1, orders),
      ordersPerSecond,
      checkoutLatency: { samples: latencies.length, p50Ms: p50, p99Ms: p99 },
      cartQuoteCheckoutLatency: { p50Ms: percentile(loops, 50), p99Ms: percentile(loops, 99) },
      refused: timed.errors,
      payment,
      pgbenchTpcbTps16: tps16,
      leanOrderModel: { ordersPerSecond: modelTps, ratioOfPgbench: modelTps / tps16 },
      ratio,
      goals: GOALS,
      met: {
        ordersPerSecond: ordersPerSecond >= GOALS.ordersPerSecond,
        ratioOfPgbench: ratio >= GOALS.ratioOfPgbench,
        p99Ms: p99 < GOALS.p99Ms,
      },
      cpu,
      databaseActivity: activity,
      ...(statementsPerOrder === undefined ? {} : { statementsPerOrder }),
    });
  } finally {
    await db.end();
    await sampler.end();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(name);
  }
  return result;
}
