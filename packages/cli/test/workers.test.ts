import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { newKeyPair, sign } from '@concord/server/test-support';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, freePort, runCli, spawnCli, waitFor } from './run-cli.js';

const { env } = cliTestEnvironment('concord-workers-', { LOG_LEVEL: 'warn' });

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^[0-9]+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('concord start --workers', () => {
  it('refuses a count it cannot run', async () => {
    const zero = await runCli(['start', '--workers', '0'], env);
    expect(zero.code).toBe(2);
    expect(zero.output).toContain('--workers takes 1–64 or auto');
    if (env.DATABASE_URL === undefined) {
      const embedded = await runCli(['start', '--workers', '2'], env);
      expect(embedded.code).toBe(2);
      expect(embedded.output).toContain('needs PostgreSQL');
    }
  });

  // PostgreSQL only (the embedded database serves one process): CI's PostgreSQL run covers it.
  it.skipIf(process.env.DATABASE_URL === undefined)(
    'serves from several processes on one port, numbering the log once, and stops them all',
    async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const primary = spawnCli(['start', '--workers', '2'], { ...env, PORT: String(port) });
      const exited = new Promise<number | null>((resolve) => primary.on('exit', resolve));
      let workers: number[] = [];
      try {
        await waitFor(`${base}/readyz`, 60_000);
        const deadline = Date.now() + 30_000;
        while (workers.length < 2 && Date.now() < deadline) {
          workers = childrenOf(primary.pid as number);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(workers).toHaveLength(2);
        // New connections each (no keep-alive), so both workers take some.
        const receipts = await Promise.all(
          Array.from({ length: 40 }, async () => {
            const response = await fetch(`${base}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', connection: 'close' },
              body: JSON.stringify(sign(newKeyPair(), 'identity.account.registered', {})),
            });
            expect(response.status).toBe(201);
            return (await response.json()) as { logIndex: string };
          }),
        );
        const indexes = receipts.map((r) => Number(r.logIndex)).sort((a, b) => a - b);
        const first = indexes[0] ?? Number.NaN;
        expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => first + i));
      } finally {
        primary.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
    },
    120_000,
  );
});
