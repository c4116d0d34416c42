import { join } from 'node:path';
import { newKeyPair, sign } from '@concord/server/test-support';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, freePort, runCli, spawnCli, waitFor } from './run-cli.js';

// Tiny batches on a fast timer: the integrator is almost always mid-transaction when killed.
const { env, dataDir } = cliTestEnvironment('concord-crash-', {
  CONCORD_INTEGRATE_INTERVAL_MS: '5',
  CONCORD_INTEGRATE_BATCH_MAX: '3',
  LOG_LEVEL: 'warn',
});

describe('a server killed mid-integration', () => {
  it('completes the tree on restart, losing no accepted entry', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = spawnCli(['start'], { ...env, PORT: String(port) });
    let accepted = 0;
    try {
      await waitFor(`${base}/readyz`, 60_000);
      for (let round = 0; round < 10; round++) {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${base}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(sign(newKeyPair(), 'identity.account.registered', {})),
            }).then((r) => r.status),
          ),
        );
        accepted += statuses.filter((status) => status === 201).length;
      }
    } finally {
      first.kill('SIGKILL');
    }
    await new Promise((resolve) => first.on('exit', resolve));
    expect(accepted).toBe(200);

    const second = spawnCli(['start'], { ...env, PORT: String(port) });
    try {
      await waitFor(`${base}/readyz`, 60_000);
      // Wait for the integrator to catch up, then check the whole log as an outsider would.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const response = await fetch(`${base}/log/checkpoint`);
        const size = response.ok ? Number((await response.text()).split('\n')[1]) : 0;
        if (size === accepted || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const result = await runCli(['verify', base, '--state', join(dataDir, 'verify-state')], {});
      expect(result.output).toContain(`${accepted} entries`);
      expect(result.output).toContain('OK: everything holds.');
      expect(result.code).toBe(0);
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.on('exit', resolve));
    }
  });
});
