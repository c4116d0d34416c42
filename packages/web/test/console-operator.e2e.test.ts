import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiAs, registerNewAccount } from './support/api.js';
import { collectPageErrors, launchChromium } from './support/browser.js';
import { type DemoServer, demoServer } from './support/demo-server.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { signInAs, unlockIfAsked } from './support/wallet.js';

// The demo closes every weekly cycle that has ended when it loads. Started again with one-day
// cycles, the numbering becomes days since the epoch Monday: yesterday's cycle has ended and
// nobody has closed it, so the operator has one to close. (Every demo order completed before
// today was settled in the weekly cycles, and those completed at load are in today's cycle: the
// one closed here settles no order; the results and charts are read from the weekly cycle whose
// orders the demo settled.)
const server = demoServer('concord-web-operator-', { CONCORD_CYCLE_DAYS: '1' });
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
async function clickAndSign(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).click();
  await unlockIfAsked(page, PASSPHRASE);
}

describe('the operator console', () => {
  it('an operator closes a cycle that ended, then sees the results and the charts', async () => {
    const page = await desktopPage(browser);
    const errors = collectPageErrors(page);
    await signInAs(page, demo.origin, demo.key('operator'), PASSPHRASE);
    const before = await operator.get<CycleList>('/v1/settlement/cycles');
    const ended = before.current - 1;
    expect(before.items.some((c) => c.cycle === ended)).toBe(false);

    await openOperatorConsole(page, 'cycles');
    await page.getByTestId('ended-unclosed').waitFor();
    expect(await page.getByRole('spinbutton', { name: '要关闭的周期编号' }).inputValue()).toBe(String(ended));
    await page.getByTestId('close-cycle').click();
    await page.getByTestId('confirm-ok').click();
    // The result of the cycle just closed: closed, with its root and inputs published.
    const result = page.getByTestId('cycle-result');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain(`周期${ended}状态已关闭`);
    const after = await operator.get<CycleList>('/v1/settlement/cycles');
    expect(after.items.find((c) => c.cycle === ended)?.status).toBe('closed');
    await page.getByTestId('ended-unclosed').waitFor({ state: 'detached' });

    // The weekly cycle whose orders the demo settled: its leaves, the inputs link and the charts.
    const paid = after.items.find((c) => (c.leaves ?? 0) > 0);
    expect(paid).toBeDefined();
    await page.getByTestId(`show-cycle-${paid?.cycle}`).click();
    await page.getByTestId('cycle-leaves').locator('tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByTestId('inputs-link').getAttribute('href')).toBe(
      `/v1/settlement/cycles/${paid?.cycle}/inputs`,
    );
    for (const chart of ['gmv-chart', 'kind-chart', 'party-chart']) {
      await page.getByTestId(chart).locator('svg').first().waitFor({ timeout: 20_000 });
    }
    expect(await page.getByTestId('kind-chart').textContent()).toContain('供应商货款');
    await screenshot(page, 'console-operator');
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
    await clickAndSign(page, `approve-role-${applicant.did}`);
    await expect
      .poll(async () => (await applicant.get<{ roles: string[] }>('/v1/me')).roles, { timeout: 20_000 })
      .toContain('promoter');
    await page.getByTestId(`approve-role-${applicant.did}`).waitFor({ state: 'detached' });

    await page.getByTestId('op-tab-reviews').click();
    await clickAndSign(page, 'approve-review-demo-refund-refused-guapian');
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
});

describe('the custodian console', () => {
  it('shows the paid orders’ escrow holds from the public log, and that releases come with crowdfunding', async () => {
    for (const open of [desktopPage, phonePage]) {
      const page = await open(browser);
      const errors = collectPageErrors(page);
      await signInAs(page, demo.origin, demo.key('custodian'), PASSPHRASE);
      await page.goto(`${demo.origin}/console/custodian`);
      await page.getByTestId('custodian-console').waitFor();
      const holds = page.getByTestId('escrow-holds');
      await holds.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 20_000 });
      // demo-paid-gift-box is paid and waits to be shipped: its money is in escrow.
      const row = holds.locator('tr', { hasText: 'demo-paid-gift-box' });
      await row.waitFor();
      expect(await row.textContent()).toContain('escrow:order:demo-paid-gift-box');
      expect(await row.textContent()).toMatch(/¥[0-9,]+\.[0-9]{2}/);
      await expect.poll(() => page.getByTestId('fate-demo-paid-gift-box').textContent()).toBe('托管中');
      // The consensus story's purchases were settled in the weekly cycle the demo closed (further down
      // the list, newest first).
      await page.getByTestId('held-summary').waitFor();
      const settled = page.locator('[data-testid^="fate-"]', { hasText: /^已结算（第 [0-9]+ 期）$/ });
      for (let more = 0; more < 3 && (await settled.count()) === 0; more++) {
        const rowsBefore = await holds.locator('tbody tr.ant-table-row').count();
        await page.getByTestId('more-holds').click();
        await expect.poll(() => holds.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(rowsBefore);
      }
      await settled.first().waitFor();
      expect(await page.getByTestId('held-summary').textContent()).toContain('仍在托管中');
      expect(await page.getByTestId('custodian-console').textContent()).toContain('众筹');
      await screenshot(page, 'console-custodian');
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 90_000);
});
