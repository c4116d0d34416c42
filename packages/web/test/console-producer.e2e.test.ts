import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiAs, registerNewAccount } from './support/api.js';
import { collectPageErrors } from './support/browser.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

const e2e = demoInBrowser('concord-web-producer-');
const PASSPHRASE = 'demo passphrase 1';

interface ModelView {
  versions: { version: number; status: string; definition: Record<string, unknown> & { standards: string[] } }[];
}
interface OrderView {
  id: string;
  status: string;
  carrier: string | null;
  refunds?: { refundId: string; status: string; decisionReason: string | null }[];
}

/**
 * Picks an option of the antd Select with this test id by its label. A select that was disabled a
 * moment ago (no category yet) or whose options are still loading is opened again.
 */
async function choose(page: Page, testId: string, label: string | RegExp): Promise<void> {
  const option = page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: label })
    .first();
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.getByTestId(testId).click();
    if (
      await option.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await option.click();
      return;
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`no option ${label} in ${testId}`);
}

/** Clicks a button whose action is signed, answering the unlock dialog if asked. */
async function clickToSign(page: Page, testId: string): Promise<void> {
  await clickAndSign(page.getByTestId(testId), PASSPHRASE);
}

async function openConsole(page: Page, tab = 'products'): Promise<void> {
  await page.goto(`${e2e.demo.origin}/console/producer?tab=${tab}`);
  await page.getByTestId('producer-console').waitFor();
}

/** A new buyer places and pays an order of one SKU, from Node as the storefront would; the paid order. */
async function paidOrder(skuId: string): Promise<{ buyer: ApiAs; orderId: string }> {
  const buyer = new ApiAs(e2e.demo.origin, await registerNewAccount(e2e.demo.origin, '测试买家'));
  const address = await buyer.request<{ id: string }>('POST', '/v1/addresses', {
    recipient: '王测试',
    phone: '13800138009',
    region: '北京市 海淀区',
    detail: '中关村大街 1 号',
  });
  await buyer.request('PUT', '/v1/cart/items', { skuId, quantity: 1 });
  const quote = await buyer.request<{ orders: { body: Record<string, unknown> }[] }>('POST', '/v1/checkout/quote', {});
  const body = quote.orders[0]?.body as Record<string, unknown>;
  const placed = await buyer.request<{ order: { id: string } }>(
    'POST',
    '/v1/checkout',
    { envelope: buyer.sign('orders.order.placed', body), addressId: address.id, simulate: 'succeed' },
    { 'idempotency-key': `test-checkout-${crypto.randomUUID()}` },
  );
  const orderId = placed.order.id;
  await expect
    .poll(async () => (await buyer.get<OrderView>(`/v1/orders/${orderId}`)).status, { timeout: 20_000 })
    .toBe('paid');
  return { buyer, orderId };
}

describe('the producer console on the demo data', () => {
  it('lists a product under an expert’s new model version: claims checked, lot, deposit, listing, found in search', async () => {
    // The expert publishes a new version of the rice model (from Node, as the expert console would).
    const expert = new ApiAs(e2e.demo.origin, e2e.demo.key('expert'));
    const model = await expert.get<ModelView>('/v1/catalog/models/rice-gbt1354');
    const latest = model.versions.at(-1);
    if (latest === undefined) throw new Error('no rice model version');
    const version = latest.version + 1;
    await expert.submit('catalog.model.published', {
      modelId: 'rice-gbt1354',
      version,
      definition: { ...latest.definition, standards: [...latest.definition.standards, 'GB/T 17891-2017'] },
    });

    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('producer'), PASSPHRASE);
    await openConsole(page);
    await page.getByTestId('deposit-card').waitFor();
    await page.locator('[data-testid^="producer-product-"]').first().waitFor();

    const productId = `test-rice-${Date.now().toString(36)}`;
    const title = `测试稻花香大米${Date.now().toString(36).slice(-4)}`;
    await page.getByTestId('product-new').click();
    await page.getByTestId('product-id').fill(productId);
    await page.getByTestId('product-title-zh').fill(title);
    await page.getByTestId('product-title-en').fill('Test Daohuaxiang rice');
    await choose(page, 'product-category', '(rice)');
    await choose(page, 'product-model', '大米质量模型');
    // The newest version is chosen, and its attributes make the claims form.
    await expect
      .poll(() => page.getByTestId('product-version').textContent(), { timeout: 15_000 })
      .toContain(`第 ${version} 版`);
    await page.getByTestId('claims-form').waitFor();
    await page.getByTestId('product-description').fill('五常产区稻花香 2 号，当季新米。');
    await choose(page, 'claim-grade', /^优质一级$/);
    await page.getByLabel('水分', { exact: true }).fill('45');
    await page.getByLabel('碎米总量', { exact: true }).fill('3');
    await page.getByLabel('不完善粒', { exact: true }).fill('1.5');
    await page.getByLabel('镉（以 Cd 计）', { exact: true }).fill('0.05');
    await page.getByTestId('claim-odour_normal').getByText('是').click();
    await page.getByTestId('sku-option-0').fill('5kg');
    await page.getByTestId('sku-price-0').fill('88.00');
    // Out of the model's bounds (0–30 %): refused before anything is signed.
    await page.getByTestId('product-publish').click();
    await page.getByText('超出模型允许范围（0–30 %）').waitFor();
    await page.getByLabel('水分', { exact: true }).fill('14.5');
    await clickToSign(page, 'product-publish');
    await page.getByTestId('producer-done').waitFor({ timeout: 20_000 });
    const row = page.getByTestId(`producer-product-${productId}`);
    await expect.poll(() => row.getByTestId('product-status').textContent(), { timeout: 10_000 }).toBe('草稿');
    // The unlock dialog has closed (and finished fading) before the picture is taken.
    await page.locator('.ant-modal-wrap').first().waitFor({ state: 'hidden' });
    await screenshot(page, 'console-producer');

    await row.getByTestId('product-lot').click();
    await page.getByTestId('lot-id').fill('WC-TEST-01');
    await clickToSign(page, 'lot-submit');
    await page.getByText('批次 WC-TEST-01 已登记。').waitFor({ timeout: 15_000 });

    // Pay into the deposit through the sandbox: what is held grows once the webhook arrives.
    const held = await page.getByTestId('deposit-held').textContent();
    await page.getByTestId('deposit-top-up').click();
    await page.getByTestId('deposit-note').waitFor();
    await expect.poll(() => page.getByTestId('deposit-held').textContent(), { timeout: 15_000 }).not.toBe(held);

    await clickAndSign(row.getByTestId('product-list'), PASSPHRASE);
    // Listing needs the category's deposit: pay what is missing through the sandbox, then list.
    const listed = row.getByTestId('product-status').filter({ hasText: '在售' });
    const refused = row.getByTestId('product-action-error');
    await listed.or(refused).first().waitFor({ timeout: 15_000 });
    if (await refused.isVisible()) {
      await page.getByTestId('deposit-top-up').click();
      await page.getByTestId('deposit-note').waitFor();
      await expect.poll(() => page.getByTestId('deposit-held').textContent(), { timeout: 15_000 }).not.toBe('¥0.00');
      await row.getByTestId('product-list').click();
    }
    await listed.waitFor({ timeout: 15_000 });

    // A new version of the listed product: the form comes filled in; publishing delists it first.
    await row.getByTestId('product-edit').click();
    await expect.poll(() => page.getByTestId('product-id').inputValue(), { timeout: 15_000 }).toBe(productId);
    await page.getByTestId('sku-price-0').fill('79.90');
    await clickToSign(page, 'product-publish');
    await expect.poll(() => row.getByTestId('product-status').textContent(), { timeout: 15_000 }).toBe('草稿');
    await row.getByTestId('product-list').click();
    await listed.waitFor({ timeout: 15_000 });

    const shopper = await fetch(`${e2e.demo.origin}/v1/catalog/products?q=${encodeURIComponent(title)}`);
    const found = (await shopper.json()) as { items: { id: string }[] };
    expect(found.items.map((item) => item.id)).toContain(productId);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('ships a paid order and refuses a refund request with a reason', async () => {
    const { buyer, orderId } = await paidOrder('pressed-soybean-oil:1-8L');
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('producer'), PASSPHRASE);
    await openConsole(page, 'orders');
    const row = page.getByTestId(`producer-order-${orderId}`);
    await row.getByTestId('order-ship').click();
    await page.getByTestId('ship-tracking').fill('SF9876543210');
    await clickToSign(page, 'ship-submit');
    await page.getByTestId('producer-done').waitFor({ timeout: 15_000 });
    const shipped = await buyer.get<OrderView>(`/v1/orders/${orderId}`);
    expect(shipped.status).toBe('shipped');
    expect(shipped.carrier).toBe('顺丰速运');

    await buyer.submit('orders.refund.requested', { orderId, refundId: 'rf-test-1', reason: '不想要了' });
    await page.getByTestId('orders-status').getByText('已发货').click();
    await row.getByTestId('refund-refuse').click();
    await page.getByTestId('refund-reason').fill('商品已发出，请签收后再申请退货。');
    await clickToSign(page, 'refund-decide');
    await page.getByText('已拒绝退款。').waitFor({ timeout: 15_000 });
    const decided = await buyer.get<OrderView>(`/v1/orders/${orderId}`);
    expect(decided.refunds?.[0]?.status).toBe('refused');
    await page.getByTestId('producer-ratings').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows test rounds with their verdicts, an appeal, and a closed cycle’s statement; on a phone too', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('producer'), PASSPHRASE);
    await openConsole(page, 'quality');
    const oil = page
      .locator('[data-testid^="quality-round-"]')
      .filter({ has: page.locator('[title="pressed-soybean-oil"]') })
      .first();
    await oil.getByTestId('round-verdict').filter({ hasText: '通过' }).waitFor({ timeout: 15_000 });
    await oil.click();
    await page.getByTestId('round-attributes').first().waitFor({ timeout: 15_000 });

    await page.getByTestId('producer-tab-money').click();
    await page.getByTestId('cycles-table').waitFor({ timeout: 15_000 });
    await page.getByTestId('income-chart').waitFor({ timeout: 15_000 });
    // The newest closed cycle that paid the producer: its statement says the same total.
    const producer = new ApiAs(e2e.demo.origin, e2e.demo.key('producer'));
    const cycles = await producer.get<{ items: { cycle: number; status: string }[] }>('/v1/settlement/cycles');
    let paid: { cycle: number; totalFen: string } | undefined;
    for (const { cycle } of cycles.items.filter((c) => c.status === 'closed')) {
      const statement = await producer.get<{ totalFen: string }>(`/v1/settlement/cycles/${cycle}/statement`);
      if (BigInt(statement.totalFen) > 0n) {
        paid = { cycle, totalFen: statement.totalFen };
        break;
      }
    }
    if (paid === undefined) throw new Error('the demo producer has no paid settlement cycle');
    await page.getByTestId(`cycle-open-${paid.cycle}`).click();
    const total = page.getByTestId(`statement-${paid.cycle}`).getByTestId('statement-total');
    const yuan = (Number(BigInt(paid.totalFen)) / 100).toFixed(2);
    await expect.poll(async () => (await total.textContent())?.replace(/[^0-9.]/g, ''), { timeout: 15_000 }).toBe(yuan);
    await screenshot(page, 'console-producer');
    expect(errors).toEqual([]);
    await page.close();

    // producer-4's failed product, and the appeal it filed.
    const trader = await desktopPage(e2e.browser);
    const traderErrors = collectPageErrors(trader);
    await signInAs(trader, e2e.demo.origin, e2e.demo.key('producer-4'), PASSPHRASE);
    await openConsole(trader, 'quality');
    const failed = trader
      .locator('[data-testid^="quality-round-"]')
      .filter({ has: trader.locator('[title="xinyuan-soybean-oil"]') })
      .first();
    await failed.getByTestId('round-verdict').waitFor({ timeout: 15_000 });
    await failed.click();
    await trader.getByTestId('appeal-case').waitFor({ timeout: 15_000 });
    expect(traderErrors).toEqual([]);
    await trader.close();
  }, 60_000);

  it('tells an account without the producer role what the console is and lets it apply', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, await registerNewAccount(e2e.demo.origin, '想当生产者'), PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/console/producer`);
    await clickToSign(page, 'apply-producer');
    await page.getByTestId('apply-result').filter({ hasText: '申请已提交' }).waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
