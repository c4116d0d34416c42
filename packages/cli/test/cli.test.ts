import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../server/src/test-support/database.js';
import { freePort, runCli, spawnCli, waitFor } from './run-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'concord-cli-'));
// Each command on PGlite in a temporary data directory, or on a throw-away PostgreSQL database.
const env: Record<string, string> = { DATA_DIR: dataDir };
let postgres: TestDatabase | undefined;

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    postgres = await createTestDatabase();
    await postgres.database.close();
    env.DATABASE_URL = postgres.url as string;
  }
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await postgres?.close();
});

describe('concord', () => {
  it('starts with the demo, serves health and docs, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnCli(['start', '--demo'], { ...env, PORT: String(port) });
    try {
      const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 60_000);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
      const docs = await fetch(`http://127.0.0.1:${port}/docs/`);
      expect(docs.status).toBe(200);
      // The demo is loaded after listen; wait for its last account.
      const deadline = Date.now() + 30_000;
      while (!child.output().includes('Concord is running') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const producerKey = JSON.parse(readFileSync(join(dataDir, 'demo-keys', 'producer.json'), 'utf8'));
      const producer = (await (await fetch(`http://127.0.0.1:${port}/v1/accounts/${producerKey.did}`)).json()) as {
        roles: string[];
      };
      expect(producer.roles).toEqual(['consumer', 'producer']);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(child.output()).toContain('stopped');
  }, 120_000);

  it('runs the demo again without changing anything, and migrate reports up to date', async () => {
    const demo = await runCli(['demo'], env);
    expect(demo.code).toBe(0);
    expect(demo.output).toMatch(/producer\s+did:key:z6Mk/);
    const migrate = await runCli(['migrate'], env);
    expect(migrate.output).toContain('Database is up to date.');
  }, 120_000);

  it('makes and shows keys, and refuses to overwrite one', async () => {
    const file = join(dataDir, 'mine.json');
    const made = await runCli(['keys', 'new', '--out', file], env);
    expect(made.code).toBe(0);
    const did = made.output.split('\n')[0];
    expect(did).toMatch(/^did:key:z6Mk/);
    expect((await runCli(['keys', 'show', file], env)).output.trim()).toBe(did);
    const again = await runCli(['keys', 'new', '--out', file], env);
    expect(again.code).toBe(1);
    expect(again.output).toContain('Refusing to overwrite');
  }, 60_000);

  it('names a bad configuration variable and exits 2', async () => {
    const result = await runCli(['migrate'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.output).toContain('PORT');
  }, 60_000);
});
