import {
  createEnvelope,
  fromHex,
  generateKeyPair,
  newNonce,
  signEnvelope,
  signInMessage,
  toBase64Url,
  toHex,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { formatFen } from '../src/shared/format.js';
import { collectPageErrors } from './support/browser.js';
import type { DemoKey } from './support/demo-server.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

const e2e = demoInBrowser('concord-web-account-');

const PASSPHRASE = 'demo passphrase 1';

// ---- the API from Node, as the demo accounts ----------------------------------------------------

const tokens = new Map<string, string>();

async function tokenOf(key: DemoKey): Promise<string> {
  const known = tokens.get(key.did);
  if (known !== undefined) return known;
  const post = async (path: string, body: unknown) =>
    (await fetch(`${e2e.demo.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((response) => response.json())) as Record<string, string>;
  const { challenge } = await post('/v1/auth/challenges', { did: key.did });
  const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge as string), fromHex(key.secretKeyHex)));
  const { token } = await post('/v1/auth/sessions', { did: key.did, challenge, signature });
  tokens.set(key.did, token as string);
  return token as string;
}

async function apiAs<T = Record<string, unknown>>(
  key: DemoKey | null,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${await tokenOf(key)}`;
  const response = await fetch(`${e2e.demo.origin}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const signed = (key: DemoKey, type: string, body: Record<string, unknown>) =>
  signEnvelope(
    createEnvelope({ type, actor: key.did, body, ts: new Date(), nonce: newNonce(nodeCrypto) }),
    fromHex(key.secretKeyHex),
    nodeCrypto,
  );

interface OrderView {
  id: string;
  status: string;
  refunds?: { refundId: string; status: string; amountFen: string; reason: string }[];
}

const orderAs = async (key: DemoKey, id: string) => (await apiAs<OrderView>(key, 'GET', `/v1/orders/${id}`)).body;

/** A newcomer: a fresh key, registered as an account with a self-held key. */
async function freshAccount(): Promise<DemoKey> {
  const pair = generateKeyPair(nodeCrypto);
  const key = { did: pair.did, secretKeyHex: toHex(pair.secretKey) };
  const registered = await apiAs(null, 'POST', '/v1/accounts', {
    envelope: signed(key, 'identity.account.registered', {}),
  });
  expect(registered.status).toBe(201);
  return key;
}

// ---- the browser ------------------------------------------------------------------------------

/** Moves within the app as a link would (no reload: the wallet's key stays unlocked). */
async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/** When a signature finds the wallet locked, the wallet asks for the passphrase: give it. */
const text = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).first().textContent()) ?? '').trim();

/** A signed-in phone page of the demo consumer, opened at /me by the wallet. */
async function consumerOnPhone(): Promise<{ page: Page; errors: string[] }> {
  const page = await phonePage(e2e.browser);
  const errors = collectPageErrors(page);
  await signInAs(page, e2e.demo.origin, e2e.demo.key('consumer'), PASSPHRASE);
  return { page, errors };
}

describe('the shopper’s account pages, at phone width in Chinese', { timeout: 60_000 }, () => {
  it('lists the demo consumer’s orders in their states, newest first, and opens one', async () => {
    const { page, errors } = await consumerOnPhone();
    await go(page, '/orders');
    await page.getByTestId('orders-list').waitFor();
    const expected: Record<string, string> = {
      'demo-completed-rice-oil': '已完成',
      'demo-shipped-maofeng': '待收货',
      'demo-created-oil': '待付款',
      'demo-partial-refund-fuji': '待收货',
      'demo-points-refund-pearl': '已退款',
    };
    for (const [id, status] of Object.entries(expected)) {
      await expect.poll(() => text(page, `order-card-${id}`)).toContain(status);
    }
    // The partly refunded order says so beside its status, with its amount in yuan.
    const fuji = await text(page, 'order-card-demo-partial-refund-fuji');
    expect(fuji).toContain('部分退款');
    expect(fuji).toMatch(/¥\d[\d,]*\.\d\d/);
    // Newest first: the API's order is the page's order.
    const listed = await page
      .locator('[data-testid^="order-card-"]')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-testid')?.replace('order-card-', '')));
    const api = await apiAs<{ items: { id: string }[] }>(e2e.demo.key('consumer'), 'GET', '/v1/orders?limit=10');
    expect(listed).toEqual(api.body.items.map((order) => order.id));
    await screenshot(page, 'orders');

    // A status tab narrows the list.
    await page.getByRole('tab', { name: '待付款' }).click();
    await expect.poll(() => page.locator('[data-testid^="order-card-"]').count()).toBe(2);
    expect(page.url()).toContain('/orders?status=created');

    await page.getByRole('tab', { name: '全部' }).click();
    await page.getByTestId('order-card-demo-partial-refund-fuji').click();
    await expect.poll(() => text(page, 'order-status')).toBe('待收货');
    expect(await text(page, 'order-carrier')).toBe('京东物流');
    expect(await text(page, 'order-tracking')).toContain('JDVA28765512347');
    expect(await text(page, 'order-refunds')).toContain('已退款');
    expect(await page.getByTestId('confirm-delivery').isVisible()).toBe(true);
    await screenshot(page, 'order');

    // In English the lines name the products by their English titles, as they were when ordered.
    const order = await apiAs<{ lines: { titleZh: string; titleEn: string | null }[] }>(
      e2e.demo.key('consumer'),
      'GET',
      '/v1/orders/demo-partial-refund-fuji',
    );
    const [line] = order.body.lines;
    expect(line?.titleEn).toBeTruthy();
    expect(await text(page, 'order-line-0')).toContain(line?.titleZh);
    await page.evaluate(() => localStorage.setItem('concord.language', 'en'));
    await page.reload();
    await expect.poll(() => text(page, 'order-line-0')).toContain(line?.titleEn as string);
    expect(await text(page, 'order-line-0')).not.toContain(line?.titleZh);
    await page.evaluate(() => localStorage.setItem('concord.language', 'zh-CN'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('confirms the delivery of a shipped order, rates its producer, and asks for a partial refund of another', async () => {
    const consumer = e2e.demo.key('consumer');
    const { page, errors } = await consumerOnPhone();

    // Confirm delivery: a signed orders.order.delivered, after a confirmation.
    await go(page, '/orders/demo-shipped-maofeng');
    await expect.poll(() => text(page, 'order-status')).toBe('待收货');
    await page.getByTestId('confirm-delivery').click();
    await clickAndSign(page.getByTestId('confirm-ok'), PASSPHRASE);
    await expect.poll(() => text(page, 'order-status'), { timeout: 15_000 }).toBe('已签收');
    await page.getByTestId('action-done').waitFor();
    expect((await orderAs(consumer, 'demo-shipped-maofeng')).status).toBe('delivered');
    // The success note links the event's entry on the public log.
    expect(await page.getByTestId('action-done').locator('a').getAttribute('href')).toMatch(
      /^\/explorer\/entries\/\d+$/,
    );

    // Rate the producer, four stars.
    await page.getByTestId('rate-producer').click();
    await page.locator('.ant-rate-star').nth(3).click();
    expect(await text(page, 'rate-label')).toBe('满意');
    await clickAndSign(page.getByTestId('rate-submit'), PASSPHRASE);
    await expect.poll(() => text(page, 'action-done'), { timeout: 15_000 }).toContain('谢谢你的评价');
    expect(await page.getByTestId('rate-producer').count()).toBe(0);
    const ratings = await apiAs<{ recent: { orderId: string; stars: number }[] }>(
      e2e.demo.key('producer-2'),
      'GET',
      '/v1/supplier/ratings',
    );
    expect(ratings.body.recent).toContainEqual(expect.objectContaining({ orderId: 'demo-shipped-maofeng', stars: 4 }));

    // A partial refund: one of the two boxes of apples still unrefunded, with a reason.
    await go(page, '/orders/demo-partial-refund-fuji');
    await expect.poll(() => text(page, 'order-status')).toBe('待收货');
    await page.getByTestId('request-refund').click();
    await page.getByText('只退部分商品').click();
    await page.getByTestId('refund-quantity-0').fill('1');
    await page.getByText('与商品描述不符').click();
    await page.getByTestId('refund-detail').fill('果子偏小，和页面写的 80mm 以上不一样');
    await expect.poll(() => text(page, 'refund-amount')).toBe('¥59.90');
    await clickAndSign(page.getByTestId('refund-submit'), PASSPHRASE);
    await expect.poll(() => text(page, 'action-done'), { timeout: 15_000 }).toContain('退款申请已提交');
    await expect.poll(() => text(page, 'order-refunds')).toContain('退款处理中');
    expect(await page.getByTestId('request-refund').count()).toBe(0);
    const fuji = await orderAs(consumer, 'demo-partial-refund-fuji');
    const asked = fuji.refunds?.find((refund) => refund.status === 'requested');
    expect(asked).toMatchObject({ amountFen: '5990', reason: '与商品描述不符：果子偏小，和页面写的 80mm 以上不一样' });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('cancels an unpaid order after a warning', async () => {
    const { page, errors } = await consumerOnPhone();
    await go(page, '/orders/demo-created-oil');
    await expect.poll(() => text(page, 'order-status')).toBe('待付款');
    await page.getByTestId('cancel-order').click();
    // Backing out leaves the order as it is.
    await page
      .getByRole('button', { name: '取 消' })
      .or(page.getByRole('button', { name: '取消', exact: true }))
      .first()
      .click();
    await page.getByTestId('confirm-ok').waitFor({ state: 'detached' });
    expect((await orderAs(e2e.demo.key('consumer'), 'demo-created-oil')).status).toBe('created');
    await page.getByTestId('cancel-order').click();
    await clickAndSign(page.getByTestId('confirm-ok'), PASSPHRASE);
    await expect.poll(() => text(page, 'order-status'), { timeout: 15_000 }).toBe('已取消');
    expect((await orderAs(e2e.demo.key('consumer'), 'demo-created-oil')).status).toBe('cancelled');
    expect(await page.getByTestId('cancel-order').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says in plain words what the server refused, and leaves the order as it was', async () => {
    const consumer = e2e.demo.key('consumer');
    const { page, errors } = await consumerOnPhone();
    await go(page, '/orders/demo-completed-rice-oil');
    await expect.poll(() => text(page, 'order-status')).toBe('已完成');
    await page.getByTestId('request-refund').click();
    // Meanwhile the same buyer asks for a refund elsewhere (another phone): one may be open at a time.
    const elsewhere = await apiAs(
      consumer,
      'POST',
      '/v1/events',
      signed(consumer, 'orders.refund.requested', {
        orderId: 'demo-completed-rice-oil',
        refundId: 'rf-elsewhere',
        reason: '另一台手机上申请的',
        lines: [{ position: 1, quantity: 1 }],
      }),
    );
    expect(elsewhere.status).toBe(201);
    await clickAndSign(page.getByTestId('refund-submit'), PASSPHRASE);
    await expect.poll(() => text(page, 'action-error'), { timeout: 15_000 }).toBe('这笔订单已有一个退款申请在处理中。');
    const order = await orderAs(consumer, 'demo-completed-rice-oil');
    expect(order.refunds?.map((refund) => refund.refundId)).toEqual(['rf-elsewhere']);
    await page
      .getByRole('button', { name: '取 消' })
      .or(page.getByRole('button', { name: '取消', exact: true }))
      .first()
      .click();
    await page.getByTestId('refund-submit').waitFor({ state: 'detached' });
    // The page has reloaded the order: the refund asked elsewhere is there, and no second one can be asked.
    await expect.poll(() => text(page, 'order-refunds')).toContain('退款处理中');
    expect(await page.getByTestId('request-refund').count()).toBe(0);
    // The browser notes the 409 it received; nothing else went wrong.
    expect(errors.filter((error) => !error.includes('status of 409'))).toEqual([]);
    await page.close();
  });

  it('shows my points, tier, recent movements and the account hub', async () => {
    const consumer = e2e.demo.key('consumer');
    const { page, errors } = await consumerOnPhone();
    await go(page, '/me');
    const points = await apiAs<{ balance: string; tier: string }>(consumer, 'GET', '/v1/points');
    await expect.poll(() => text(page, 'points-balance')).toBe(BigInt(points.body.balance).toLocaleString('en-US'));
    expect(await text(page, 'points-tier')).toBe(
      { normal: '普通会员', silver: '白银会员', gold: '黄金会员' }[points.body.tier],
    );
    expect(await text(page, 'points-movements')).toContain('购物返利');
    expect(await text(page, 'me-custody')).toBe('密钥自己保管');
    expect(await page.getByTestId('me-role-consumer').isVisible()).toBe(true);
    expect(await text(page, 'me-did')).toContain(consumer.did.slice(-4));
    expect(await page.getByTestId('promoter-card').count()).toBe(0);
    await screenshot(page, 'me');

    // The hub's links lead on; the language switch is here on a phone.
    await page.getByTestId('me-invite').click();
    await page.getByTestId('invite-page').waitFor();
    await go(page, '/me');
    await page.getByTestId('me-language').getByText('English').click();
    await expect.poll(() => text(page, 'points-tier')).toBe('Member');
    await page.getByTestId('me-language').getByText('中文').click();
    await expect.poll(() => text(page, 'points-tier')).toBe('普通会员');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a promoter their level and commissions', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    const promoter = e2e.demo.key('promoter');
    await signInAs(page, e2e.demo.origin, promoter, PASSPHRASE);
    await go(page, '/me');
    await expect.poll(() => text(page, 'promoter-level')).toBe('推广员');
    const commissions = await apiAs<{
      items: { status: string; amountFen: string; cancelledFen: string; clawedBackFen: string }[];
    }>(promoter, 'GET', '/v1/distribution/commissions');
    const released = commissions.body.items
      .filter((c) => c.status === 'released')
      .reduce((sum, c) => sum + BigInt(c.amountFen) - BigInt(c.cancelledFen) - BigInt(c.clawedBackFen), 0n);
    expect(released).toBeGreaterThan(0n);
    await expect.poll(() => text(page, 'commissions-released')).toBe(formatFen(released));
    expect(await text(page, 'commissions-frozen')).toMatch(/^¥\d/);

    // Their own link, opened: it is theirs to send, not to accept.
    const channel = await apiAs<{ links: { kind: string; code: string }[] }>(promoter, 'GET', '/v1/distribution/me');
    await go(page, `/s/${channel.body.links.find((l) => l.kind === 'product')?.code}`);
    await expect.poll(() => text(page, 'share-outcome')).toContain('这是你自己分享的链接');
    expect(await page.getByTestId('accept-invite').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows my invitation link and a QR code that loads', async () => {
    const consumer = e2e.demo.key('consumer');
    const { page, errors } = await consumerOnPhone();
    await go(page, '/invite');
    const channel = await apiAs<{ links: { kind: string; code: string }[] }>(consumer, 'GET', '/v1/distribution/me');
    const invite = channel.body.links.find((link) => link.kind === 'invite');
    expect(invite).toBeDefined();
    await expect.poll(() => page.getByTestId('invite-url').inputValue()).toBe(`${e2e.demo.origin}/s/${invite?.code}`);
    const qr = page.getByTestId('invite-qr');
    expect(await qr.getAttribute('alt')).toBeTruthy();
    await expect.poll(() => qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await text(page, 'invite-count')).toBe('1');
    await screenshot(page, 'invite');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('binds a newcomer who opens the promoter’s product link to the promoter', async () => {
    const promoter = e2e.demo.key('promoter');
    const channel = await apiAs<{ links: { kind: string; code: string; productId: string | null }[] }>(
      promoter,
      'GET',
      '/v1/distribution/me',
    );
    const link = channel.body.links.find((l) => l.kind === 'product');
    expect(link).toBeDefined();
    const code = link?.code as string;
    const newcomer = await freshAccount();

    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, newcomer, PASSPHRASE);
    await go(page, `/s/${code}`);
    await expect.poll(() => text(page, 'share-heading')).toContain('给你推荐了一件好物');
    await page.getByTestId('share-product-card').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('concord.shareCode'))).toBe(code);
    await screenshot(page, 'share-landing');

    await clickAndSign(page.getByTestId('accept-invite'), PASSPHRASE);
    await expect.poll(() => text(page, 'share-outcome'), { timeout: 15_000 }).toContain('现在是你的推荐人');
    const bound = await apiAs<{ boundTo: string | null }>(newcomer, 'GET', '/v1/distribution/me');
    expect(bound.body.boundTo).toBe(promoter.did);

    // On to the product shared.
    await page.getByTestId('share-continue').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/products/${link?.productId}`);
    await page.getByTestId('share-landing').waitFor({ state: 'detached' });

    // Opening the link again says it is accepted already.
    await go(page, `/s/${code}`);
    await expect.poll(() => text(page, 'share-outcome')).toContain('已经接受过');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explains a share link to a signed-out visitor, and says when a code is unknown', async () => {
    const promoter = e2e.demo.key('promoter');
    const channel = await apiAs<{ links: { kind: string; code: string }[] }>(promoter, 'GET', '/v1/distribution/me');
    const code = channel.body.links.find((l) => l.kind === 'product')?.code as string;
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/s/${code}`);
    await expect.poll(() => text(page, 'share-heading')).toContain('给你推荐了一件好物');
    expect(await page.getByTestId('share-sign-in').locator('xpath=..').getAttribute('href')).toBe(
      `/wallet?next=${encodeURIComponent(`/s/${code}`)}`,
    );
    expect(await page.getByTestId('accept-invite').count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('concord.shareCode'))).toBe(code);

    // Signed out, the account pages ask to sign in and come back.
    for (const path of ['/orders', '/me', '/invite']) {
      await go(page, path);
      await page.getByTestId('signed-out').waitFor();
    }
    expect(errors).toEqual([]);

    await page.goto(`${e2e.demo.origin}/s/NoSuchCode1`);
    await page.getByTestId('share-unknown').waitFor();
    // The only complaint is the browser's own note of the 404 the page asked for.
    expect(errors.filter((error) => !error.includes('404'))).toEqual([]);
    await page.close();
  });

  it('lays the pages out on a desktop too', async () => {
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('consumer'), PASSPHRASE);
    const promoterCode = (
      await apiAs<{ links: { kind: string; code: string }[] }>(e2e.demo.key('promoter'), 'GET', '/v1/distribution/me')
    ).body.links.find((l) => l.kind === 'product')?.code as string;
    for (const [path, testId, name] of [
      ['/orders', 'orders-list', 'orders'],
      ['/orders/demo-completed-rice-oil', 'order-status', 'order'],
      ['/me', 'points-balance', 'me'],
      ['/invite', 'invite-url', 'invite'],
      [`/s/${promoterCode}`, 'share-heading', 'share-landing'],
    ] as const) {
      await go(page, path);
      await page.getByTestId(testId).waitFor();
      await screenshot(page, name);
    }
    // The consumer came by this promoter's shop link: the product link finds them accepted already.
    expect(await text(page, 'share-outcome')).toContain('已经接受过');

    // This browser does not know the order was rated on the phone: the server says so, calmly.
    await go(page, '/orders/demo-shipped-maofeng');
    await page.getByTestId('rate-producer').click();
    await clickAndSign(page.getByTestId('rate-submit'), PASSPHRASE);
    await expect.poll(() => text(page, 'action-done'), { timeout: 15_000 }).toContain('已经评价过');
    expect(await page.getByTestId('rate-producer').count()).toBe(0);
    expect(errors.filter((error) => !error.includes('status of 409'))).toEqual([]);
    await page.close();
  });
});
