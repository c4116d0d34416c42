import { verifyReveal } from '@concord/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiAs } from './support/api.js';
import { collectPageErrors } from './support/browser.js';
import type { DemoKey } from './support/demo-server.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

const e2e = demoInBrowser('concord-web-tester-');
const PASSPHRASE = 'demo passphrase 1';
// The demo's pressed soybean oil passed its round; the test opens a new round of the same lot.
const PRODUCT = 'pressed-soybean-oil';
const LOT = 'WC-OIL-20260920';
const SKU = 'pressed-soybean-oil:1-8L';

interface Opened {
  roundId: string;
  drawn: { tester: string }[];
  commitDeadline: string;
}
interface MyRounds {
  items: { id: string; next: { step: string; orderId: string | null }; model: { id: string; version: number } }[];
}
interface Attribute {
  key: string;
  kind: 'numeric' | 'boolean' | 'grade';
  min?: number;
  max?: number;
  grades?: string[];
}
interface Saved {
  report: { round: string; tester: string; values: Record<string, unknown>; evidence: string[]; text: string };
  salt: string;
  commit: string;
}

async function openRound(operator: ApiAs): Promise<Opened> {
  const open = () =>
    operator.request<Opened>(
      'POST',
      '/v1/consensus/rounds',
      { productId: PRODUCT, lotId: LOT },
      {
        'idempotency-key': `test-round-${Date.now()}`,
      },
    );
  try {
    return await open();
  } catch (error) {
    // The demo's story ran on its own clock: this cycle's panel may not be elected yet.
    if (!String(error).includes('no_panel')) throw error;
    await operator.request(
      'POST',
      '/v1/consensus/panels/elect',
      { category: 'oil' },
      { 'idempotency-key': `test-elect-${Date.now()}` },
    );
    return open();
  }
}

/** A drawn tester buys one unit of the lot's product, paid through the sandbox (a verified purchase). */
async function buy(tester: ApiAs): Promise<string> {
  const cart = await tester.get<{ items: { skuId: string }[] }>('/v1/cart');
  for (const item of cart.items) await tester.request('PUT', '/v1/cart/items', { skuId: item.skuId, quantity: 0 });
  await tester.request('PUT', '/v1/cart/items', { skuId: SKU, quantity: 1 });
  const quote = await tester.request<{ orders: { body: Record<string, unknown> }[] }>('POST', '/v1/checkout/quote');
  const [quoted] = quote.orders;
  if (quoted === undefined) throw new Error('no quote');
  const addresses = await tester.get<{ items: { id: string }[] }>('/v1/addresses');
  const orderId = `test-buy-${Date.now()}`;
  await tester.request(
    'POST',
    '/v1/checkout',
    {
      envelope: tester.sign('orders.order.placed', { ...quoted.body, orderId }),
      addressId: addresses.items[0]?.id,
      simulate: 'succeed',
    },
    { 'idempotency-key': `test-checkout-${orderId}` },
  );
  return orderId;
}

async function measure(page: Page, attributes: Attribute[]): Promise<void> {
  for (const a of attributes) {
    const input = page.getByTestId(`measure-${a.key}-input`);
    if (a.kind === 'numeric') {
      const min = a.min ?? 0;
      const max = a.max ?? 10;
      await input.fill(String(Math.round(((min + max) / 4) * 100) / 100));
    } else if (a.kind === 'boolean') {
      await input.locator('input[type="radio"]').first().check();
    } else {
      await input.click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    }
  }
}

describe('the tester console', () => {
  let drawnKey: DemoKey;
  let roundId: string;
  let committedPage: Page;

  it('a tester is drawn, buys the product, commits in the browser and keeps the salt for the reveal', async () => {
    const operator = new ApiAs(e2e.demo.origin, e2e.demo.key('operator'));
    const opened = await openRound(operator);
    roundId = opened.roundId;
    const names = ['tester', ...Array.from({ length: 7 }, (_, i) => `tester-${i + 2}`)];
    const keys = names.map((name) => e2e.demo.key(name));
    const found = keys.find((k) => opened.drawn.some((d) => d.tester === k.did));
    expect(found).toBeDefined();
    drawnKey = found as DemoKey;
    const tester = new ApiAs(e2e.demo.origin, drawnKey);

    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, drawnKey, PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/console/tester`);
    const card = page.getByTestId(`round-${roundId}`);
    await card.waitFor();
    await card.getByTestId('buy-link').waitFor();
    await page.getByTestId('tester-ep').waitFor();

    // The drawn tester buys the lot's product after the round opened (from Node: checkout is the shop's).
    await buy(tester);
    await expect
      .poll(
        async () =>
          (await tester.get<MyRounds>('/v1/consensus/me/rounds')).items.find((r) => r.id === roundId)?.next.step,
        { timeout: 20_000 },
      )
      .toBe('commit');
    const mine = (await tester.get<MyRounds>('/v1/consensus/me/rounds')).items.find((r) => r.id === roundId);
    const model = await tester.get<{ versions: { version: number; definition: { attributes: Attribute[] } }[] }>(
      `/v1/catalog/models/${mine?.model.id}`,
    );
    const attributes = model.versions.find((v) => v.version === mine?.model.version)?.definition.attributes ?? [];
    expect(attributes.length).toBeGreaterThan(0);

    await page.reload();
    await card.getByTestId('commit-form').waitFor();
    expect(await page.getByTestId('commit').isDisabled()).toBe(true);
    await measure(page, attributes);
    await page.getByTestId('report-text').fill('按国标方法检测，样品密封完好。');
    await screenshot(page, 'console-tester');
    await clickAndSign(page.getByTestId('commit'), PASSPHRASE);
    await card.getByTestId('salt-kept').waitFor({ timeout: 20_000 });
    expect(await card.getByTestId('next-step').textContent()).toBe('等待揭示');
    // The reveal opens only after the commit deadline (14 days): the button waits for it.
    expect(await page.getByTestId('reveal').isDisabled()).toBe(true);

    // The salt stayed in this browser; the server holds only the commitment.
    const saved = await page.evaluate(
      ({ did, round }) => JSON.parse(localStorage.getItem(`concord.testReport.${did}.${round}`) ?? 'null'),
      { did: drawnKey.did, round: roundId },
    );
    const stored = saved as Saved;
    expect(stored.report.round).toBe(roundId);
    expect(stored.report.tester).toBe(drawnKey.did);
    expect(Object.keys(stored.report.values).sort()).toEqual(attributes.map((a) => a.key).sort());
    const detail = await tester.get<{ testers: { tester: string; commit: string | null; salt: string | null }[] }>(
      `/v1/consensus/rounds/${roundId}`,
    );
    const seat = detail.testers.find((t) => t.tester === drawnKey.did);
    expect(seat?.commit).toBe(stored.commit);
    expect(seat?.salt ?? null).toBeNull();
    expect(verifyReveal(stored.commit, stored.report, stored.salt)).toBe(true);

    // What the reveal button will send, sent now: the server finds it opens the commit, but before
    // the commit deadline, so it is "early" and does not count (the demo server's clock is real).
    const receipt = await tester.submit<{ result: { status: string } }>('consensus.report.revealed', {
      roundId,
      report: stored.report,
      salt: stored.salt,
    });
    expect(receipt.result.status).toBe('early');
    expect(errors).toEqual([]);
    // Kept open: this browser holds the salt the reveal needs.
    committedPage = page;
  }, 80_000);

  it('works on a phone', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, drawnKey, PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/console/tester`);
    // Another device has no salt: the card says so and offers to restore the downloaded backup.
    await page.getByTestId(`round-${roundId}`).getByTestId('salt-lost').waitFor();
    await page.getByTestId('restore').waitFor();
    await page.getByTestId('tab-accuracy').click();
    await page.getByTestId('accuracy').or(page.getByTestId('empty')).filter({ visible: true }).first().waitFor();
    await screenshot(page, 'console-tester');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(380);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('after the commit deadline (the sandbox clock moved on), the tester reveals in the browser and it counts', async () => {
    const operator = new ApiAs(e2e.demo.origin, e2e.demo.key('operator'));
    const tester = new ApiAs(e2e.demo.origin, drawnKey);
    const round = await tester.get<{ commitDeadline: string; revealDeadline: string }>(
      `/v1/consensus/rounds/${roundId}`,
    );
    // The demo is a sandbox: its operator moves the platform's time to just after the commit deadline.
    const moved = await operator.request<{ now: string }>('POST', '/v1/sandbox/clock', {
      to: new Date(Date.parse(round.commitDeadline) + 60_000).toISOString(),
    });
    expect(Date.parse(moved.now)).toBeLessThan(Date.parse(round.revealDeadline));

    // The browser that committed, where the salt is kept.
    const page = committedPage;
    const errors = collectPageErrors(page);
    await page.reload();
    const card = page.getByTestId(`round-${roundId}`);
    await card.getByTestId('salt-kept').waitFor();
    expect(await card.getByTestId('next-step').textContent()).toBe('待揭示');
    // The browser's own clock is 14 days behind the platform's: it signs by the platform's (Date header).
    await clickAndSign(card.getByTestId('reveal'), PASSPHRASE);
    // The card's reveal status turns from the early reveal's to a valid one.
    await expect.poll(() => card.getByTestId('reveal-status').textContent(), { timeout: 20_000 }).toContain('揭示有效');
    await screenshot(page, 'console-tester-revealed');

    const detail = await tester.get<{
      revealsPublic: boolean;
      testers: { tester: string; revealStatus: string | null; salt: string | null }[];
    }>(`/v1/consensus/rounds/${roundId}`);
    const seat = detail.testers.find((t) => t.tester === drawnKey.did);
    expect(seat?.revealStatus).toBe('valid');
    // The report stays hidden from others until the reveal deadline, so no tester copies another's.
    expect(detail.revealsPublic).toBe(false);
    expect(seat?.salt ?? null).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
