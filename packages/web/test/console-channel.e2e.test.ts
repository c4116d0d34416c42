import type { ChildProcess } from 'node:child_process';
import { juryRoundId, voteCommit } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, waitFor } from '../../cli/test/run-cli.js';
import { openDatabase, pgliteDirIn } from '../../server/src/db/connection.js';
import { shortDid } from '../src/shared/format.js';
import { ApiAs } from './support/api.js';
import { collectPageErrors, launchChromium } from './support/browser.js';
import { buildWeb } from './support/build.js';
import { type DemoKey, type DemoServer, demoServer } from './support/demo-server.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

/**
 * The channel's consoles on the demo data: the promoter (links, team, commissions, withdrawals),
 * the nominator (candidates, nomination, stake, slashes) and the juror (a case, the evidence, a
 * sealed vote).
 *
 * The demo's consensus story runs weeks in the past, so by now every appeal window it left is
 * closed, and a server that runs on the real clock cannot decide a new round within a test (its
 * deadlines are days long). So, as the server's own appeal tests do (test-support
 * consensus-appeals.ts `decidedRound`), the test adds a round decided now — a copy of the demo's
 * failed oil round with its testers and its tally — while the server is stopped, then starts it
 * again; the appeal itself is filed through the API with its bond paid through the sandbox, and the
 * jury is drawn by the server. The restart also lowers the smallest withdrawal to ¥5, below what
 * the demo's promoter has available (¥7.78).
 */
const server = demoServer('concord-web-channel-');
const PASSPHRASE = 'demo passphrase 1';
const APPEAL_ROUND = 'r-web-appeal';
const APPEAL_CASE = `appeal-${APPEAL_ROUND}`;
const FAILED_PRODUCT = 'xinyuan-soybean-oil';
let demo: DemoServer;
let browser: Browser;
let relaunched: (ChildProcess & { output: () => string }) | undefined;

/** The throw-away PostgreSQL database this file's server runs on (DATABASE_URL), found by its name. */
async function postgresUrl(): Promise<string | undefined> {
  const admin = process.env.DATABASE_URL;
  if (!admin) return undefined;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const found = await client.query<{ datname: string }>(
    'select datname from pg_database where datname like $1 order by oid desc limit 1',
    [`concord_test_${process.pid}_%`],
  );
  await client.end();
  const name = found.rows[0]?.datname;
  if (name === undefined) throw new Error('the test database was not found');
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A copy of the demo's failed oil round, decided now and open to appeal for 7 days. */
async function addAppealableRound(databaseUrl: string | undefined): Promise<void> {
  const database = await openDatabase(
    databaseUrl === undefined ? { pgliteDir: pgliteDirIn(demo.dataDir) } : { databaseUrl, poolMax: 2 },
  );
  try {
    const now = new Date();
    const until = new Date(now.getTime() + 7 * 86_400_000);
    // Created just before the original, so the product's latest round (what the demo checks when
    // it starts again) stays the demo's own.
    await database.db.execute(
      sql`insert into consensus_rounds (id, product_id, lot_id, producer_did, category, model_id, model_version, cycle,
                                        status, stage, checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline,
                                        verdict, opened_event_id, decided_event_id, appeal_until, created_at, decided_at)
          select ${APPEAL_ROUND}, product_id, lot_id, producer_did, category, model_id, model_version, cycle, status, stage,
                 checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline, verdict, opened_event_id,
                 decided_event_id, ${until.toISOString()}::timestamptz, created_at - interval '1 hour',
                 ${now.toISOString()}::timestamptz
            from consensus_rounds where product_id = ${FAILED_PRODUCT} order by created_at desc limit 1`,
    );
    await database.db.execute(
      sql`insert into consensus_round_testers (round_id, tester_did, stage, ep, stake_points, weight, commit, committed_at,
                                               report, salt, revealed_at, reveal_status, accuracy)
          select ${APPEAL_ROUND}, t.tester_did, t.stage, t.ep, t.stake_points, t.weight, t.commit, t.committed_at,
                 t.report, t.salt, t.revealed_at, t.reveal_status, t.accuracy
            from consensus_round_testers t
           where t.round_id = (select id from consensus_rounds where product_id = ${FAILED_PRODUCT} and id <> ${APPEAL_ROUND}
                                order by created_at desc limit 1)`,
    );
    await database.db.execute(
      sql`insert into consensus_results (kind, subject, stage, result, digest, event_id, created_at)
          select kind, ${APPEAL_ROUND}, stage, result, digest, event_id, ${now.toISOString()}::timestamptz
            from consensus_results
           where kind = 'tally'
             and subject = (select id from consensus_rounds where product_id = ${FAILED_PRODUCT} and id <> ${APPEAL_ROUND}
                             order by created_at desc limit 1)`,
    );
  } finally {
    await database.close();
  }
}

/** `concord start --demo` again on the loaded data, on the same port, with `env` added. */
async function relaunch(databaseUrl: string | undefined, env: Record<string, string>): Promise<void> {
  const port = new URL(demo.origin).port;
  relaunched = spawnCli(['start', '--demo'], {
    DATA_DIR: demo.dataDir,
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    PORT: port,
    CONCORD_WEB_DIR: await buildWeb(),
    ...env,
  });
  await waitFor(`${demo.origin}/readyz`, 90_000);
  const deadline = Date.now() + 90_000;
  while (!relaunched.output().includes('Concord is running')) {
    if (relaunched.exitCode !== null || Date.now() > deadline)
      throw new Error(`concord start --demo did not come up again:\n${relaunched.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  demo = await server.start();
  const databaseUrl = await postgresUrl();
  await demo.close();
  await addAppealableRound(databaseUrl);
  await relaunch(databaseUrl, { CONCORD_WITHDRAWAL_MIN_FEN: '500' });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (relaunched && relaunched.exitCode === null) {
    const child = relaunched;
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
});

/** Clicks a button whose action is signed, answering the unlock dialog if asked. */
async function clickToSign(page: Page, testId: string): Promise<void> {
  await clickAndSign(page.getByTestId(testId), PASSPHRASE);
}

/** The same console at phone width: loads without errors, for the screenshot. */
async function onPhone(key: DemoKey, path: string, ready: string, name: string): Promise<void> {
  const page = await phonePage(browser);
  const errors = collectPageErrors(page);
  await signInAs(page, demo.origin, key, PASSPHRASE);
  await page.goto(`${demo.origin}${path}`);
  await page.getByTestId(ready).waitFor();
  await screenshot(page, name);
  expect(errors).toEqual([]);
  await page.close();
}

interface Commission {
  status: string;
}
interface Withdrawal {
  id: string;
  amountFen: string;
  status: string;
  destination: string;
}

describe('the promoter console', () => {
  it('shows links with QR codes, team and level, commissions frozen and released; makes a link and withdraws', async () => {
    const key = demo.key('promoter');
    const api = new ApiAs(demo.origin, key);
    const before = await api.get<{ links: { kind: string; productId: string | null }[] }>('/v1/distribution/me');
    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, key, PASSPHRASE);
    await page.goto(`${demo.origin}/console/promoter`);
    await page.getByTestId('promoter-console').waitFor();

    // Links: the demo's product and shop links, each with its QR code drawn by the server.
    await page.getByTestId('promoter-link-product').first().waitFor();
    await page.getByTestId('promoter-link-shop').first().waitFor();
    const qr = page.getByTestId('promoter-link-qr').first();
    await expect
      .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);

    // Level and team, with what the next level asks.
    expect(await page.getByTestId('promoter-level').textContent()).toBe('推广者');
    await page.getByTestId('promoter-next-level').waitFor();
    expect(await page.getByTestId('promoter-next-level').textContent()).toContain('团队长');

    // Commissions: the demo has both frozen and released ones, with their dates.
    const statuses = (await api.get<{ items: Commission[] }>('/v1/distribution/commissions')).items.map(
      (c) => c.status,
    );
    expect(statuses).toEqual(expect.arrayContaining(['frozen', 'released']));
    await page.getByTestId('commission-frozen').first().waitFor();
    await page.getByTestId('commission-released').first().waitFor();
    expect(await page.getByTestId('commission-frozen').first().textContent()).toMatch(/解冻/);
    await page.getByTestId('commissions-chart').waitFor();

    // A new product link, signed in the browser.
    const linked = new Set(before.links.filter((l) => l.kind === 'product').map((l) => l.productId));
    const products = await api.get<{ items: { id: string; title: { zh: string } }[] }>('/v1/catalog/products?limit=50');
    const product = products.items.find((p) => !linked.has(p.id));
    expect(product).toBeDefined();
    const productLinks = await page.getByTestId('promoter-link-product').count();
    await page.getByTestId('make-link-target').click();
    await page.keyboard.type(product?.title.zh ?? '');
    await page.keyboard.press('Enter');
    await clickToSign(page, 'make-link-submit');
    await expect
      .poll(() => page.getByTestId('promoter-link-product').count(), { timeout: 15_000 })
      .toBe(productLinks + 1);
    const after = await api.get<{ links: { kind: string; productId: string | null }[] }>('/v1/distribution/me');
    expect(after.links.some((l) => l.kind === 'product' && l.productId === product?.id)).toBe(true);

    // A withdrawal of ¥6.00 (the demo's promoter has ¥7.78 available), listed with its status and fee.
    await page.getByTestId('withdraw-amount').fill('6');
    await page.getByTestId('withdraw-destination').fill('6222 0202 0011 2233');
    await page.getByTestId('withdraw-submit').click();
    await page.getByTestId('withdraw-done').waitFor();
    await page.getByTestId('withdrawals-table').getByText('2233').waitFor();
    const mine = (await api.get<{ items: Withdrawal[] }>('/v1/distribution/withdrawals')).items;
    const made = mine.find((w) => w.amountFen === '600');
    expect(made?.destination.endsWith('2233')).toBe(true);
    expect(['paying', 'paid']).toContain(made?.status);

    // Too much is refused by the form before anything is sent.
    await page.getByTestId('withdraw-amount').fill('9999');
    await page.getByTestId('withdraw-destination').fill('6222 0202 0011 2233');
    await page.getByTestId('withdraw-submit').click();
    await page.getByText('超过了可提现金额').waitFor();

    await screenshot(page, 'console-promoter');
    expect(errors).toEqual([]);
    await page.close();
    await onPhone(key, '/console/promoter', 'promoter-commissions', 'console-promoter');
  }, 60_000);

  it("lists the promoter's bound customers, and the promoter in the team lead's team", async () => {
    const promoter = demo.key('promoter');
    const listed = (await new ApiAs(demo.origin, promoter).get<{ items: Listed[] }>('/v1/distribution/me/customers'))
      .items;
    // demo-distribution.ts binds the first buyer by the shop link and the third by the product
    // link; the second was invited by the first, a plain account, so is bound to no one.
    const dids = listed.map((c) => c.did);
    expect(dids).toEqual(expect.arrayContaining([demo.key('consumer').did, demo.key('consumer-3').did]));
    expect(dids).not.toContain(demo.key('consumer-2').did);
    expect(listed.some((c) => (c.completedOrders ?? 0) > 0 && BigInt(c.commissionFen ?? 0) > 0n)).toBe(true);
    // The demo's buyers registered with their persona as the display name: the promoter sees it.
    expect(listed.find((c) => c.did === demo.key('consumer').did)?.displayName).toMatch(/^买家 \S+$/);

    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, promoter, PASSPHRASE);
    await page.goto(`${demo.origin}/console/promoter`);
    const customers = page.getByTestId('customers-table');
    for (const c of listed) await customers.getByText(c.displayName ?? shortDid(c.did), { exact: true }).waitFor();
    await page.getByTestId('promoter-team-members').getByTestId('empty').waitFor();
    expect(errors).toEqual([]);
    await page.close();

    const lead = demo.key('team-lead');
    const team = (await new ApiAs(demo.origin, lead).get<{ items: Listed[] }>('/v1/distribution/me/team')).items;
    expect(team.map((m) => m.did)).toEqual([promoter.did]);
    const name = team[0]?.displayName ?? shortDid(promoter.did);
    const leadPage = await desktopPage(browser);
    const leadErrors = collectPageErrors(leadPage);
    await signInAs(leadPage, demo.origin, lead, PASSPHRASE);
    await leadPage.goto(`${demo.origin}/console/promoter`);
    await leadPage.getByTestId('team-members-table').getByText(name, { exact: true }).waitFor();
    expect(await leadPage.getByTestId('team-members-table').textContent()).toContain('推广者');
    expect(leadErrors).toEqual([]);
    await leadPage.close();
  }, 60_000);
});

interface Listed {
  did: string;
  displayName: string | null;
  completedOrders?: number;
  commissionFen?: string;
}

interface Tally {
  rewards: { result: { slashes?: { party: string; slashedPoints: string }[] } } | null;
}
interface ConsensusMe {
  nomination: { targets: string[]; stakePoints: string } | null;
  unlocks: { amountPoints: string; status: string }[];
}

describe('the nominator console', () => {
  it('shows the oil candidates and their backing, the slash the demo applied, and changes the nomination', async () => {
    // Whom the demo's careless tester cost points: the nominator whose stake was slashed.
    const rounds = await new ApiAs(demo.origin, demo.key('nominator')).get<{ items: { id: string }[] }>(
      '/v1/consensus/rounds?status=decided&limit=50',
    );
    const slashed = new Map<string, bigint>();
    for (const round of rounds.items) {
      const tally = await new ApiAs(demo.origin, demo.key('nominator')).get<Tally>(
        `/v1/consensus/rounds/${round.id}/tally`,
      );
      for (const slash of tally.rewards?.result.slashes ?? [])
        slashed.set(slash.party, (slashed.get(slash.party) ?? 0n) + BigInt(slash.slashedPoints));
    }
    const name = ['nominator', 'nominator-2'].find((n) => (slashed.get(demo.key(n).did) ?? 0n) > 0n);
    expect(name).toBeDefined();
    const key = demo.key(name as string);
    const api = new ApiAs(demo.origin, key);
    const me = await api.get<ConsensusMe>('/v1/consensus/me');
    const candidates = await api.get<{ items: { did: string; backingPoints: string }[] }>(
      '/v1/consensus/candidates?category=oil&limit=100',
    );
    expect(candidates.items.length).toBeGreaterThan(0);

    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, key, PASSPHRASE);
    await page.goto(`${demo.origin}/console/nominator?category=oil`);
    await page.getByTestId('nominator-console').waitFor();
    for (const candidate of candidates.items) await page.getByTestId(`candidate-${candidate.did}`).waitFor();
    const backing = await page.getByTestId('candidate-backing').allTextContents();
    expect(backing.length).toBe(candidates.items.length);
    expect(backing.some((text) => /\d/.test(text))).toBe(true);

    // The slash the demo applied, in the rewards and slashes.
    await page.getByTestId('slash').first().waitFor();
    expect(await page.getByTestId('slash').first().textContent()).toContain(
      (slashed.get(key.did) ?? 0n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','),
    );

    // The form refuses a lower stake (that is an unlock), then changes the targets.
    const current = me.nomination?.stakePoints ?? '0';
    await page.getByTestId('nominate-stake').fill(String(Number(current) - 1));
    await page.getByTestId('nominate-submit').click();
    await page.getByText('要减少质押，请使用下方的解锁').waitFor();
    await page.getByTestId('nominate-stake').fill(current);
    const added = candidates.items.find((c) => !(me.nomination?.targets ?? []).includes(c.did));
    expect(added).toBeDefined();
    await page.getByTestId('nominate-targets').click();
    await page.keyboard.type(added?.did ?? '');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await clickToSign(page, 'nominate-submit');
    await page.getByTestId('nominate-done').waitFor();
    await expect
      .poll(async () => (await api.get<ConsensusMe>('/v1/consensus/me')).nomination?.targets.includes(added?.did ?? ''))
      .toBe(true);

    // An unlock of 100 points: it cools down.
    await page.getByTestId('stake-unlock-amount').fill('100');
    await clickToSign(page, 'stake-unlock-submit');
    await page.getByTestId('unlocks').waitFor();
    const unlocked = await api.get<ConsensusMe>('/v1/consensus/me');
    expect(unlocked.unlocks.some((u) => u.amountPoints === '100' && u.status === 'cooling')).toBe(true);

    await screenshot(page, 'console-nominator');
    expect(errors).toEqual([]);
    await page.close();
    await onPhone(key, '/console/nominator?category=oil', 'rewards', 'console-nominator');
  }, 60_000);
});

interface AppealInstance {
  status: string;
  commitDeadline: string | null;
  jurors: { juror: string; committed: boolean; revealed: boolean }[];
}

describe('the juror console', () => {
  it('a juror votes on an appeal: reads the evidence, commits a sealed vote kept in the browser, reveals it after the commit deadline', async () => {
    // The producer of the failed oil appeals the round decided now, with the bond paid through the sandbox.
    const producer = new ApiAs(demo.origin, demo.key('producer-4'));
    await producer.request(
      'POST',
      '/v1/consensus/appeals',
      {
        envelope: producer.sign('consensus.appeal.filed', {
          roundId: APPEAL_ROUND,
          instance: 0,
          grounds: '送检样品在运输途中受高温暴晒，酸价升高不能代表出厂品质，申请复核。',
        }),
        simulate: 'succeed',
      },
      { 'idempotency-key': `web-appeal-${Date.now()}` },
    );
    let appeal: AppealInstance | undefined;
    await expect
      .poll(
        async () => {
          const found = await producer.get<{ instances: AppealInstance[] }>(`/v1/consensus/appeals/${APPEAL_CASE}`);
          appeal = found.instances[0];
          return appeal?.status;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('voting');
    const drawn = appeal?.jurors.map((j) => j.juror) ?? [];
    expect(drawn.length).toBe(3);
    const jurorDid = drawn.includes(demo.key('juror').did) ? demo.key('juror').did : (drawn[0] as string);
    const key = demo.keyOf(jurorDid);

    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, key, PASSPHRASE);
    await page.goto(`${demo.origin}/console/juror`);
    await page.getByTestId(`jury-case-${APPEAL_CASE}`).waitFor();
    expect(await page.getByTestId(`jury-case-${APPEAL_CASE}`).getByTestId('jury-next').textContent()).toBe('待投票');
    await page.getByTestId(`jury-case-${APPEAL_CASE}`).click();
    // The evidence: the grounds, and the round's claims beside the testers' consensus.
    await page.getByTestId('case-grounds').getByText('申请复核').waitFor();
    await page.getByTestId('case-attributes').waitFor();
    expect(await page.getByTestId('case-attributes').locator('tbody tr').count()).toBeGreaterThan(0);

    await page.getByTestId('vote-uphold').click();
    await clickToSign(page, 'vote-commit');
    await page.getByTestId('vote-committed').waitFor({ timeout: 15_000 });
    const seat = (
      await producer.get<{ instances: AppealInstance[] }>(`/v1/consensus/appeals/${APPEAL_CASE}`)
    ).instances[0]?.jurors.find((j) => j.juror === jurorDid);
    expect(seat).toMatchObject({ committed: true, revealed: false });

    // The vote and its salt stay in this browser until the reveal, and they open the commitment.
    const stored = await page.evaluate(
      (storageKey) => localStorage.getItem(storageKey),
      `concord.jury-vote:${jurorDid}:${APPEAL_CASE}:0`,
    );
    const kept = JSON.parse(stored ?? '{}') as { vote: 'uphold'; salt: string; commit: string };
    expect(kept.vote).toBe('uphold');
    expect(voteCommit({ round: juryRoundId(APPEAL_CASE, 0), juror: jurorDid, vote: 'uphold' }, kept.salt)).toBe(
      kept.commit,
    );
    await screenshot(page, 'console-juror');

    // The reveal window opens at the commit deadline, three days after the draw: the demo is a
    // sandbox, so its operator moves the platform's time there, and the juror reveals in this browser.
    const commitDeadline = Date.parse(appeal?.commitDeadline ?? '');
    expect(commitDeadline).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    const operator = new ApiAs(demo.origin, demo.key('operator'));
    await operator.request('POST', '/v1/sandbox/clock', { to: new Date(commitDeadline + 60_000).toISOString() });
    await page.reload();
    await clickToSign(page, 'vote-reveal');
    await page.getByTestId('vote-done').waitFor({ timeout: 15_000 });
    const revealed = (
      await producer.get<{ instances: AppealInstance[] }>(`/v1/consensus/appeals/${APPEAL_CASE}`)
    ).instances[0]?.jurors.find((j) => j.juror === jurorDid);
    expect(revealed).toMatchObject({ committed: true, revealed: true });
    expect(errors).toEqual([]);
    await page.close();
    // On a phone: a juror of the demo's ruled appeal sees the ruling and their share of the fee.
    const [demoRound] = (
      await producer.get<{ items: { id: string }[] }>(`/v1/consensus/rounds?productId=${FAILED_PRODUCT}&limit=1`)
    ).items;
    const ruledCase = `appeal-${demoRound?.id}`;
    const ruled = (await producer.get<{ instances: AppealInstance[] }>(`/v1/consensus/appeals/${ruledCase}`))
      .instances[0];
    expect(ruled?.status).toBe('ruled');
    const demoJuror = ruled?.jurors.find((j) => !drawn.includes(j.juror))?.juror ?? (ruled?.jurors[0]?.juror as string);
    await onPhone(demo.keyOf(demoJuror), `/console/juror?case=${ruledCase}:0`, 'case-ruling', 'console-juror');
  }, 90_000);
});
