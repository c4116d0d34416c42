import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKeys, signInMessage, toBase64Url } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { openDatabase, pgliteDirIn, readKeyFile } from '@concord/server';
import { tableCounts } from '@concord/server/test-support';
import { sql } from 'drizzle-orm';
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
      await expectDemoConsensus(`http://127.0.0.1:${port}`);

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
    // The consensus story: the panel, a round passed and one failed, the appeal of the failure ruled.
    expect(demo.output).toMatch(/panel\s+oil, cycle \d+: 8 testers elected by Phragmén from 8 candidates/);
    expect(demo.output).toMatch(
      /passed\s+pressed-soybean-oil lot WC-OIL-20260920, round r-[\w-]+: pass; 7 of 7 testers revealed; badge awarded; product listed, verdict passed; penalised: tester(-\d)?/,
    );
    expect(demo.output).toMatch(
      /failed\s+xinyuan-soybean-oil lot XY-OIL-20261008, round r-[\w-]+: fail; 7 of 7 testers revealed; failed grade, pressed, acid_value, peroxide; product suspended, verdict failed; 2 refund offers to its buyers; deposit cut by 10000 fen to 40000/,
    );
    expect(demo.output).toMatch(
      /appeal\s+appeal-r-[\w-]+ by producer-4 \(bond 10000 fen.*\): ruled, ruling uphold; jury .*\(stake \d+ points\).*; the jury fee \(3000 fen\) shared by /,
    );
    // The cycles that ended are closed: the story's round paid its testers, its producer was paid,
    // and the witnesses shared the trust fee of the checkpoints they cosigned then.
    expect(demo.output).toMatch(/Settlement cycle \d+ closed \(\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d\): \d+ orders/);
    expect(demo.output).toMatch(/体验池·体验者 \(experience_tester\): ¥[\d,.]+ to \d+ part/);
    expect(demo.output).toMatch(/供应商货款 \(supplier\): ¥[\d,.]+ to \d+ part/);
    expect(demo.output).toMatch(/信任费·见证人 \(trust_fee\): ¥[\d,.]+ to [23] parties/);
    // Nothing new on the log or in the catalogue, orders, points and withdrawals; only the demo's sign-ins.
    expect(await demoTableCounts()).toEqual(before);
    expect(before).toMatchObject({
      catalog_products: 11,
      // The demo's orders, the drawn testers' purchases of the two tested lots and two buyers' of the failed one.
      orders: 15 + 2 * 7 + 2,
      consensus_panels: 1,
      consensus_rounds: 2,
      consensus_round_testers: 14,
      consensus_appeals: 1,
      consensus_jurors: 3,
      order_refunds: 4,
      distribution_points_transfers: 1,
      distribution_points_retirements: 1,
      distribution_withdrawals: 4,
      distribution_reviews: 2,
    });
    // The story ran in the past and the clock only moved forward: the log's times never go back
    // (beyond envelopes signed side by side), and end at the real time. An envelope is signed
    // before it waits for the log's sequencer, which a transaction that has taken an index holds until
    // it commits: on a loaded machine that wait took over 6 s, so side by side means 30 s here,
    // still far below the story's steps of hours and days.
    const times = await logTimes();
    let latest = 0;
    for (const ts of times) {
      expect(ts).toBeGreaterThan(latest - 30_000);
      latest = Math.max(latest, ts);
    }
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThan(30 * DAY_MS);
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

const DAY_MS = 86_400_000;

/** The signed times of the log's entries, in log order. */
async function logTimes(): Promise<number[]> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDir: pgliteDirIn(dataDir) });
  try {
    const result = (await database.db.execute(
      sql`select envelope->>'ts' as ts from events where log_index is not null order by log_index`,
    )) as unknown as { rows: { ts: string }[] };
    return result.rows.map((row) => Date.parse(row.ts));
  } finally {
    await database.close();
  }
}

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

/**
 * The consensus story, through the API: the oil panel, the pressed oil passed with a badge naming
 * its round, the trader's oil failed and suspended (refunds offered to its buyers), and its appeal
 * ruled by a jury — all decided weeks before today.
 */
async function expectDemoConsensus(base: string) {
  const roundOf = async (productId: string) =>
    (await getJson(`${base}/v1/consensus/rounds?productId=${productId}`)).items as Json[];
  const [passed, ...otherPassed] = await roundOf('pressed-soybean-oil');
  expect(otherPassed).toEqual([]);
  expect(passed).toMatchObject({ status: 'decided', verdict: 'pass', category: 'oil', lotId: 'WC-OIL-20260920' });
  const oil = await getJson(`${base}/v1/catalog/products/pressed-soybean-oil`);
  expect(oil).toMatchObject({
    status: 'listed',
    verdict: 'passed',
    consensus: {
      round: { id: passed.id, verdict: 'pass', testersDrawn: 7, testersRevealed: 7 },
      badge: { roundId: passed.id, lotId: 'WC-OIL-20260920' },
    },
  });
  expect(Date.parse(oil.consensus.round.decidedAt)).toBeLessThan(Date.now() - 14 * DAY_MS);

  const [failed] = await roundOf('xinyuan-soybean-oil');
  expect(failed).toMatchObject({ status: 'decided', verdict: 'fail', cycle: passed.cycle });
  const trader = await getJson(`${base}/v1/catalog/products/xinyuan-soybean-oil`);
  expect(trader).toMatchObject({
    status: 'suspended',
    verdict: 'failed',
    consensus: { round: { id: failed.id, verdict: 'fail' }, badge: null },
  });
  expect(trader.suspendedReason).toContain(failed.id);
  const conforms = Object.fromEntries(
    trader.consensus.attributes.map((a: { key: string; conforms: boolean }) => [a.key, a.conforms]),
  );
  expect(conforms).toMatchObject({
    grade: false,
    pressed: false,
    acid_value: false,
    peroxide: false,
    benzopyrene: true,
  });
  const tally = await getJson(`${base}/v1/consensus/rounds/${failed.id}/tally`);
  expect(tally.tallies.at(-1).result.failedMandatory).toEqual(['grade', 'pressed', 'acid_value', 'peroxide']);

  // The panel both rounds drew from: elected from the eight testers' candidacies.
  const panel = await getJson(`${base}/v1/consensus/panels/oil?cycle=${failed.cycle}`);
  expect(panel.members).toHaveLength(8);

  // Its buyers are offered a refund; the drawn testers, who bought it to test it, are not.
  const offers = async (keyFile: string) =>
    (await getJson(`${base}/v1/consensus/refund-offers`, await signIn(base, keyFile))).items;
  expect(await offers('consumer-4.json')).toEqual([expect.objectContaining({ roundId: failed.id, status: 'offered' })]);
  const round = await getJson(`${base}/v1/consensus/rounds/${failed.id}`);
  expect(round.testers.every((t: Json) => t.committed && t.revealStatus === 'valid')).toBe(true);
  const testers = ['tester', ...[2, 3, 4, 5, 6, 7, 8].map((n) => `tester-${n}`)];
  const drawn = testers.find((name) =>
    round.testers.some(
      (t: Json) => t.tester === readKeyFile(join(dataDir, 'demo-keys', `${name}.json`), nodeCrypto).did,
    ),
  ) as string;
  expect(await offers(`${drawn}.json`)).toEqual([]);

  // The trader's appeal, its bond paid through the sandbox, ruled by a jury that committed and revealed.
  const appeal = await getJson(`${base}/v1/consensus/appeals/appeal-${failed.id}`);
  expect(appeal.instances).toEqual([
    expect.objectContaining({ status: 'ruled', ruling: 'uphold', verdictAppealed: 'fail', bondFen: '10000' }),
  ]);
  const jurors = appeal.instances[0].jurors as Json[];
  expect(jurors.map((j) => j.vote).sort()).toEqual(['overturn', 'uphold', 'uphold']);
  expect(jurors.filter((j) => j.coherent).every((j) => BigInt(j.rewardFen) > 0n)).toBe(true);
  // The expert juror serves with the stake a nominator put behind it.
  expect(jurors.some((j) => BigInt(j.stakePoints) > 0n)).toBe(true);
}
