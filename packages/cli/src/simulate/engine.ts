import { createHmac } from 'node:crypto';
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
} from '@concord/server';
import type { FastifyInstance } from 'fastify';
import type { SimClock } from './client.js';
import type { Prng } from './prng.js';

/**
 * The platform the city runs against: the real server (its context, its HTTP app driven by
 * `inject`, its jobs called at the simulated time) on an embedded PGlite database in memory.
 *
 * Two jobs of a running server are not exported by @concord/server, so they have stand-ins that
 * act only through the server's public doors:
 * - the sandbox payment provider's webhook sender (`deliverWebhooks`, here): it reads the
 *   sandbox's outbox and posts each webhook, signed as the sandbox signs them, to the webhook route;
 * - the order timers' completion (driver.ts `completeDueOrders`): the platform's signed
 *   `orders.order.completed` for every delivered order whose return window has passed, as the
 *   timer job and the demo send it.
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

  async function deliverWebhooks(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const due = await query<{ id: string; body: string }>(
        database,
        'select id::text as id, body from sandbox_webhook_outbox where delivered_at is null order by id limit 200',
      );
      if (due.length === 0) return delivered;
      for (const item of due) {
        const now = clock.now();
        const timestamp = Math.floor(now.getTime() / 1000);
        const mac = createHmac('sha256', ctx.sandboxWebhookSecret).update(`${timestamp}.${item.body}`).digest('hex');
        const response = await app.inject({
          method: 'POST',
          url: '/v1/payments/webhooks/sandbox',
          headers: { 'content-type': 'application/json', 'x-sandbox-signature': `t=${timestamp},v1=${mac}` },
          payload: item.body,
        });
        if (response.statusCode < 200 || response.statusCode >= 300)
          throw new Error(`simulate: the sandbox webhook ${item.id} answered ${response.statusCode}: ${response.body}`);
        await query(
          database,
          `update sandbox_webhook_outbox set delivered_at = ${iso(now)}, attempts = attempts + 1 where id = ${Number(item.id)}`,
        );
        delivered++;
      }
    }
  }

  return {
    app,
    ctx,
    operator,
    integrate: () => integrator.drain(),
    deliverWebhooks,
    close: async () => {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
