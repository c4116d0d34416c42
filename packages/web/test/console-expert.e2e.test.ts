import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiAs } from './support/api.js';
import { collectPageErrors } from './support/browser.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { clickAndSign, signInAs } from './support/wallet.js';

const e2e = demoInBrowser('concord-web-expert-');
const PASSPHRASE = 'demo passphrase 1';

interface ModelList {
  items: { id: string; ownerDid: string; latestVersion: number; category: string }[];
}
interface ModelDetail {
  versions: { version: number; status: string; definition: { attributes: { key: string }[] } }[];
}

async function fillInput(page: Page, testId: string, value: string): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(value);
}

describe('the expert console', () => {
  it('publishes a new model version from the editor (an invalid attribute is refused first), deprecates it, shows usage and earnings', async () => {
    const expert = new ApiAs(e2e.demo.origin, e2e.demo.key('expert'));
    const mine = (await expert.get<ModelList>('/v1/catalog/models?limit=100')).items.filter(
      (m) => m.ownerDid === expert.did,
    );
    const model = mine.find((m) => m.id === 'soybean-oil-gbt1535') ?? mine[0];
    expect(model).toBeDefined();
    if (model === undefined) return;
    const next = model.latestVersion + 1;

    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('expert'), PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/console/expert`);
    await page.getByTestId(`model-${model.id}`).waitFor();
    await page.getByTestId(`usage-${model.id}`).waitFor();
    if (model.id === 'soybean-oil-gbt1535') {
      expect(await page.getByTestId(`usage-${model.id}`).textContent()).toContain('大豆油');
    }
    await screenshot(page, 'console-expert');

    await page.getByTestId(`edit-${model.id}`).click();
    await page.getByTestId('model-editor').waitFor();
    const count = await page.locator('fieldset[data-testid^="attr-"]').count();
    await page.getByTestId('add-attribute').click();
    const added = `attr-${count}`;
    // An invalid attribute first: a key the protocol refuses, and bounds the wrong way round.
    await fillInput(page, `${added}-key`, 'Bad Key');
    await fillInput(page, `${added}-label-zh`, '过氧化值');
    await fillInput(page, `${added}-label-en`, 'Peroxide value');
    await fillInput(page, `${added}-unit`, 'g/100g');
    await fillInput(page, `${added}-min`, '10');
    await fillInput(page, `${added}-max`, '0');
    await page.getByTestId(`${added}-issues`).waitFor();
    expect(await page.getByTestId(`${added}-issues`).textContent()).toMatch(/key|max/);
    expect(await page.getByTestId('publish-model').isDisabled()).toBe(true);
    await screenshot(page, 'console-expert-editor');

    await fillInput(page, `${added}-key`, 'peroxide_value');
    await fillInput(page, `${added}-min`, '0');
    await fillInput(page, `${added}-max`, '1');
    await fillInput(page, `${added}-tolerance`, '0.05');
    await fillInput(page, `${added}-method`, 'GB 5009.227-2016');
    await page.getByTestId(`${added}-issues`).waitFor({ state: 'detached' });
    expect(await page.getByTestId('model-preview').textContent()).toContain('过氧化值');
    await clickAndSign(page.getByTestId('publish-model'), PASSPHRASE);
    await page.getByTestId(`version-${model.id}-${next}`).waitFor({ timeout: 20_000 });

    const served = await expert.get<ModelDetail>(`/v1/catalog/models/${model.id}`);
    const published = served.versions.find((v) => v.version === next);
    expect(published?.status).toBe('published');
    expect(published?.definition.attributes.map((a) => a.key)).toContain('peroxide_value');

    await page.getByTestId(`deprecate-${model.id}-${next}`).click();
    await clickAndSign(page.locator('.ant-popconfirm .ant-btn-primary'), PASSPHRASE);
    await expect
      .poll(
        async () =>
          (await expert.get<ModelDetail>(`/v1/catalog/models/${model.id}`)).versions.find((v) => v.version === next)
            ?.status,
        { timeout: 15_000 },
      )
      .toBe('deprecated');
    await page.getByTestId(`deprecate-${model.id}-${next}`).waitFor({ state: 'detached' });

    await page.getByTestId('tab-earnings').click();
    // The demo's settled cycles paid the expert a share of the sales of products using the model.
    await page.getByTestId('expert-earnings').waitFor();
    await page.getByTestId('income-chart').locator('svg').waitFor();
    expect(await page.getByTestId('earnings-total').textContent()).toMatch(/^¥\d/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('works on a phone', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, e2e.demo.key('expert'), PASSPHRASE);
    await page.goto(`${e2e.demo.origin}/console/expert`);
    await page.locator('section[data-testid^="model-"]').first().waitFor();
    await screenshot(page, 'console-expert');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(380);
    expect(errors).toEqual([]);
    await page.close();
  });
});
