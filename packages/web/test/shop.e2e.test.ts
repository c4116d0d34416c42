import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiAs, registerNewAccount } from './support/api.js';
import { collectPageErrors } from './support/browser.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

// A return window of zero days: a delivered order completes at the server's next order-timer
// tick (2 s), which is when its buyer earns cashback points.
const e2e = demoInBrowser('concord-web-shop-', { CONCORD_RETURN_WINDOW_DAYS: '0' });
const PASSPHRASE = 'demo passphrase 1';

/** Clicks a button whose action is signed, answering the unlock dialog if asked, then waits for `done`. */
async function clickToSign(page: Page, testId: string, done: () => Promise<unknown>): Promise<void> {
  await clickAndSign(page.getByTestId(testId), PASSPHRASE);
  await done();
}

interface DistributionMe {
  boundTo: string | null;
  links: { code: string; kind: string; productId: string | null }[];
}

describe('the storefront on a phone, in Chinese, on the demo data', () => {
  it('home shows verified products first and categories; search finds Chinese and English words', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/`);
    await page.getByTestId('home-hero').waitFor();
    const verifiedSection = page.locator('section[aria-labelledby="verified-heading"]');
    await verifiedSection.getByTestId('verdict-tag').first().waitFor();
    const verdicts = await verifiedSection.getByTestId('verdict-tag').allTextContents();
    expect(verdicts.length).toBeGreaterThan(0);
    expect(new Set(verdicts)).toEqual(new Set(['共识验证通过']));
    await screenshot(page, 'home');

    await page.getByTestId('search-box').locator('input').fill('大米');
    await page.getByTestId('search-box').locator('input').press('Enter');
    await expect.poll(() => page.getByTestId('search-title').textContent()).toBe('“大米”的搜索结果');
    await page.locator('[data-testid^="product-"]').first().waitFor();
    const riceTitles = await page.locator('[data-testid^="product-"]').allTextContents();
    expect(riceTitles.length).toBeGreaterThan(0);
    expect(riceTitles.every((title) => title.includes('米'))).toBe(true);
    await screenshot(page, 'search');

    await page.goto(`${e2e.demo.origin}/search?q=tea`);
    await page.locator('[data-testid^="product-"]').first().waitFor();
    expect(await page.locator('[data-testid^="product-"]').count()).toBeGreaterThan(0);

    await page.goto(`${e2e.demo.origin}/search?q=no-such-thing-anywhere`);
    await page.getByTestId('empty').waitFor();
    expect(errors).toEqual([]);
    await page.close();

    // The same home page on a desktop: the header carries search, cart, language and account.
    const wide = await desktopPage(e2e.browser);
    await wide.goto(`${e2e.demo.origin}/`);
    await wide.locator('section[aria-labelledby="all-heading"] [data-testid^="product-"]').first().waitFor();
    expect(await wide.getByTestId('brand').textContent()).toBe('Concord 共识商城');
    await screenshot(wide, 'home');
    await wide.close();
  });

  it('a friend arrives by a promoter’s link, buys, pays, confirms delivery and sees the points it earned', async () => {
    const promoter = new ApiAs(e2e.demo.origin, e2e.demo.key('promoter'));
    const link = (await promoter.get<DistributionMe>('/v1/distribution/me')).links.find((l) => l.kind === 'product');
    expect(link?.productId).toBeTruthy();
    const friendKey = await registerNewAccount(e2e.demo.origin, '小林');
    const friend = new ApiAs(e2e.demo.origin, friendKey);

    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, friendKey, PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/s/${link?.code}`);
    await screenshot(page, 'share-landing');
    // The landing page says who shared what; accepting binds the friend to the promoter.
    const boundTo = async () => (await friend.get<DistributionMe>('/v1/distribution/me')).boundTo;
    await clickToSign(page, 'accept-invite', () => expect.poll(boundTo, { timeout: 20_000 }).toBe(promoter.did));
    await page.goto(`${e2e.demo.origin}/products/${link?.productId}`);
    await page.getByTestId('trust-panel').waitFor();
    await screenshot(page, 'product');

    await page.getByTestId('buy-now').click();
    await page.waitForURL('**/checkout');
    await page.getByTestId('address-form').waitFor();
    await page.getByLabel('收货人').fill('林小雨');
    await page.getByLabel('手机号').fill('13800138000');
    await page.getByLabel('所在地区').fill('浙江省 杭州市 西湖区');
    await page.getByLabel('详细地址').fill('文三路 100 号');
    await page.getByTestId('address-save').click();
    await page.getByTestId('address-list').waitFor();
    await screenshot(page, 'checkout');
    await clickToSign(page, 'pay', () => page.getByTestId('checkout-paid').waitFor({ timeout: 30_000 }));

    const orders = await friend.get<{ items: { id: string; status: string; producer: string; totalFen: string }[] }>(
      '/v1/orders',
    );
    expect(orders.items).toHaveLength(1);
    const order = orders.items[0]!;
    expect(order.status).toBe('paid');

    // The producer ships it (from its own key, as its console would).
    const producer = new ApiAs(e2e.demo.origin, e2e.demo.keyOf(order.producer));
    await producer.request('POST', `/v1/orders/${order.id}/shipment`, {
      envelope: producer.sign('orders.order.shipped', { orderId: order.id, carrier: '顺丰速运' }),
      trackingNumber: 'SF1234567890',
    });

    await page.getByTestId('view-order').click();
    await page.waitForURL(`**/orders/${order.id}`);
    await page.reload();
    await expect.poll(() => page.getByTestId('order-status').textContent(), { timeout: 10_000 }).toContain('待收货');
    await page.getByTestId('confirm-delivery').click();
    await clickToSign(page, 'confirm-ok', () =>
      expect.poll(() => page.getByTestId('order-status').textContent(), { timeout: 15_000 }).toMatch(/已签收|已完成/),
    );
    await expect
      .poll(async () => (await friend.get<{ status: string }>(`/v1/orders/${order.id}`)).status, { timeout: 20_000 })
      .toBe('completed');
    await screenshot(page, 'order');

    await page.goto(`${e2e.demo.origin}/me`);
    let shown = 0;
    await expect
      .poll(
        async () => {
          shown = Number((await page.getByTestId('points-balance').textContent())?.replace(/[^0-9]/g, ''));
          return shown;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    // The page shows the balance the server keeps for the friend.
    const points = await friend.get<{ balance: string }>('/v1/points');
    expect(Number(points.balance)).toBe(shown);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a failed sandbox payment cancels its order, says so, and puts the items back for another try', async () => {
    const buyerKey = await registerNewAccount(e2e.demo.origin, '试付款');
    const buyer = new ApiAs(e2e.demo.origin, buyerKey);
    const [product] = (await buyer.get<{ items: { id: string }[] }>('/v1/catalog/products?limit=1')).items;
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, buyerKey, PASSPHRASE);
    await page.getByTestId('tab-home').click();
    await page.locator(`[data-testid="product-${product?.id}"]`).first().click();
    await page.getByTestId('add-to-cart').click();
    await page.getByTestId('tab-cart').click();
    await page.getByTestId('go-checkout').click();
    await page.getByLabel('收货人').fill('王五');
    await page.getByLabel('手机号').fill('13900139000');
    await page.getByLabel('所在地区').fill('北京市 海淀区');
    await page.getByLabel('详细地址').fill('中关村大街 1 号');
    await page.getByTestId('address-save').click();
    await page.getByTestId('sandbox-outcome').getByText('支付失败').click();
    await clickToSign(page, 'pay', () => page.getByTestId('checkout-failed').waitFor({ timeout: 30_000 }));
    const [order] = (await buyer.get<{ items: { status: string; cancelReason: string | null }[] }>('/v1/orders')).items;
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_failed' });
    await page.getByTestId('checkout-retry').click();
    await page.getByTestId('pay').waitFor();
    expect((await buyer.get<{ items: unknown[] }>('/v1/cart')).items).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('sharing a product', () => {
  it('gives a promoter their own product link, on the log, with a QR code that loads', async () => {
    const promoterKey = e2e.demo.key('promoter');
    const promoter = new ApiAs(e2e.demo.origin, promoterKey);
    const [product] = (await promoter.get<{ items: { id: string }[] }>('/v1/catalog/products?limit=1')).items;
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, promoterKey, PASSPHRASE);
    await page.getByTestId('tab-home').click();
    await page.locator(`[data-testid="product-${product?.id}"]`).first().click();
    await clickToSign(page, 'share-product', () => page.getByTestId('share-url').waitFor({ timeout: 15_000 }));
    const url = await page.getByTestId('share-url').inputValue();
    expect(url).toMatch(new RegExp(`^${e2e.demo.origin}/s/[A-Za-z0-9]{10}$`));
    // The link is the promoter's, for this product, on the log.
    const code = url.split('/s/')[1];
    const links = (await promoter.get<DistributionMe>('/v1/distribution/me')).links;
    expect(links).toContainEqual(expect.objectContaining({ code, kind: 'product', productId: product?.id }));
    await expect
      .poll(() => page.getByTestId('share-qr').evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await screenshot(page, 'share-product');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('the trust panel', () => {
  it('shows the model, each claim beside the consensus, the verdict, and verifies its proof in the browser', async () => {
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    const anyone = new ApiAs(e2e.demo.origin, e2e.demo.key('consumer'));
    const [verified] = (await anyone.get<{ items: { id: string }[] }>('/v1/catalog/products?verdict=passed&limit=1'))
      .items;
    await page.goto(`${e2e.demo.origin}/products/${verified?.id}`);
    const panel = page.getByTestId('trust-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('trust-verdict').getAttribute('data-verdict')).toBe('pass');
    expect(await panel.getByTestId('trust-standards').textContent()).toMatch(/GB/);
    expect(await panel.getByTestId('trust-testers').textContent()).toMatch(/抽选 \d+ 人/);
    // The chart loads when the panel comes into view.
    await panel.getByTestId('trust-attributes').scrollIntoViewIfNeeded();
    await panel.getByTestId('claims-chart').locator('svg').first().waitFor();
    const rows = panel.getByTestId('trust-attributes').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(2);
    expect(await panel.textContent()).toContain('付费测评');

    const verdictProof = panel.getByTestId('proof-verdict');
    await verdictProof.getByTestId('verify-entry').click();
    await expect
      .poll(() => verdictProof.getByTestId('verify-result').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('ok');
    await screenshot(page, 'product-trust');

    // A log that serves another envelope than the one it committed to is caught.
    await page.route('**/v1/log/entries/*', async (route) => {
      const response = await route.fetch();
      const entry = await response.json();
      entry.envelope.body = { ...entry.envelope.body, verdict: 'pass-but-tampered' };
      await route.fulfill({ response, json: entry });
    });
    const claimsProof = panel.getByTestId('proof-claims');
    await claimsProof.getByTestId('verify-entry').click();
    await expect
      .poll(() => claimsProof.getByTestId('verify-result').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('failed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says plainly when a product has not been tested yet', async () => {
    const page = await phonePage(e2e.browser);
    const anyone = new ApiAs(e2e.demo.origin, e2e.demo.key('consumer'));
    const [untested] = (await anyone.get<{ items: { id: string }[] }>('/v1/catalog/products?verdict=untested&limit=1'))
      .items;
    await page.goto(`${e2e.demo.origin}/products/${untested?.id}`);
    await page.getByTestId('trust-panel').waitFor();
    expect(await page.getByTestId('trust-verdict').textContent()).toContain('还没有经过共识测评');
    expect(await page.getByTestId('claims-chart').count()).toBe(0);
    await page.close();
  });
});
