import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { type DemoServer, demoServer } from './demo-server.js';

export interface DemoInBrowser {
  demo: DemoServer;
  browser: Browser;
}

/**
 * What an end-to-end file needs: `concord start --demo` (see demoServer; `runEnv` restarts it
 * with those settings once the demo is loaded) and Debian's Chromium, started before the file's
 * tests and stopped after. Call at the file's top level; read `.demo` and `.browser` in tests.
 */
export function demoInBrowser(prefix: string, runEnv: Record<string, string> = {}): DemoInBrowser {
  const server = demoServer(prefix, runEnv);
  const e2e = {} as DemoInBrowser;
  beforeAll(async () => {
    e2e.demo = await server.start();
    e2e.browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.demo?.close();
  });
  return e2e;
}
