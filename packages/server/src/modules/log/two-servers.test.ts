import { fromBase64, fromHex, verifyInclusion } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, createIntegrator } from '../../bootstrap.js';
import type { AppContext } from '../../context.js';
import { type Database, openDatabase } from '../../db/connection.js';
import { buildApp } from '../../http/app.js';
import { createTestApp, newKeyPair, sign, type TestApp } from '../../test-support/app.js';
import type { Integrator } from './integrator.js';

// Two servers on one database, each with its own connection pool (on PostgreSQL), commit queue
// and integrator running on a timer: appends must never be lost or numbered twice.
let t: TestApp;
let second: { app: FastifyInstance; ctx: AppContext; database: Database };
let integrators: Integrator[];

beforeAll(async () => {
  t = await createTestApp({ config: { integrateIntervalMs: 5, integrateBatchMax: 64 } });
  const url = t.testDatabase.url;
  const database = url === undefined ? t.testDatabase.database : await openDatabase({ databaseUrl: url, poolMax: 10 });
  const ctx = createContext(t.ctx.config as Parameters<typeof createContext>[0], database, {
    clock: () => t.clock.now,
    platformSigner: t.operator,
  });
  second = { app: await buildApp(ctx, { logger: false }), ctx, database };
  integrators = [createIntegrator(t.ctx), createIntegrator(ctx)];
  for (const integrator of integrators) integrator.start();
});

afterAll(async () => {
  for (const integrator of integrators ?? []) await integrator.stop();
  await second?.app.close();
  if (t?.testDatabase.url !== undefined) await second?.database.close();
  await t?.close();
});

describe('two server processes on one database', () => {
  it('number concurrent appends without gaps or duplicates, and every receipt is provable', async () => {
    const apps = [t.app, second.app];
    const count = 240;
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        (apps[i % 2] as FastifyInstance).inject({
          method: 'POST',
          url: '/v1/events',
          payload: sign(newKeyPair(), 'identity.account.registered', {}),
        }),
      ),
    );
    const receipts = responses.map((r) => {
      expect(r.statusCode).toBe(201);
      return r.json() as { logIndex: string; leafHash: string };
    });
    expect(receipts.map((r) => Number(r.logIndex)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );

    // Both integrators run on timers; wait until the published tree holds everything.
    for (const integrator of integrators) await integrator.drain();
    for (const receipt of receipts) {
      const app = apps[Number(receipt.logIndex) % 2] as FastifyInstance;
      const entry = (await app.inject({ method: 'GET', url: `/v1/log/entries/${receipt.logIndex}` })).json();
      expect(entry.integrated).toBe(true);
      expect(entry.checkpoint.size).toBe(count);
      const proof = entry.proof.map(fromBase64);
      expect(
        verifyInclusion(
          nodeCrypto,
          fromHex(receipt.leafHash),
          Number(receipt.logIndex),
          count,
          proof,
          fromBase64(entry.checkpoint.rootHash),
        ),
      ).toBe(true);
    }
  });
});
