import { createTestApp, type TestApp } from '@concord/server/test-support';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium } from './support/browser.js';
import { buildWeb } from './support/build.js';

let t: TestApp;
let browser: Browser;
let webDir: string;
let origin: string;

beforeAll(async () => {
  webDir = await buildWeb();
  t = await createTestApp({ webDir });
  origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('web shell in Chromium, served by the real server on one port', () => {
  it('shows the page in Chinese first, with live health, and switches to English', async () => {
    const page = await browser.newPage({ locale: 'zh-CN' });
    const errors = collectPageErrors(page);
    await page.goto(`${origin}/status`);
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('运行正常');
    expect(await page.getByTestId('brand').textContent()).toBe('Concord 共识商城');
    const database = t.ctx.database.kind === 'postgres' ? 'PostgreSQL' : '内置 PGlite';
    expect(await page.getByTestId('health-database').textContent()).toBe(database);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang,
      ),
    ).toBe('zh-CN');

    await page.getByText('English').click();
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Operational');
    expect(await page.getByTestId('brand').textContent()).toBe('Concord');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang,
      ),
    ).toBe('en');

    // The choice survives a reload.
    await page.reload();
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Operational');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('serves client routes the page, and API paths, docs and unknown API routes as the API', async () => {
    const page = await browser.newPage();
    const deep = await page.goto(`${origin}/products/some-client-route`);
    expect(deep?.status()).toBe(200);
    expect(await page.title()).toBe('Concord');

    const docs = await page.goto(`${origin}/docs`);
    expect(docs?.status()).toBe(200);
    await expect.poll(() => page.locator('.swagger-ui .title').first().textContent()).toContain('Concord API');

    const missing = await page.goto(`${origin}/v1/no-such-route`);
    expect(missing?.status()).toBe(404);
    expect(JSON.parse((await missing?.text()) ?? '{}')).toMatchObject({ error: { code: 'route_not_found' } });
    await page.close();
  });

  it('serves the built assets precompressed and cached for good, the page itself always fresh', async () => {
    const html = await (await fetch(`${origin}/`)).text();
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const brotli = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(brotli.headers.get('vary')).toMatch(/accept-encoding/i);
    const gzip = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes both: the same script either way.
    expect(await brotli.text()).toBe(await gzip.text());
    expect((await fetch(`${origin}/products/anything`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('says so when the API is down', async () => {
    const page = await browser.newPage({ locale: 'zh-CN' });
    await page.route('**/readyz', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'database_unavailable', message: 'The database does not answer.' } }),
      }),
    );
    await page.goto(`${origin}/status`);
    await expect.poll(() => page.getByTestId('health-status').textContent(), { timeout: 15_000 }).toBe('服务不可用');
    expect(await page.getByTestId('health-error').textContent()).toBe('The database does not answer.');
    await page.close();
  });
});
