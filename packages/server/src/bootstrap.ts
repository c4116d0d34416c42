import { join } from 'node:path';
import type { CryptoProvider } from '@concord/protocol';
import { fromHex } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { type Database, openDatabase, pgliteDirIn, transaction } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { Periodic } from './jobs.js';
import { type KeyPair, loadOrCreateKeyFile, loadOrCreateSecretHex } from './keys.js';
import { expireDueHolds } from './modules/accounting/hold-expiry.js';
import { onAppealBondPayment } from './modules/consensus/appeals.js';
import { onTesterApproved } from './modules/consensus/experience.js';
import { runPanelElections } from './modules/consensus/panels.js';
import { openDueRounds } from './modules/consensus/rounds.js';
import { ruleDueAppeals } from './modules/consensus/rulings.js';
import { releaseDueUnlocks } from './modules/consensus/stake.js';
import { TALLY_INTERVAL_MS, tallyDueRounds } from './modules/consensus/tally.js';
import { releaseDueCommissions } from './modules/distribution/commissions.js';
import { onPromoterApproved } from './modules/distribution/completion.js';
import { runLevelEvaluation } from './modules/distribution/levels-job.js';
import { runPointsRetirement } from './modules/distribution/points-burn.js';
import { settleWithdrawals } from './modules/distribution/withdrawals.js';
import { CommitQueue } from './modules/events/commit-queue.js';
import { sequenceReceipts } from './modules/events/service.js';
import { createRegistry } from './modules/index.js';
import { Integrator } from './modules/log/integrator.js';
import { WitnessPusher } from './modules/log/witness-pusher.js';
import { onOrderPayment } from './modules/orders/payment-outcome.js';
import { runOrderTimers } from './modules/orders/timers.js';
import { reconcileOpenPayouts } from './modules/payments/payouts.js';
import { PaymentProviders } from './modules/payments/provider.js';
import { SandboxWebhookDelivery } from './modules/payments/sandbox.js';
import { sandboxProvider } from './modules/payments/sandbox-provider.js';
import { reconcileOpenPayments } from './modules/payments/service.js';
import { MovableClock } from './modules/sandbox/movable-clock.js';

// Envelopes committed together at most; they queue while the previous batch commits.
const COMMIT_BATCH_MAX = 256;
// Batches committing at once on PostgreSQL (each holds a pool connection while it runs).
const COMMIT_CONCURRENCY_POSTGRES = 4;
const HOLD_EXPIRY_INTERVAL_MS = 1_000;
const WEBHOOK_INTERVAL_MS = 200;
const PAYMENT_RECONCILE_INTERVAL_MS = 5_000;
const PAYOUT_RECONCILE_INTERVAL_MS = 5_000;
const ORDER_TIMERS_INTERVAL_MS = 2_000;
const APPEAL_RULING_INTERVAL_MS = 10_000;
const COMMISSION_RELEASE_INTERVAL_MS = 60_000;
// Panels are elected once per (weekly) cycle, early in it; a tick with nothing to elect costs one query.
const PANEL_ELECTION_INTERVAL_MS = 10 * 60_000;
// New lots wait for a round at most this long; each tick opens at most ROUNDS_PER_TICK.
const ROUND_OPENING_INTERVAL_MS = 60_000;
const ROUNDS_PER_TICK = 20;
const STAKE_RELEASE_INTERVAL_MS = 60_000;
const POINTS_RETIREMENT_INTERVAL_MS = 15 * 60_000;
const WITHDRAWAL_SETTLE_INTERVAL_MS = 5_000;
// The level evaluation runs once a month; an hourly tick starts it early in each new month.
const LEVEL_EVALUATION_INTERVAL_MS = 3_600_000;

/** Where the embedded-mode keys live: generated on first start, kept in the data directory. */
export const keyPaths = (dataDir: string) => ({
  operator: join(dataDir, 'keys', 'operator.json'),
  custodian: join(dataDir, 'keys', 'custodian.json'),
  keyEncryptionKey: join(dataDir, 'keys', 'kek.hex'),
  logSigningKey: join(dataDir, 'keys', 'log.hex'),
  sandboxWebhookSecret: join(dataDir, 'keys', 'sandbox-webhook.hex'),
});

/**
 * Fills in what configuration left out from key files in the data directory, creating them on
 * first start: the operator and custodian identities, and the key that seals custodial keys.
 */
export function resolveIdentities(config: Config, crypto: CryptoProvider = nodeCrypto): ResolvedConfig {
  const paths = keyPaths(config.dataDir);
  return {
    ...config,
    operatorDids: config.operatorDids ?? [loadOrCreateKeyFile(paths.operator, crypto).did],
    custodianDids: config.custodianDids ?? [loadOrCreateKeyFile(paths.custodian, crypto).did],
    keyEncryptionKeyHex: config.keyEncryptionKeyHex ?? loadOrCreateSecretHex(paths.keyEncryptionKey, crypto),
    logSigningKeyHex: config.logSigningKeyHex ?? loadOrCreateSecretHex(paths.logSigningKey, crypto),
    sandboxWebhookSecretHex:
      config.sandboxWebhookSecretHex ?? loadOrCreateSecretHex(paths.sandboxWebhookSecret, crypto),
  };
}

/**
 * The key the platform signs its own acts with: the operator key in the data directory. With
 * CONCORD_OPERATOR_DIDS set, that key must be one of them, or the platform's acts would be refused.
 */
function platformSignerOf(config: Config, crypto: CryptoProvider): KeyPair {
  const key = loadOrCreateKeyFile(keyPaths(config.dataDir).operator, crypto);
  if (config.operatorDids !== undefined && !config.operatorDids.includes(key.did)) {
    throw new Error(
      `The platform signs its acts with ${keyPaths(config.dataDir).operator} (${key.did}); add that DID to CONCORD_OPERATOR_DIDS.`,
    );
  }
  return key;
}

export type ResolvedConfig = Config & {
  keyEncryptionKeyHex: string;
  logSigningKeyHex: string;
  sandboxWebhookSecretHex: string;
};

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirIn(config.dataDir) });
}

export function createContext(
  config: ResolvedConfig,
  database: Database,
  options: { crypto?: CryptoProvider; clock?: () => Date; sandboxClock?: MovableClock; platformSigner?: KeyPair } = {},
): AppContext {
  const crypto = options.crypto ?? nodeCrypto;
  const logSecret = fromHex(config.logSigningKeyHex);
  const base = options.clock ?? (() => new Date());
  const sandboxClock = config.sandboxClock === true ? (options.sandboxClock ?? new MovableClock(base)) : undefined;
  return {
    config,
    database,
    commitQueue: new CommitQueue(database.db, {
      batchSizeMax: COMMIT_BATCH_MAX,
      batchWaitMs: 0,
      concurrency: database.kind === 'postgres' ? COMMIT_CONCURRENCY_POSTGRES : 1,
      // Sequencing is the batch's last statement and commits with it: the log's counter row is
      // unlocked without waiting for this process to send COMMIT.
      beforeCommit: (tx, values) => sequenceReceipts(tx, values, { commit: true }),
    }),
    crypto,
    clock: sandboxClock?.now ?? base,
    ...(sandboxClock === undefined ? {} : { sandboxClock }),
    registry: createRegistry(),
    keyEncryptionKey: fromHex(config.keyEncryptionKeyHex),
    logSigner: { name: config.logOrigin, secretKey: logSecret, publicKey: crypto.ed25519.publicKey(logSecret) },
    logHead: { version: 0 },
    sandboxWebhookSecret: fromHex(config.sandboxWebhookSecretHex),
    paymentProviders: new PaymentProviders([sandboxProvider(fromHex(config.sandboxWebhookSecretHex))]),
    paymentOutcomes: new Map([
      ['order', onOrderPayment],
      ['appeal_bond', onAppealBondPayment],
    ]),
    roleGranted: new Map([
      ['promoter', onPromoterApproved],
      ['tester', onTesterApproved],
    ]),
    platformSigner: options.platformSigner ?? platformSignerOf(config, crypto),
  };
}

/** The integrator of this process, pushing each new checkpoint to the configured witnesses. */
export function createIntegrator(ctx: AppContext, logger?: Logger): Integrator {
  const integrator = new Integrator(ctx.database.db, ctx.crypto, ctx.logSigner, {
    intervalMs: ctx.config.integrateIntervalMs,
    batchMax: ctx.config.integrateBatchMax,
    logger,
  });
  integrator.onCheckpoint(() => {
    ctx.logHead.version++;
  });
  if (ctx.config.witnesses.length > 0) {
    const pusher = new WitnessPusher(ctx, logger);
    integrator.onCheckpoint((result) => pusher.push(result.to));
    integrator.onStop(() => pusher.stop());
  }
  return integrator;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  logger: Logger;
  integrator: Integrator;
  /** Stops taking requests, lets in-flight ones finish (bounded), closes the database. */
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: {
    logger?: Logger;
    installSignalHandlers?: boolean;
    /** The server's time (default: the real time); the demo shifts it to run its story in the past. */
    clock?: () => Date;
    /** The clock the sandbox moves (CONCORD_SANDBOX_CLOCK); the demo's, which also runs in the past. */
    sandboxClock?: MovableClock;
  } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const resolved = resolveIdentities(config);
  const database = await openConfiguredDatabase(resolved);
  const applied = await migrate(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  const ctx = createContext(resolved, database, {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.sandboxClock === undefined ? {} : { sandboxClock: options.sandboxClock }),
  });
  await ctx.sandboxClock?.restore(database.db);
  if (ctx.sandboxClock !== undefined) {
    logger.warn({ now: ctx.clock().toISOString() }, 'sandbox clock on: an operator can move the time forward');
  }
  const app = await buildApp(ctx, { logger });
  await app.listen({ port: config.port, host: config.host });
  const integrator = createIntegrator(ctx, logger);
  integrator.start();
  // The sandbox provider's webhooks come back to this server, as a real provider's would.
  const webhooks = new SandboxWebhookDelivery(
    ctx.database.db,
    ctx.sandboxWebhookSecret,
    async (body, signature) =>
      (
        await fetch(`${url}/v1/payments/webhooks/sandbox`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-sandbox-signature': signature },
          body,
          signal: AbortSignal.timeout(10_000),
        })
      ).status,
    ctx.clock,
  );
  // The durable jobs: each one finds its due work in the database, so any process may run it.
  const jobs = [
    new Periodic('expiring holds', HOLD_EXPIRY_INTERVAL_MS, () => expireDueHolds(ctx.database.db, ctx.clock), logger),
    new Periodic('sandbox webhook delivery', WEBHOOK_INTERVAL_MS, () => webhooks.deliverDue(), logger),
    new Periodic(
      'payment reconciliation',
      PAYMENT_RECONCILE_INTERVAL_MS,
      () => transaction(ctx.database.db, (tx) => reconcileOpenPayments(ctx, tx, config.paymentTimeoutSeconds)),
      logger,
    ),
    new Periodic(
      'payout reconciliation',
      PAYOUT_RECONCILE_INTERVAL_MS,
      () => transaction(ctx.database.db, (tx) => reconcileOpenPayouts(ctx, tx, config.payoutTimeoutSeconds)),
      logger,
    ),
    new Periodic('order timers', ORDER_TIMERS_INTERVAL_MS, () => runOrderTimers(ctx), logger),
    new Periodic('appeal rulings', APPEAL_RULING_INTERVAL_MS, () => ruleDueAppeals(ctx), logger),
    new Periodic('commission release', COMMISSION_RELEASE_INTERVAL_MS, () => releaseDueCommissions(ctx), logger),
    new Periodic('panel elections', PANEL_ELECTION_INTERVAL_MS, () => runPanelElections(ctx), logger),
    new Periodic('round opening', ROUND_OPENING_INTERVAL_MS, () => openDueRounds(ctx, ROUNDS_PER_TICK), logger),
    new Periodic('stake unlock release', STAKE_RELEASE_INTERVAL_MS, () => releaseDueUnlocks(ctx), logger),
    new Periodic('round tallies', TALLY_INTERVAL_MS, () => tallyDueRounds(ctx, ROUNDS_PER_TICK), logger),
    new Periodic('withdrawal settlement', WITHDRAWAL_SETTLE_INTERVAL_MS, () => settleWithdrawals(ctx), logger),
    new Periodic(
      'promoter level evaluation',
      LEVEL_EVALUATION_INTERVAL_MS,
      () => runLevelEvaluation(ctx, ctx.clock()),
      logger,
    ),
    // Monthly, keyed by the month: the first tick of a month retires its points, later ticks find it done.
    new Periodic(
      'points retirement',
      POINTS_RETIREMENT_INTERVAL_MS,
      () => runPointsRetirement(ctx, ctx.clock()),
      logger,
    ),
  ];
  for (const job of jobs) job.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const grace = setTimeout(() => {
        logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over; exiting');
        process.exit(1);
      }, config.shutdownGraceMs);
      grace.unref();
      await app.close();
      await integrator.stop();
      for (const job of jobs) await job.stop();
      await database.close();
      clearTimeout(grace);
      logger.info('stopped');
    })();
    return closing;
  };
  if (options.installSignalHandlers) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        void close().then(() => process.exit(0));
      });
    }
  }
  return { app, ctx, url, logger, integrator, close };
}
