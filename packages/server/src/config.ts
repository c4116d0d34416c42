import { resolve } from 'node:path';
import { MoneyError, type SettlementPolicy, validateSettlementPolicy } from '@concord/protocol';
import { z } from 'zod';

/**
 * Configuration comes from environment variables only, validated once at start. A bad value
 * stops the process with a message that names the variable.
 */
const didList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'each entry must be a did:key')));

const ENV_SCHEMA = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONCORD_OPERATOR_DIDS: didList.optional(),
  CONCORD_CUSTODIAN_DIDS: didList.optional(),
  CONCORD_KEY_ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (32 bytes)')
    .optional(),
  CONCORD_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(16_777_216).default(262_144),
  CONCORD_SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(43_200).default(720),
  CONCORD_CLOCK_SKEW_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  CONCORD_WEB_DIR: z.string().min(1).optional(),
  CONCORD_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  CONCORD_LOG_ORIGIN: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~-]+)*$/, 'must be a schema-less URL such as concord.example/log')
    .default('concord.localhost/log'),
  CONCORD_LOG_SIGNING_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (an Ed25519 seed)')
    .optional(),
  CONCORD_WITNESSES: z.string().optional(),
  CONCORD_WITNESS_QUORUM: z.coerce.number().int().min(0).max(32).optional(),
  CONCORD_INTEGRATE_INTERVAL_MS: z.coerce.number().int().min(5).max(60_000).default(100),
  CONCORD_SANDBOX_WEBHOOK_SECRET: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .optional(),
  CONCORD_INTEGRATE_BATCH_MAX: z.coerce.number().int().min(1).max(100_000).default(4096),
  CONCORD_IMAGE_MAX_BYTES: z.coerce.number().int().min(1024).max(67_108_864).default(2_097_152),
  CONCORD_PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  // A bank transfer may take a day (longer over a holiday), so payouts wait far longer than charges.
  CONCORD_PAYOUT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(604_800).default(86_400),
  CONCORD_ORDER_PAYMENT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  CONCORD_AUTO_DELIVER_DAYS: z.coerce.number().int().min(1).max(90).default(10),
  CONCORD_RETURN_WINDOW_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  CONCORD_WITHDRAWAL_MIN_FEN: z.coerce.number().int().min(1).max(1_000_000_000_000).default(1000),
  CONCORD_WITHDRAWAL_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(60),
  CONCORD_WITHDRAWAL_REVIEW_ABOVE_FEN: z.coerce.number().int().min(0).max(1_000_000_000_000).default(500_000),
  CONCORD_CYCLE_DAYS: z.coerce.number().int().min(1).max(91).default(7),
  CONCORD_SANDBOX_CLOCK: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  CONCORD_EXPERIENCE_POOL_SHARES: z
    .string()
    .regex(
      /^[0-9]{1,5},[0-9]{1,5},[0-9]{1,5}$/,
      'must be three bps shares: experts,testers,platform (e.g. 1000,5000,4000)',
    )
    .default('1000,5000,4000'),
  CONCORD_TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/,
      'must be true, false, or comma-separated proxy addresses/CIDRs',
    )
    .optional(),
});

/** A witness the log pushes checkpoints to: where it listens and its C2SP verifier key. */
export interface WitnessEndpoint {
  url: string;
  verifierKey: string;
  /** Who the witness's share of the trust fee is paid to (a did:key), if it named one. */
  payee?: string;
}

/** CONCORD_WITNESSES: comma-separated `<url> <verifier key> [<payee did:key>]` entries. */
function parseWitnesses(text: string | undefined): WitnessEndpoint[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [url, verifierKey, payee, ...rest] = item.split(/\s+/);
      if (
        url === undefined ||
        verifierKey === undefined ||
        rest.length > 0 ||
        !/^https?:\/\//.test(url) ||
        (payee !== undefined && !/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/.test(payee))
      ) {
        throw new ConfigError(
          'CONCORD_WITNESSES',
          `entries are "<http(s) URL> <verifier key> [<payee did:key>]" (got ${JSON.stringify(item)}).`,
        );
      }
      return { url: url.replace(/\/+$/, ''), verifierKey, ...(payee === undefined ? {} : { payee }) };
    });
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: z.infer<typeof ENV_SCHEMA>['LOG_LEVEL'];
  operatorDids: string[] | undefined;
  custodianDids: string[] | undefined;
  keyEncryptionKeyHex: string | undefined;
  bodyLimitBytes: number;
  sessionTtlMinutes: number;
  clockSkewMs: number;
  webDir: string | undefined;
  shutdownGraceMs: number;
  logOrigin: string;
  logSigningKeyHex: string | undefined;
  witnesses: WitnessEndpoint[];
  /** Cosignatures a checkpoint needs before /log/checkpoint serves it. */
  witnessQuorum: number;
  integrateIntervalMs: number;
  integrateBatchMax: number;
  sandboxWebhookSecretHex: string | undefined;
  /**
   * Whether the operator may move the platform's time forward (POST /v1/sandbox/clock); unset
   * means off, except under `concord start --demo`.
   */
  sandboxClock: boolean | undefined;
  /** Largest product image accepted by POST /v1/catalog/images. */
  imageMaxBytes: number;
  /** A payment with no outcome after this long is closed at its provider (the reconciler). */
  paymentTimeoutSeconds: number;
  /** A payout with no outcome after this long is cancelled at its provider (the reconciler). */
  payoutTimeoutSeconds: number;
  /** An order unpaid this long after checkout expires and its stock returns. */
  orderPaymentMinutes: number;
  /** A shipped order the buyer has not confirmed is delivered after this many days. */
  autoDeliverDays: number;
  /** Days after delivery in which the buyer may ask for a refund; then the order completes. */
  returnWindowDays: number;
  /** The smallest withdrawal of earnings. */
  withdrawalMinFen: bigint;
  /** The fee on a withdrawal, in bps of its amount, rounded up (platform revenue). */
  withdrawalFeeBps: number;
  /** A withdrawal above this waits for an operator's approval before it is paid. */
  withdrawalReviewAboveFen: bigint;
  /**
   * Which proxies' X-Forwarded-For to believe for the client's IP (Fastify `trustProxy`): the
   * anti-abuse IP velocity needs the real client address behind a reverse proxy.
   */
  trustProxy: boolean | string[];
  /** The length of a settlement cycle; cycle n starts n cycles after Monday 1970-01-05 UTC. */
  cycleDays: number;
  /** How a cycle divides its experience pool (validated: the shares add up to 10000). */
  settlementPolicy: SettlementPolicy;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

/** CONCORD_EXPERIENCE_POOL_SHARES: experts,testers,platform in bps of the pool. */
function parseSettlementShares(text: string): SettlementPolicy {
  const [expertsBps, testersBps, platformBps] = text.split(',').map(Number);
  try {
    return validateSettlementPolicy({ experiencePool: { expertsBps, testersBps, platformBps } });
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    throw new ConfigError('CONCORD_EXPERIENCE_POOL_SHARES', `${error.message} (got ${JSON.stringify(text)}).`);
  }
}

/** CONCORD_TRUST_PROXY: unset or false (the socket's address), true (any proxy), or the proxies' addresses/CIDRs. */
function parseTrustProxy(text: string | undefined): boolean | string[] {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  return text.split(',');
}

/** The documented variables, for the README table and `concord --help`. */
export const CONFIG_VARIABLES = Object.keys(ENV_SCHEMA.shape);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, so `FOO= concord start` does not fail on FOO.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ENV_SCHEMA.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue?.message ?? 'is invalid'} (got ${JSON.stringify(env[variable])}).`);
  }
  const e = parsed.data;
  const witnesses = parseWitnesses(e.CONCORD_WITNESSES);
  const witnessQuorum = e.CONCORD_WITNESS_QUORUM ?? witnesses.length;
  if (witnessQuorum > witnesses.length) {
    throw new ConfigError(
      'CONCORD_WITNESS_QUORUM',
      `is ${witnessQuorum} but only ${witnesses.length} witnesses are configured.`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    operatorDids: e.CONCORD_OPERATOR_DIDS,
    custodianDids: e.CONCORD_CUSTODIAN_DIDS,
    keyEncryptionKeyHex: e.CONCORD_KEY_ENCRYPTION_KEY,
    bodyLimitBytes: e.CONCORD_BODY_LIMIT_BYTES,
    sessionTtlMinutes: e.CONCORD_SESSION_TTL_MINUTES,
    clockSkewMs: e.CONCORD_CLOCK_SKEW_MINUTES * 60_000,
    webDir: e.CONCORD_WEB_DIR === undefined ? undefined : resolve(e.CONCORD_WEB_DIR),
    shutdownGraceMs: e.CONCORD_SHUTDOWN_GRACE_MS,
    logOrigin: e.CONCORD_LOG_ORIGIN,
    logSigningKeyHex: e.CONCORD_LOG_SIGNING_KEY,
    witnesses,
    witnessQuorum,
    integrateIntervalMs: e.CONCORD_INTEGRATE_INTERVAL_MS,
    integrateBatchMax: e.CONCORD_INTEGRATE_BATCH_MAX,
    sandboxWebhookSecretHex: e.CONCORD_SANDBOX_WEBHOOK_SECRET,
    imageMaxBytes: e.CONCORD_IMAGE_MAX_BYTES,
    paymentTimeoutSeconds: e.CONCORD_PAYMENT_TIMEOUT_SECONDS,
    payoutTimeoutSeconds: e.CONCORD_PAYOUT_TIMEOUT_SECONDS,
    orderPaymentMinutes: e.CONCORD_ORDER_PAYMENT_MINUTES,
    autoDeliverDays: e.CONCORD_AUTO_DELIVER_DAYS,
    returnWindowDays: e.CONCORD_RETURN_WINDOW_DAYS,
    withdrawalMinFen: BigInt(e.CONCORD_WITHDRAWAL_MIN_FEN),
    withdrawalFeeBps: e.CONCORD_WITHDRAWAL_FEE_BPS,
    withdrawalReviewAboveFen: BigInt(e.CONCORD_WITHDRAWAL_REVIEW_ABOVE_FEN),
    trustProxy: parseTrustProxy(e.CONCORD_TRUST_PROXY),
    cycleDays: e.CONCORD_CYCLE_DAYS,
    sandboxClock: e.CONCORD_SANDBOX_CLOCK === undefined ? undefined : e.CONCORD_SANDBOX_CLOCK === 'true',
    settlementPolicy: parseSettlementShares(e.CONCORD_EXPERIENCE_POOL_SHARES),
  };
}
