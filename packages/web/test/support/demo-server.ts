import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTestEnvironment, freePort, spawnCli, waitFor } from '../../../cli/test/run-cli.js';
import { buildWeb } from './build.js';

export interface DemoKey {
  did: string;
  secretKeyHex: string;
}

export interface DemoServer {
  origin: string;
  dataDir: string;
  /** A demo account's key file (DATA_DIR/demo-keys/<name>.json: producer, consumer, promoter…). */
  key(name: string): DemoKey;
  close(): Promise<void>;
}

/**
 * The platform as a newcomer runs it: `concord start --demo` as a real process, serving the web
 * app built from source, on PGlite in a temporary directory or on a throw-away PostgreSQL database
 * (DATABASE_URL). Call at a test file's top level (it registers the environment's hooks), then
 * `await start()` in beforeAll; it resolves once the demo is loaded.
 */
export function demoServer(prefix = 'concord-web-'): { start: () => Promise<DemoServer> } {
  const { env, dataDir } = cliTestEnvironment(prefix);
  return { start: () => startDemoServer(env, dataDir) };
}

async function startDemoServer(env: Record<string, string>, dataDir: string): Promise<DemoServer> {
  const webDir = await buildWeb();
  const port = await freePort();
  const child = spawnCli(['start', '--demo'], { ...env, PORT: String(port), CONCORD_WEB_DIR: webDir });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`${origin}/readyz`, 90_000);
  const deadline = Date.now() + 120_000;
  while (!child.output().includes('Concord is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`concord start --demo did not come up:\n${child.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    origin,
    dataDir,
    key(name) {
      const file = JSON.parse(readFileSync(join(dataDir, 'demo-keys', `${name}.json`), 'utf8'));
      return { did: file.did, secretKeyHex: file.secretKeyHex };
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    },
  };
}
