import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64, fromHex, verifyInclusion } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
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

interface EntryProof {
  leafHash: string;
  integrated: boolean;
  checkpoint: { size: number; rootHash: string } | null;
  proof: string[] | null;
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
    'serves from several processes on one port, numbering the log once with every receipt provable, and stops them all',
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
            return (await response.json()) as { logIndex: string; leafHash: string; proofUrl: string };
          }),
        );
        const indexes = receipts.map((r) => Number(r.logIndex)).sort((a, b) => a - b);
        const first = indexes[0] ?? Number.NaN;
        expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => first + i));

        // Every receipt is provable: its entry's inclusion proof leads to the published root,
        // whichever worker answers, and an outsider's verify of the whole log agrees.
        for (const receipt of receipts) {
          let proven: EntryProof | undefined;
          while (proven === undefined && Date.now() < deadline) {
            const entry = (await (await fetch(`${base}${receipt.proofUrl}`)).json()) as EntryProof;
            if (entry.integrated) proven = entry;
            else await new Promise((resolve) => setTimeout(resolve, 100));
          }
          if (proven?.checkpoint == null || proven.proof === null)
            throw new Error(`${receipt.logIndex} never integrated`);
          expect(proven.leafHash).toBe(receipt.leafHash);
          const included = verifyInclusion(
            nodeCrypto,
            fromHex(receipt.leafHash),
            Number(receipt.logIndex),
            proven.checkpoint.size,
            proven.proof.map(fromBase64),
            fromBase64(proven.checkpoint.rootHash),
          );
          expect(included, `receipt ${receipt.logIndex}`).toBe(true);
        }
        const verified = await runCli(
          ['verify', base, '--state', mkdtempSync(join(tmpdir(), 'concord-workers-verify-'))],
          env,
        );
        expect(verified.code, verified.output).toBe(0);
      } finally {
        primary.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false);
    },
    120_000,
  );
});
