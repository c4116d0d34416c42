import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiAs, registerNewAccount } from './support/api.js';
import { collectPageErrors, launchChromium } from './support/browser.js';
import { type DemoServer, demoServer } from './support/demo-server.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

// The demo closes every weekly cycle that has ended when it loads; the orders it completes at load
// are in this week's cycle. The demo is a sandbox: the operator moves its clock a week on in the
// browser, and this week's cycle, with those orders, is the one to close.
const server = demoServer('concord-web-operator-');
const PASSPHRASE = 'demo passphrase 1';
let demo: DemoServer;
let browser: Browser;
let operator: ApiAs;

interface CycleList {
  current: number;
  items: { cycle: number; status: string; orders: number; leaves: number | null }[];
}

beforeAll(async () => {
  demo = await server.start();
  browser = await launchChromium();
  operator = new ApiAs(demo.origin, demo.key('operator'));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function openOperatorConsole(page: Page, tab: string): Promise<void> {
  await page.goto(`${demo.origin}/console/operator?tab=${tab}`);
  await page.getByTestId('operator-console').waitFor();
}

/** Clicks a signed action, answering the wallet's unlock dialog when it asks. */
async function clickToSign(page: Page, testId: string): Promise<void> {
  await clickAndSign(page.getByTestId(testId), PASSPHRASE);
}

describe('the operator console', () => {
  it('an operator moves the sandbox clock a week on, closes the cycle that ended, and sees its results and charts', async () => {
    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, demo.key('operator'), PASSPHRASE);
    const before = await operator.get<CycleList>('/v1/settlement/cycles');
    const week = before.current;
    expect(before.items.some((c) => c.cycle === week - 1 && c.status === 'closed')).toBe(true);

    await openOperatorConsole(page, 'cycles');
    await page.getByTestId('sandbox-now').waitFor();
    expect(await page.getByTestId('sandbox-ahead').textContent()).toBe('与真实时间一致');
    await page.getByTestId('sandbox-forward-7').click();
    await page.getByTestId('confirm-ok').filter({ visible: true }).click();
    await page.getByTestId('sandbox-moved').waitFor({ timeout: 15_000 });
    // Its confirmation has faded out before the next one opens.
    await expect.poll(() => page.getByTestId('confirm-ok').filter({ visible: true }).count()).toBe(0);
    expect(await page.getByTestId('sandbox-ahead').textContent()).toBe('比真实时间快 7 天');
    const moved = await operator.get<CycleList>('/v1/settlement/cycles');
    expect(moved.current).toBe(week + 1);

    // This week's cycle has ended (on the platform's time) and nobody has closed it.
    await page.getByTestId('ended-unclosed').waitFor();
    expect(await page.getByRole('spinbutton', { name: '要关闭的周期编号' }).inputValue()).toBe(String(week));
    await page.getByTestId('close-cycle').click();
    await page.getByTestId('confirm-ok').filter({ visible: true }).click();
    const result = page.getByTestId('cycle-result');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain(`周期${week}状态已关闭`);
    await page.getByTestId('ended-unclosed').waitFor({ state: 'detached' });
    const after = await operator.get<CycleList>('/v1/settlement/cycles');
    const closed = after.items.find((c) => c.cycle === week);
    expect(closed?.status).toBe('closed');
    // It settled the orders the demo completed at load.
    expect(closed?.orders).toBeGreaterThan(0);
    expect(closed?.leaves).toBeGreaterThan(0);

    // Its leaves, the inputs link and the charts.
    await page.getByTestId(`show-cycle-${week}`).click();
    await page.getByTestId('cycle-leaves').locator('tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByTestId('inputs-link').getAttribute('href')).toBe(`/v1/settlement/cycles/${week}/inputs`);
    for (const chart of ['gmv-chart', 'kind-chart', 'party-chart']) {
      await page.getByTestId(chart).locator('svg').first().waitFor({ timeout: 20_000 });
    }
    expect(await page.getByTestId('kind-chart').textContent()).toContain('供应商货款');
    await screenshot(page, 'console-operator');

    // The parties of those orders see the resulting income: each one's statement of the cycle.
    const leaves = await operator.get<{ items: { party: string; kind: string; amountFen: string }[] }>(
      `/v1/settlement/cycles/${week}/leaves?limit=1000`,
    );
    const supplier = leaves.items.find((leaf) => leaf.kind === 'supplier');
    expect(supplier).toBeDefined();
    const producer = new ApiAs(demo.origin, demo.keyOf(supplier?.party ?? ''));
    const statement = await producer.get<{ totalFen: string; leaves: { kind: string; amountFen: string }[] }>(
      `/v1/settlement/cycles/${week}/statement`,
    );
    const theirs = leaves.items.filter((leaf) => leaf.party === supplier?.party);
    expect(statement.leaves.map((l) => l.amountFen).sort()).toEqual(theirs.map((l) => l.amountFen).sort());
    expect(BigInt(statement.totalFen)).toBe(theirs.reduce((sum, l) => sum + BigInt(l.amountFen), 0n));
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('approves a pending role application, the review held order and the withdrawal in review', async () => {
    const applicantKey = await registerNewAccount(demo.origin, '新推广员');
    const applicant = new ApiAs(demo.origin, applicantKey);
    await applicant.submit('identity.role.applied', { role: 'promoter' });

    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, demo.key('operator'), PASSPHRASE);
    await openOperatorConsole(page, 'applications');
    await clickToSign(page, `approve-role-${applicant.did}`);
    await expect
      .poll(async () => (await applicant.get<{ roles: string[] }>('/v1/me')).roles, { timeout: 20_000 })
      .toContain('promoter');
    await page.getByTestId(`approve-role-${applicant.did}`).waitFor({ state: 'detached' });

    await page.getByTestId('op-tab-reviews').click();
    await clickToSign(page, 'approve-review-demo-refund-refused-guapian');
    await expect
      .poll(
        async () =>
          (await operator.get<{ items: { orderId: string }[] }>('/v1/operator/reviews?status=approved')).items.map(
            (r) => r.orderId,
          ),
        { timeout: 20_000 },
      )
      .toContain('demo-refund-refused-guapian');

    await page.getByTestId('approve-withdrawal-demo-wd-promoter-review').click();
    await expect
      .poll(
        async () =>
          (await operator.get<{ items: { id: string }[] }>('/v1/operator/withdrawals?status=review')).items.map(
            (w) => w.id,
          ),
        { timeout: 20_000 },
      )
      .not.toContain('demo-wd-promoter-review');
    await page.getByTestId('approve-withdrawal-demo-wd-promoter-review').waitFor({ state: 'detached' });
    await page.getByTestId('empty').first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a phone: the arbitration case, the witnesses and quorum, and the policies', async () => {
    const page = await phonePage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, demo.key('operator'), PASSPHRASE);
    await openOperatorConsole(page, 'arbitration');
    const appealCase = page.locator('[data-testid^="case-appeal-"]').first();
    await appealCase.waitFor();
    expect(await appealCase.getByTestId('case-ruling').first().textContent()).toBe('维持原判');

    await openOperatorConsole(page, 'witnesses');
    expect(await page.getByTestId('quorum').textContent()).toBe('2 / 2');
    expect(await page.getByTestId('operator-console').textContent()).toContain('CONCORD_WITNESS_QUORUM');

    await openOperatorConsole(page, 'policies');
    await page.getByTestId('points-conserved').waitFor();
    expect(await page.getByTestId('split-validity').textContent()).toBe('校验通过');
    expect(await page.getByTestId('distribution-validity').textContent()).toBe('校验通过');

    await openOperatorConsole(page, 'cycles');
    await page.getByTestId('gmv-chart').locator('svg').first().waitFor({ timeout: 20_000 });
    await screenshot(page, 'console-operator');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is closed to an account that is not an operator', async () => {
    const page = await phonePage(browser);
    await signInAs(page, demo.origin, demo.key('consumer'), PASSPHRASE);
    await page.goto(`${demo.origin}/console/operator`);
    await page.getByTestId('not-operator').waitFor();
    await page.goto(`${demo.origin}/console/custodian`);
    await page.getByTestId('not-custodian').waitFor();
    await page.close();
  });

  it('edits a category’s deposit and split override, refused while invalid, signed onto the public log', async () => {
    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, demo.key('operator'), PASSPHRASE);
    await openOperatorConsole(page, 'policies');
    await page.getByTestId('edit-category-tea').click();
    await page.getByTestId('category-policy-form').waitFor();
    const save = page.getByTestId('category-policy-save');
    const supplier = page.getByTestId('supplier-share');
    // The demo's tea pays a 12% commission over the default shares: 10000 − 4160 bps to the supplier.
    expect(await supplier.textContent()).toBe('58.4%');

    await page.getByTestId('share-default-experienceFeeBps').click();
    await page.getByTestId('share-experienceFeeBps').fill('95');
    await expect.poll(() => supplier.textContent()).toBe('-21.6%');
    expect(await page.getByTestId('policy-issue-splitPolicy').textContent()).toContain('121.6%');
    expect(await save.isDisabled()).toBe(true);

    await page.getByTestId('share-default-experienceFeeBps').click();
    await page.getByTestId('policy-issue-splitPolicy').waitFor({ state: 'detached' });
    await page.getByTestId('share-promoterCommissionBps').fill('13');
    await page.getByTestId('category-deposit').fill('900');
    await expect.poll(() => supplier.textContent()).toBe('57.4%');
    expect(await save.isDisabled()).toBe(false);
    await clickToSign(page, 'category-policy-save');
    await page.getByTestId('category-policy-form').waitFor({ state: 'detached', timeout: 20_000 });

    type Categories = { items: { slug: string; depositFen: string; splitPolicy: unknown }[] };
    const tea = async () =>
      (await operator.get<Categories>('/v1/catalog/categories?limit=100')).items.find((c) => c.slug === 'tea');
    expect(await tea()).toMatchObject({ depositFen: '90000', splitPolicy: { promoterCommissionBps: 1300 } });
    await expect
      .poll(() => page.getByTestId('category-policies').textContent(), { timeout: 20_000 })
      .toContain('推广佣金 13%');

    // The newest catalog.category.defined on the public log is the operator's, with the body sent.
    const entries = await operator.get<{ items: { index: number; actor: string }[] }>(
      '/v1/log/entries?type=catalog.category.defined&limit=1',
    );
    expect(entries.items[0]?.actor).toBe(operator.did);
    const entry = await operator.get<{ envelope: { body: Record<string, unknown> } }>(
      `/v1/log/entries/${entries.items[0]?.index}`,
    );
    expect(entry.envelope.body).toEqual({
      slug: 'tea',
      name: { zh: '茶叶', en: 'Tea' },
      depositFen: '90000',
      splitPolicy: { promoterCommissionBps: 1300 },
    });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('the custodian console', () => {
  interface Holds {
    items: { orderId: string | null; ledger: string; amount: string; status: string }[];
    nextCursor: string | null;
    totals: { ledger: string; count: number; amount: string }[];
  }

  /** Every pending escrow hold and the totals, as the server tells the custodian. */
  async function pendingHolds(custodian: ApiAs): Promise<Holds> {
    const items: Holds['items'] = [];
    for (let after = ''; ; ) {
      const page = await custodian.get<Holds>(`/v1/custodian/holds?limit=100${after}`);
      items.push(...page.items);
      if (page.nextCursor === null) return { items, nextCursor: null, totals: page.totals };
      after = `&after=${page.nextCursor}`;
    }
  }

  it('shows the escrow holds and their totals from the server, and that releases come with crowdfunding', async () => {
    const { formatFen } = await import('../src/shared/format.js');
    const custodian = new ApiAs(demo.origin, demo.key('custodian'));
    for (const open of [desktopPage, phonePage]) {
      const { items, totals } = await pendingHolds(custodian);
      // demo-paid-gift-box is paid and waits to be shipped: its money is held in escrow.
      const giftBox = items.find((hold) => hold.orderId === 'demo-paid-gift-box');
      expect(giftBox).toMatchObject({ ledger: 'CNY', status: 'pending' });
      const cny = totals.find((total) => total.ledger === 'CNY');
      const cnyHolds = items.filter((hold) => hold.ledger === 'CNY');
      expect(cny).toEqual({
        ledger: 'CNY',
        count: cnyHolds.length,
        amount: cnyHolds.reduce((sum, hold) => sum + BigInt(hold.amount), 0n).toString(),
      });

      const page = await open(browser);
      const errors = collectPageErrors(page);
      await signInAs(page, demo.origin, demo.key('custodian'), PASSPHRASE);
      await page.goto(`${demo.origin}/console/custodian`);
      await page.getByTestId('custodian-console').waitFor();
      const holds = page.getByTestId('escrow-holds');
      await holds.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 20_000 });
      // Oldest first, twenty at a time: the gift box may be on a later page.
      const row = holds.locator('tr', { hasText: 'demo-paid-gift-box' });
      for (let more = 0; more < 5 && (await row.count()) === 0; more++) {
        const rowsBefore = await holds.locator('tbody tr.ant-table-row').count();
        await page.getByTestId('more-holds').click();
        await expect.poll(() => holds.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(rowsBefore);
      }
      const text = (await row.textContent()) ?? '';
      expect(text).toContain('escrow:order:demo-paid-gift-box');
      expect(text).toContain(formatFen(giftBox?.amount ?? '0'));
      expect(text).toContain('冻结中');
      const total = (await page.getByTestId('held-total-CNY').textContent()) ?? '';
      expect(total).toContain(formatFen(cny?.amount ?? '0'));
      expect(total).toContain(`${cny?.count} 笔待处理冻结`);
      expect(await page.getByTestId('releases-empty').textContent()).toContain('众筹');
      await screenshot(page, 'console-custodian');
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 90_000);
});
