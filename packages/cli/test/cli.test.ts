import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKeys, signInMessage, toBase64Url } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { openDatabase, pgliteDirIn, readKeyFile } from '@concord/server';
import { tableCounts } from '@concord/server/test-support';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, freePort, runCli, spawnCli, waitFor } from './run-cli.js';

// Each command on PGlite in a temporary data directory, or on a throw-away PostgreSQL database.
const { env, dataDir } = cliTestEnvironment('concord-cli-');

describe('concord', () => {
  it('starts with the demo, serves health and docs, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnCli(['start', '--demo'], { ...env, PORT: String(port) });
    try {
      const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 60_000);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
      const docs = await fetch(`http://127.0.0.1:${port}/docs/`);
      expect(docs.status).toBe(200);
      // The demo is loaded after listen; wait for it to finish.
      const deadline = Date.now() + 90_000;
      while (!child.output().includes('Concord is running') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(child.output()).toContain('Demo loaded in');
      const producerKey = JSON.parse(readFileSync(join(dataDir, 'demo-keys', 'producer.json'), 'utf8'));
      const producer = (await (await fetch(`http://127.0.0.1:${port}/v1/accounts/${producerKey.did}`)).json()) as {
        roles: string[];
      };
      expect(producer.roles).toEqual(['consumer', 'producer']);
      await expectDemoCatalogue(`http://127.0.0.1:${port}`);
      await expectDemoOrders(`http://127.0.0.1:${port}`);

      // The demo log is cosigned by its two witnesses: the published checkpoint carries the
      // log's signature and two cosignatures, and an outsider's verify agrees.
      let note = '';
      while (Date.now() < deadline) {
        const response = await fetch(`http://127.0.0.1:${port}/log/checkpoint`);
        note = response.ok ? await response.text() : '';
        if (note.split('\n').filter((line) => line.startsWith('\u2014 ')).length === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(note).toContain('\u2014 witness-1.demo ');
      expect(note).toContain('\u2014 witness-2.demo ');
      const verified = await runCli(['verify', `http://127.0.0.1:${port}`, '--state', join(dataDir, 'verify')], env);
      expect(verified.output).toContain('2 trusted cosignatures (quorum 2)');
      expect(verified.code).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(child.output()).toContain('stopped');
  }, 180_000);

  it('runs the demo again without changing anything, and migrate reports up to date', async () => {
    const before = await demoTableCounts();
    const demo = await runCli(['demo'], env);
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/producer\s+did:key:z6Mk/);
    expect(demo.output).toMatch(/consumer-3\s+demo-cancelled-pearl-rice: cancelled, demo-refunded-gala: refunded/);
    // The channel: the promoter's commissions, one order's released and another's still frozen;
    // the team lead's override on both.
    expect(demo.output).toMatch(/promoter\s+.*demo-completed-oil direct: \d+, released/);
    expect(demo.output).toMatch(/promoter\s+.*direct: \d+, frozen/);
    expect(demo.output).toMatch(/team-lead\s+.*override: \d+, (frozen|released).*override/);
    // Points in every state: earned (cashback, a referral reward), sent with the 1% fee, spent at
    // checkout, on hold for an unpaid order, given back by a refund, and burned by the monthly run.
    expect(demo.output).toMatch(
      /consumer\s+points: \d+ held; earned cashback \d+ \+ \d+, referral \d+; spent 2000 on demo-points-rice; 500 on hold for demo-points-oil-waiting; 800 back from refunded demo-points-refund-pearl; burned \d+/,
    );
    expect(demo.output).toMatch(
      /consumer-2\s+points: \d+ held; earned cashback \d+; received 495 from consumer-3; burned/,
    );
    expect(demo.output).toMatch(/consumer-3\s+points: \d+ held; earned cashback \d+; sent 500 to consumer-2 \(fee 5\)/);
    // Withdrawals paid through the sandbox, rejected by the operator, and waiting for review.
    expect(demo.output).toMatch(
      /promoter\s+demo-wd-promoter-paid: 2000 \(fee 12\), paid; demo-wd-promoter-rejected: 3000, rejected; demo-wd-promoter-review: 3000, review/,
    );
    expect(demo.output).toMatch(/team-lead\s+demo-wd-team-lead-paid: 1000 \(fee 6\), paid/);
    // The anti-abuse queue: the 4th and 5th orders from one phone held, one approved.
    expect(demo.output).toMatch(
      /demo-refund-refused-guapian: pending, device_velocity; demo-completed-houkui-gift: approved, device_velocity/,
    );
    // Nothing new on the log or in the catalogue, orders, points and withdrawals; only the demo's sign-ins.
    expect(await demoTableCounts()).toEqual(before);
    expect(before).toMatchObject({
      catalog_products: 10,
      orders: 15,
      order_refunds: 4,
      distribution_points_transfers: 1,
      distribution_points_retirements: 1,
      distribution_withdrawals: 4,
      distribution_reviews: 2,
    });
    const migrate = await runCli(['migrate'], env);
    expect(migrate.output).toContain('Database is up to date.');
  }, 120_000);

  it('runs an independent witness that prints its key and serves its status', async () => {
    const port = await freePort();
    const witnessDir = join(dataDir, 'witness');
    const witness = (follow: string) =>
      spawnCli(
        ['witness', '--port', String(port), '--data-dir', witnessDir, '--name', 'w.test', '--follow', follow],
        env,
      );
    const child = witness('example.com/log=example.com/log+00000000+AQ==');
    const exit = await new Promise((resolve) => child.on('exit', resolve));
    expect(exit).toBe(2);
    expect(child.output()).toContain('verifier key');

    const keys = generateNoteKeys(nodeCrypto, 'example.com/log');
    const good = witness(`example.com/log=${keys.verifierKey}`);
    try {
      const status = await waitFor(`http://127.0.0.1:${port}/`, 30_000);
      expect(await status.json()).toMatchObject({ witness: 'w.test', logs: [{ origin: 'example.com/log', size: 0 }] });
      expect(good.output()).toMatch(/cosignature verifier key \(for CONCORD_WITNESSES\): w\.test\+[0-9a-f]{8}\+/);
    } finally {
      good.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => good.on('exit', resolve))).toBe(0);
  }, 60_000);

  it('makes and shows keys, and refuses to overwrite one', async () => {
    const file = join(dataDir, 'mine.json');
    const made = await runCli(['keys', 'new', '--out', file], env);
    expect(made.code).toBe(0);
    const did = made.output.split('\n')[0];
    expect(did).toMatch(/^did:key:z6Mk/);
    expect((await runCli(['keys', 'show', file], env)).output.trim()).toBe(did);
    const again = await runCli(['keys', 'new', '--out', file], env);
    expect(again.code).toBe(1);
    expect(again.output).toContain('Refusing to overwrite');
  }, 60_000);

  it('names a bad configuration variable and exits 2', async () => {
    const result = await runCli(['migrate'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.output).toContain('PORT');
  }, 60_000);
});

/** Row counts of the demo's database, less the tables that sign-ins and log checkpoints write. */
async function demoTableCounts(): Promise<Record<string, number>> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDir: pgliteDirIn(dataDir) });
  try {
    const counts = await tableCounts(database);
    for (const table of ['auth_challenges', 'sessions', 'log_checkpoints', 'log_cosignatures']) delete counts[table];
    return counts;
  } finally {
    await database.close();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read API answers field by field
type Json = any;

async function getJson(url: string, token?: string): Promise<Json> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, url).toBe(200);
  return response.json();
}

/** Signs in over HTTP with a demo key file, as a person using the demo would. */
async function signIn(base: string, keyFile: string): Promise<string> {
  const pair = readKeyFile(join(dataDir, 'demo-keys', keyFile), nodeCrypto);
  const post = async (path: string, body: object): Promise<Json> =>
    (
      await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();
  const { challenge } = await post('/v1/auth/challenges', { did: pair.did });
  const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
  return (await post('/v1/auth/sessions', { did: pair.did, challenge, signature })).token;
}

async function expectDemoCatalogue(base: string) {
  const categories = await getJson(`${base}/v1/catalog/categories`);
  expect(categories.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ slug: 'grain', name: { zh: '粮油', en: 'Grain & oil' }, depositFen: '50000' }),
      expect.objectContaining({ slug: 'rice', name: { zh: '大米', en: 'Rice' }, parent: 'grain' }),
      expect.objectContaining({ slug: 'oil', name: { zh: '食用油', en: 'Cooking oil' }, parent: 'grain' }),
      expect.objectContaining({ slug: 'tea', name: { zh: '茶叶', en: 'Tea' }, depositFen: '80000' }),
      expect.objectContaining({ slug: 'apple', parent: 'fresh' }),
    ]),
  );
  const models = await getJson(`${base}/v1/catalog/models`);
  const standards = Object.fromEntries(
    models.items.map((m: { id: string; standards: string[] }) => [m.id, m.standards[0]]),
  );
  expect(standards).toEqual({
    'apple-gbt10651': 'GB/T 10651-2008',
    'green-tea-gbt14456': 'GB/T 14456.1-2017',
    'rice-gbt1354': 'GB/T 1354-2018',
    'soybean-oil-gbt1535': 'GB/T 1535-2017',
  });
  expect(new Set(models.items.map((m: { ownerDid: string }) => m.ownerDid)).size).toBe(3);

  // A Chinese search finds the listed rice, and only the rice.
  const rice = await getJson(`${base}/v1/catalog/products?q=${encodeURIComponent('大米')}`);
  expect(rice.items.map((p: { id: string }) => p.id).sort()).toEqual([
    'dongbei-pearl-rice',
    'organic-changlixiang-rice',
    'wuchang-daohuaxiang-rice',
  ]);
  expect(rice.items.every((p: { status: string }) => p.status === 'listed')).toBe(true);
  const tea = await getJson(`${base}/v1/catalog/products?q=${encodeURIComponent('绿茶')}`);
  expect(tea.items).toHaveLength(3);
  const all = await getJson(`${base}/v1/catalog/products?limit=50`);
  expect(all.items).toHaveLength(10);
  expect(new Set(all.items.map((p: { producerDid: string }) => p.producerDid)).size).toBe(3);

  const product = await getJson(`${base}/v1/catalog/products/wuchang-daohuaxiang-rice`);
  expect(product.title).toEqual({
    zh: '五常大米 稻花香2号 2026年新米',
    en: 'Wuchang Daohuaxiang No. 2 rice, 2026 new crop',
  });
  expect(product.skus.map((s: { code: string }) => s.code)).toEqual(['2-5kg', '5kg', '10kg']);
  expect(product.lots).toHaveLength(2);
  for (const attribute of product.attributes as { mandatory: boolean; claim: unknown }[]) {
    if (attribute.mandatory) expect(attribute.claim).not.toBeNull();
  }
  // Each producer paid the deposit of their categories through the sandbox before listing.
  const deposit = await getJson(`${base}/v1/catalog/deposits`, await signIn(base, 'producer.json'));
  expect(deposit).toMatchObject({ heldFen: '100000', requiredFen: '100000', shortfallFen: '0' });
}

interface OrderView {
  id: string;
  status: string;
  pointsSpent: string;
  pointsFen: string;
  moneyFen: string;
  refundedFen: string;
  cancelReason: string | null;
  deliveredAt: string | null;
  returnWindowEnds: string | null;
  refunds: { refundId: string; status: string }[];
}

async function expectDemoOrders(base: string) {
  const orders = new Map<string, OrderView>();
  for (const buyer of ['consumer.json', 'consumer-2.json', 'consumer-3.json']) {
    const token = await signIn(base, buyer);
    const mine = await getJson(`${base}/v1/orders?limit=100`, token);
    expect(mine.items.length).toBeGreaterThanOrEqual(3);
    for (const { id } of mine.items) orders.set(id, await getJson(`${base}/v1/orders/${id}`, token));
  }
  const statusOf = (id: string) => orders.get(id)?.status;
  expect(new Set([...orders.values()].map((o) => o.status))).toEqual(
    new Set(['created', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded']),
  );
  expect(orders.get('demo-payment-failed-rice')).toMatchObject({ status: 'cancelled', cancelReason: 'payment_failed' });
  expect(orders.get('demo-cancelled-pearl-rice')).toMatchObject({ status: 'cancelled', cancelReason: 'buyer' });
  expect(statusOf('demo-completed-rice-oil')).toBe('completed');
  expect(statusOf('demo-completed-oil')).toBe('completed');
  expect(orders.get('demo-refunded-gala')).toMatchObject({ status: 'refunded', refundedFen: '9180' });
  // A partial refund (one box of three) before shipping; a refused request after delivery.
  expect(orders.get('demo-partial-refund-fuji')).toMatchObject({ status: 'shipped', refundedFen: '5990' });
  expect(orders.get('demo-refund-refused-guapian')).toMatchObject({
    status: 'delivered',
    refundedFen: '0',
    refunds: [expect.objectContaining({ refundId: 'rf-refused-guapian', status: 'refused' })],
  });
  // Paid partly with points (one point a fen): completed, waiting for its payment, refunded.
  expect(orders.get('demo-points-rice')).toMatchObject({
    status: 'completed',
    pointsSpent: '2000',
    pointsFen: '2000',
    moneyFen: '37800',
  });
  expect(orders.get('demo-points-oil-waiting')).toMatchObject({ status: 'created', pointsSpent: '500' });
  expect(orders.get('demo-points-refund-pearl')).toMatchObject({ status: 'refunded', pointsSpent: '800' });
  // Orders delivered outside the completed ones keep the configured return window of 7 days.
  const delivered = orders.get('demo-delivered-houkui') as OrderView;
  expect(delivered.status).toBe('delivered');
  const window = Date.parse(delivered.returnWindowEnds as string) - Date.parse(delivered.deliveredAt as string);
  expect(window).toBe(7 * 86_400_000);
}
