import { formatVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectPageErrors } from './support/browser.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';

const e2e = demoInBrowser('concord-web-explorer-');

const ORDER_PLACED = 'orders.order.placed';

const attribute = (page: Page, testId: string, name: string) =>
  page.getByTestId(testId).evaluateAll((nodes, attr) => nodes.map((node) => node.getAttribute(attr) ?? ''), name);

/** The newest order placement on the demo log, as the API lists it. */
async function newestOrder(): Promise<{ index: number; actor: string }> {
  const response = await fetch(`${e2e.demo.origin}/v1/log/entries?type=${ORDER_PLACED}&limit=1`);
  const { items } = (await response.json()) as { items: { index: number; actor: string }[] };
  const first = items[0];
  if (first === undefined) throw new Error('the demo placed no orders');
  return first;
}

describe('the log explorer in Chromium, on the demo data', () => {
  it('lists checkpoints cosigned by both demo witnesses, shows them in step, and verifies the served checkpoint', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/explorer`);
    expect(await page.getByTestId('explorer-title').textContent()).toBe('公开日志');

    await page.getByTestId('checkpoint-row').first().waitFor();
    const cosigned = await page
      .getByTestId('checkpoint-row')
      .evaluateAll((rows) => rows.map((row) => row.querySelectorAll('[data-testid="cosignature"]').length));
    expect(cosigned.length).toBeGreaterThan(0);
    // Every published checkpoint carries both witnesses' cosignatures (quorum 2 of 2).
    expect(cosigned.filter((count) => count === 2).length).toBeGreaterThan(0);
    expect(cosigned.every((count) => count <= 2)).toBe(true);
    const names = await page.getByTestId('checkpoint-row').first().getByTestId('cosignature').allTextContents();
    expect(names.sort()).toEqual(['witness-1.demo', 'witness-2.demo']);

    await expect
      .poll(() => attribute(page, 'witness-row', 'data-status'), { timeout: 30_000 })
      .toEqual(['in_step', 'in_step']);
    expect((await attribute(page, 'witness-row', 'data-name')).sort()).toEqual(['witness-1.demo', 'witness-2.demo']);
    expect(await page.getByTestId('witness-status').allTextContents()).toEqual(['同步', '同步']);

    // The served note verbatim, checked here against the keys the server announced.
    const note = (await page.getByTestId('checkpoint-note').textContent()) ?? '';
    expect(note.split('\n')[0]).toMatch(/\S/);
    expect(note).toContain('— witness-1.demo ');
    await page.getByTestId('verify-checkpoint').click();
    await expect.poll(() => page.getByTestId('checkpoint-result').getAttribute('data-status')).toBe('ok');
    expect(await page.getByTestId('checkpoint-cosignatures').textContent()).toContain('2 / 2');

    await screenshot(page, 'explorer');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters entries by type and by actor, keeps the filter in the URL, and loads more', async () => {
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/explorer`);
    await page.getByTestId('entry-row').first().waitFor();
    await page.getByTestId('checkpoint-row').first().waitFor();
    await page.getByTestId('witness-row').first().waitFor();
    await screenshot(page, 'explorer');
    expect(await page.getByTestId('entry-row').count()).toBe(20);
    const firstPage = (await attribute(page, 'entry-row', 'data-index')).map(Number);
    expect(firstPage).toEqual([...firstPage].sort((a, b) => b - a));
    await page.getByTestId('entries-more').click();
    await expect.poll(() => page.getByTestId('entry-row').count()).toBe(40);
    const twoPages = (await attribute(page, 'entry-row', 'data-index')).map(Number);
    expect(new Set(twoPages).size).toBe(40);
    expect(twoPages).toEqual([...twoPages].sort((a, b) => b - a));

    // By type, chosen in the select fed by /v1/events/types.
    await page.getByTestId('filter-type').click();
    await page.keyboard.type(ORDER_PLACED);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('type')).toBe(ORDER_PLACED);
    await expect
      .poll(async () => {
        const types = await attribute(page, 'entry-row', 'data-type');
        return types.length > 0 && types.every((type) => type === ORDER_PLACED);
      })
      .toBe(true);

    // A malformed DID is refused before asking.
    await page.getByTestId('filter-actor').fill('not-a-did');
    await page.getByTestId('filter-actor').press('Enter');
    await page.getByTestId('filter-actor-error').waitFor();
    expect(new URL(page.url()).searchParams.get('actor')).toBeNull();

    // By actor, as well: the buyer of the newest order.
    const order = await newestOrder();
    await page.getByTestId('filter-actor').fill(order.actor);
    await page.getByTestId('filter-actor').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('actor')).toBe(order.actor);
    await expect
      .poll(async () => {
        const actors = await attribute(page, 'entry-row', 'data-actor');
        const types = await attribute(page, 'entry-row', 'data-type');
        return actors.length > 0 && actors.every((a) => a === order.actor) && types.every((t) => t === ORDER_PLACED);
      })
      .toBe(true);
    expect(await attribute(page, 'entry-row', 'data-index')).toContain(String(order.index));

    // The URL is the view: opened afresh, it shows the same entries.
    const shared = page.url();
    const other = await desktopPage(e2e.browser);
    const otherErrors = collectPageErrors(other);
    await other.goto(shared);
    await other.getByTestId('entry-row').first().waitFor();
    expect(await attribute(other, 'entry-row', 'data-index')).toEqual(await attribute(page, 'entry-row', 'data-index'));
    expect(await other.getByTestId('filter-actor').inputValue()).toBe(order.actor);
    await other.close();

    // An actor with nothing on the log: an empty state with a way back.
    await page.goto(`${e2e.demo.origin}/explorer?actor=did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK`);
    await page.getByTestId('empty').waitFor();
    await page.getByTestId('clear-filters').click();
    await page.getByTestId('entry-row').first().waitFor();
    expect(new URL(page.url()).search).toBe('');

    expect(errors).toEqual([]);
    expect(otherErrors).toEqual([]);
    await page.close();
  });

  it('opens an entry: its decoded envelope, its actor, its neighbours, and a check in the browser that passes', async () => {
    const order = await newestOrder();
    for (const open of [phonePage, desktopPage]) {
      const page = await open(e2e.browser);
      const errors = collectPageErrors(page);
      await page.goto(`${e2e.demo.origin}/explorer?type=${ORDER_PLACED}`);
      await page.locator(`[data-testid="entry-row"][data-index="${order.index}"]`).getByTestId('entry-link').click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/explorer/entries/${order.index}`);
      expect(await page.getByTestId('entry-title').textContent()).toBe(`条目 #${order.index}`);
      expect(await page.getByTestId('entry-type').textContent()).toBe(ORDER_PLACED);
      expect(await page.getByTestId('entry-actor').textContent()).toContain(order.actor);
      expect(await page.getByTestId('entry-custody').textContent()).toMatch(/密钥签名/);
      // The body, decoded into readable rows: the order's producer and its items.
      const keys = await page
        .getByTestId('entry-body')
        .locator('[data-key]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key') ?? ''));
      expect(keys).toContain('producer');
      expect(keys).toContain('items[0].skuId');
      expect(keys).toContain('totalFen');
      await page.getByText('原始 JSON').click();
      expect(JSON.parse((await page.getByTestId('entry-raw').textContent()) ?? '{}')).toMatchObject({
        type: ORDER_PLACED,
        actor: order.actor,
      });

      await page.getByTestId('verify-entry').click();
      await expect
        .poll(() => page.getByTestId('verify-result').getAttribute('data-status'), { timeout: 15_000 })
        .toBe('ok');
      expect(
        await page
          .getByTestId('verify-steps')
          .locator('li')
          .evaluateAll((items) => items.map((i) => i.getAttribute('data-ok'))),
      ).toEqual(['true', 'true', 'true', 'true', 'true']);
      expect(await page.getByTestId('verify-cosignatures').textContent()).toContain('2 / 2');
      expect(Number(await page.getByTestId('verify-size').textContent())).toBeGreaterThan(order.index);
      expect(await page.getByTestId('verify-trust').textContent()).toContain('concord verify --trust');
      await screenshot(page, 'explorer-entry');

      if (open === desktopPage) {
        // Its neighbours, and the actor's other entries.
        await page.getByTestId('entry-prev').click();
        await expect.poll(() => page.getByTestId('entry-title').textContent()).toBe(`条目 #${order.index - 1}`);
        await page.getByTestId('entry-next').click();
        await expect.poll(() => page.getByTestId('entry-title').textContent()).toBe(`条目 #${order.index}`);
        await page.getByTestId('actor-entries').click();
        await expect.poll(() => new URL(page.url()).searchParams.get('actor')).toBe(order.actor);
        await page.getByTestId('entry-row').first().waitFor();
        expect((await attribute(page, 'entry-row', 'data-actor')).every((a) => a === order.actor)).toBe(true);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('fails with a reason when the server serves a tampered envelope, a forged proof or a changed log key', async () => {
    const order = await newestOrder();
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/explorer/entries/${order.index}`);
    await page.getByTestId('entry-type').waitFor();

    const tamper = async (alter: (entry: { envelope: { body: Record<string, unknown> }; proof: string[] }) => void) => {
      await page.unroute(`**/v1/log/entries/${order.index}`);
      await page.route(`**/v1/log/entries/${order.index}`, async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        alter(json);
        await route.fulfill({ response, json });
      });
    };
    const verify = async () => {
      await page.reload();
      await page.getByTestId('verify-entry').click();
      await page.getByTestId('verify-result').waitFor();
      return {
        status: await page.getByTestId('verify-result').getAttribute('data-status'),
        problems: (await page.getByTestId('verify-problems').textContent()) ?? '',
        failedSteps: await page
          .getByTestId('verify-steps')
          .locator('li[data-ok="false"]')
          .evaluateAll((items) => items.map((i) => i.getAttribute('data-step'))),
      };
    };

    // The body altered: the leaf hash and the actor's signature no longer match it.
    await tamper((entry) => {
      entry.envelope.body = { ...entry.envelope.body, note: 'altered' };
    });
    const altered = await verify();
    expect(altered.status).toBe('failed');
    expect(altered.problems).toContain('the leaf hash served is not the hash of the envelope served');
    expect(altered.problems).toContain('signature');
    expect(altered.failedSteps).toEqual(expect.arrayContaining(['leaf', 'signature']));

    // A forged inclusion proof: the leaf does not lead to the signed root.
    await tamper((entry) => {
      entry.proof = entry.proof.map((hash, i) =>
        i === 0 ? btoa(String.fromCharCode(...new Array(32).fill(7))) : hash,
      );
    });
    const forged = await verify();
    expect(forged.status).toBe('failed');
    expect(forged.problems).toContain('the inclusion proof does not lead to the root');
    expect(forged.failedSteps).toEqual(['inclusion']);

    // The log's key differs from the one this browser saw first: flagged, and nothing verifies.
    await page.unroute(`**/v1/log/entries/${order.index}`);
    const info = (await (await fetch(`${e2e.demo.origin}/v1/log/info`)).json()) as { origin: string };
    const impostor = formatVerifierKey(nodeCrypto, { name: info.origin, publicKey: nodeCrypto.randomBytes(32) });
    await page.evaluate((key) => {
      const stored = JSON.parse(localStorage.getItem('concord.log-trust') ?? '{}');
      localStorage.setItem('concord.log-trust', JSON.stringify({ ...stored, log: key }));
    }, impostor);
    const changed = await verify();
    expect(changed.status).toBe('failed');
    expect(changed.problems).toContain("the log's key is not the one this browser saw first");
    await page.getByTestId('verify-key-changed').waitFor();
    // Trusting the keys announced now, deliberately: the entry verifies again.
    await page.getByTestId('verify-key-changed').getByRole('button').click();
    await expect.poll(() => page.getByTestId('verify-result').getAttribute('data-status')).toBe('ok');

    expect(errors).toEqual([]);
    await page.close();
  });
});
