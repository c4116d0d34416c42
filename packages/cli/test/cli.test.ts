import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKeys } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, freePort, runCli, spawnCli, waitFor } from './run-cli.js';

// Each command on PGlite in a temporary data directory, or on a throw-away PostgreSQL database.
const { env, dataDir } = cliTestEnvironment('concord-cli-');

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

      // The demo log is cosigned by its two witnesses: the published checkpoint carries the
      // log's signature and two cosignatures, and an outsider's verify agrees.
      let note = '';
      while (Date.now() < deadline) {
        const response = await fetch(`http://127.0.0.1:${port}/log/checkpoint`);
        note = response.ok ? await response.text() : '';
        if (note.split('\n').filter((line) => line.startsWith('\u2014 ')).length === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(note).toContain('\u2014 witness-1.demo ');
      expect(note).toContain('\u2014 witness-2.demo ');
      const verified = await runCli(['verify', `http://127.0.0.1:${port}`, '--state', join(dataDir, 'verify')], env);
      expect(verified.output).toContain('2 trusted cosignatures (quorum 2)');
      expect(verified.code).toBe(0);
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

  it('runs an independent witness that prints its key and serves its status', async () => {
    const port = await freePort();
    const witnessDir = join(dataDir, 'witness');
    const witness = (follow: string) =>
      spawnCli(
        ['witness', '--port', String(port), '--data-dir', witnessDir, '--name', 'w.test', '--follow', follow],
        env,
      );
    const child = witness('example.com/log=example.com/log+00000000+AQ==');
    const exit = await new Promise((resolve) => child.on('exit', resolve));
    expect(exit).toBe(2);
    expect(child.output()).toContain('verifier key');

    const keys = generateNoteKeys(nodeCrypto, 'example.com/log');
    const good = witness(`example.com/log=${keys.verifierKey}`);
    try {
      const status = await waitFor(`http://127.0.0.1:${port}/`, 30_000);
      expect(await status.json()).toMatchObject({ witness: 'w.test', logs: [{ origin: 'example.com/log', size: 0 }] });
      expect(good.output()).toMatch(/cosignature verifier key \(for CONCORD_WITNESSES\): w\.test\+[0-9a-f]{8}\+/);
    } finally {
      good.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => good.on('exit', resolve))).toBe(0);
  }, 60_000);

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
