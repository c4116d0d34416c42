import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

const DIR = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));

/** Phone first (a 375 px wide iPhone-like screen), then desktop. */
export const VIEWPORTS = {
  phone: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
} as const;

/** True when this run should write the screenshots (`npm run screenshots`); tests never do otherwise. */
export const takingScreenshots = process.env.CONCORD_SCREENSHOTS === '1';

/** Saves docs/screenshots/<name>-<width>.png of the page as it is, when screenshots are asked for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!takingScreenshots) return;
  mkdirSync(DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  // From the top: a full-page picture taken scrolled down draws the sticky header mid-page.
  await page.evaluate(() => globalThis.scrollTo(0, 0));
  await page.screenshot({ path: `${DIR}${name}-${width <= 480 ? 'phone' : 'desktop'}.png`, fullPage: true });
}

/** A page at phone width with the Chinese locale, as a shopper in China opens it. */
export const phonePage = (browser: Browser): Promise<Page> => browser.newPage({ ...VIEWPORTS.phone, locale: 'zh-CN' });

export const desktopPage = (browser: Browser): Promise<Page> =>
  browser.newPage({ ...VIEWPORTS.desktop, locale: 'zh-CN' });
