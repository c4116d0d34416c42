import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairFromSecretKey, toHex } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import {
  type AppContext,
  buildApp,
  createContext,
  createIntegrator,
  type Database,
  type KeyPair,
  loadConfig,
  migrate,
  openDatabase,
  type ResolvedConfig,
  SandboxWebhookDelivery,
} from '@concord/server';
import type { FastifyInstance } from 'fastify';
import type { SimClock } from './client.js';
import type { Prng } from './prng.js';

/**
 * The platform the city runs against: the real server (its context, its HTTP app driven by
 * `inject`, its jobs called at the simulated time) on an embedded PGlite database in memory.
 *
 * The sandbox provider's webhooks go out by its own delivery job, and orders complete by the
 * server's order timers (driver.ts `completeDueOrders`).
 */
export interface SimServer {
  app: FastifyInstance;
  ctx: AppContext;
  operator: KeyPair;
  integrate(): Promise<void>;
  deliverWebhooks(): Promise<number>;
  close(): Promise<void>;
}

export const keyPairFrom = (prng: Prng): KeyPair => keyPairFromSecretKey(nodeCrypto, prng.bytes(32));

/** Rows of a parameterless query (every value in it is a number or an ISO time this folder made). */
export async function query<T>(database: Database, text: string): Promise<T[]> {
  const result = (await database.db.execute(text)) as unknown as { rows: T[] };
  return result.rows;
}

export const iso = (at: Date) => `'${at.toISOString()}'::timestamptz`;

export async function startSimServer(options: { clock: SimClock; prng: Prng; cycleDays: number }): Promise<SimServer> {
  const { clock, prng } = options;
  const database = await openDatabase({});
  await migrate(database);
  const operator = keyPairFrom(prng);
  const custodian = keyPairFrom(prng);
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-simulate-'));
  const config: ResolvedConfig = {
    // Only what is given here: the simulation never reads the environment (DATABASE_URL and all).
    ...loadConfig({
      LOG_LEVEL: 'silent',
      CONCORD_CYCLE_DAYS: String(options.cycleDays),
      // Sessions outlive the simulated month; the client signs in again if one expires anyway.
      CONCORD_SESSION_TTL_MINUTES: '43200',
    }),
    dataDir,
    operatorDids: [operator.did],
    custodianDids: [custodian.did],
    keyEncryptionKeyHex: toHex(prng.bytes(32)),
    logSigningKeyHex: toHex(prng.bytes(32)),
    sandboxWebhookSecretHex: toHex(prng.bytes(32)),
  };
  const ctx = createContext(config, database, { clock: clock.now, platformSigner: operator });
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  const integrator = createIntegrator(ctx);

  // The sandbox provider's webhook job, sending to this app at the simulated time.
  const webhooks = new SandboxWebhookDelivery(
    database.db,
    ctx.sandboxWebhookSecret,
    async (body, signature) =>
      (
        await app.inject({
          method: 'POST',
          url: '/v1/payments/webhooks/sandbox',
          headers: { 'content-type': 'application/json', 'x-sandbox-signature': signature },
          payload: body,
        })
      ).statusCode,
    clock.now,
  );
  async function deliverWebhooks(): Promise<number> {
    let delivered = 0;
    for (let batch = await webhooks.deliverDue(200); batch > 0; batch = await webhooks.deliverDue(200))
      delivered += batch;
    return delivered;
  }

  return {
    app,
    ctx,
    operator,
    integrate: () => integrator.drain(),
    deliverWebhooks,
    close: async () => {
      await integrator.stop();
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
