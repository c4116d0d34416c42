import { readdirSync, readFileSync } from 'node:fs';
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
  /** A demo account's key (DATA_DIR/demo-keys/<name>.json: producer, consumer, promoter…; operator and custodian from keys/). */
  key(name: string): DemoKey;
  /** The demo account whose DID this is (a product's producer, say). */
  keyOf(did: string): DemoKey;
  close(): Promise<void>;
}

/**
 * The platform as a newcomer runs it: `concord start --demo` as a real process, serving the web
 * app built from source, on PGlite in a temporary directory or on a throw-away PostgreSQL database
 * (DATABASE_URL). Call at a test file's top level (it registers the environment's hooks), then
 * `await start()` in beforeAll; it resolves once the demo is loaded. With `runEnv`, the server is
 * started again on the loaded data with that environment (settings the demo's story must not see,
 * e.g. a return window of zero days).
 */
export function demoServer(
  prefix = 'concord-web-',
  runEnv: Record<string, string> = {},
): { start: () => Promise<DemoServer> } {
  const { env, dataDir } = cliTestEnvironment(prefix);
  return { start: () => startDemoServer(env, dataDir, runEnv) };
}

type Child = ReturnType<typeof spawnCli>;

async function launch(env: Record<string, string>, port: number, webDir: string): Promise<Child> {
  const child = spawnCli(['start', '--demo'], { ...env, PORT: String(port), CONCORD_WEB_DIR: webDir });
  await waitFor(`http://127.0.0.1:${port}/readyz`, 90_000);
  const deadline = Date.now() + 120_000;
  while (!child.output().includes('Concord is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`concord start --demo did not come up:\n${child.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return child;
}

async function stop(child: Child): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
}

async function startDemoServer(
  env: Record<string, string>,
  dataDir: string,
  runEnv: Record<string, string>,
): Promise<DemoServer> {
  const webDir = await buildWeb();
  const port = await freePort();
  let child = await launch(env, port, webDir);
  if (Object.keys(runEnv).length > 0) {
    await stop(child);
    child = await launch({ ...env, ...runEnv }, port, webDir);
  }
  const origin = `http://127.0.0.1:${port}`;
  const key = (name: string): DemoKey => {
    // The platform's own keys are in keys/; the demo's accounts in demo-keys/.
    const folder = name === 'operator' || name === 'custodian' ? 'keys' : 'demo-keys';
    const file = JSON.parse(readFileSync(join(dataDir, folder, `${name}.json`), 'utf8'));
    return { did: file.did, secretKeyHex: file.secretKeyHex };
  };
  return {
    origin,
    dataDir,
    key,
    keyOf(did) {
      const names = readdirSync(join(dataDir, 'demo-keys')).filter((file) => file.endsWith('.json'));
      const found = names.map((file) => key(file.replace(/\.json$/, ''))).find((k) => k.did === did);
      if (found === undefined) throw new Error(`no demo key for ${did}`);
      return found;
    },
    close: () => stop(child),
  };
}
