import { ed25519NoteVerifier, openCheckpoint } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrator } from '../../bootstrap.js';
import { rows } from '../../db/connection.js';
import { createTestApp, newKeyPair, postEvent, sign, type TestApp } from '../../test-support/app.js';
import type { IntegrationResult, Integrator } from './integrator.js';

// The timer is an hour away: whatever is integrated during the test was started by the batch.
const BATCH = 4;
let t: TestApp;
let integrator: Integrator | undefined;

beforeAll(async () => {
  t = await createTestApp({ config: { integrateIntervalMs: 3_600_000, integrateBatchMax: BATCH } });
});
afterAll(async () => {
  await integrator?.stop();
  await t?.close();
});

async function append(count: number) {
  for (let i = 0; i < count; i++) {
    expect((await postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}))).statusCode).toBe(201);
  }
}

const integratedSize = async () =>
  Number((await rows<{ n: string }>(t.ctx.database.db, sql`select integrated_size as n from log_integration`))[0]?.n);

/** Resolves with the first checkpoint the integrator signs of at least `size`. */
const signed = (running: Integrator, size: number) =>
  new Promise<IntegrationResult>((resolve) => {
    const off = running.onCheckpoint((result) => {
      if (result.to < size) return;
      off();
      resolve(result);
    });
  });

describe('the integrator', () => {
  it('runs as soon as a batch of entries is waiting, without waiting for its timer', async () => {
    await append(2);
    integrator = createIntegrator(t.ctx);
    // Its first run is at start; after it the timer is an hour away.
    const first = signed(integrator, 2);
    integrator.start();
    expect(await first).toEqual({ from: 0, to: 2 });

    // Fewer than a batch wait for the timer.
    await append(BATCH - 1);
    expect(await integratedSize()).toBe(2);

    // The batch's last entry starts the run.
    const next = signed(integrator, 2 + BATCH);
    await append(1);
    expect(await next).toEqual({ from: 2, to: 2 + BATCH });
    const note = (await t.app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
    const head = openCheckpoint(nodeCrypto, note, [ed25519NoteVerifier(nodeCrypto, t.ctx.logSigner)]);
    expect(head.checkpoint.size).toBe(2 + BATCH);
  }, 15_000);
});
