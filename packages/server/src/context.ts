import type { CryptoProvider } from '@concord/protocol';
import type { Config } from './config.js';
import type { Database, Tx } from './db/connection.js';
import type { KeyPair } from './keys.js';
import type { EventRegistry } from './modules/events/registry.js';
import type { EventServiceDeps } from './modules/events/service.js';
import type { LogSigner } from './modules/log/checkpoints.js';
import type { PaymentProviders } from './modules/payments/provider.js';
import type { PaymentOutcomeHandler } from './modules/payments/service.js';
import type { MovableClock } from './modules/sandbox/movable-clock.js';

/** Everything a route or a job needs, built once at start and passed down explicitly. */
export interface AppContext extends EventServiceDeps {
  config: Config;
  database: Database;
  crypto: CryptoProvider;
  clock: () => Date;
  /** The movable clock behind `clock` when the sandbox clock is on (CONCORD_SANDBOX_CLOCK). */
  sandboxClock?: MovableClock;
  registry: EventRegistry;
  /** 32-byte key that encrypts custodial secret keys at rest. */
  keyEncryptionKey: Uint8Array;
  /** Signs the log's checkpoints; its name is the log origin. */
  logSigner: LogSigner;
  /** Bumped when this process signs a checkpoint or stores a cosignature (readers drop caches). */
  logHead: { version: number };
  /** Shared secret of the sandbox payment provider's webhooks (HMAC-SHA256). */
  sandboxWebhookSecret: Uint8Array;
  paymentProviders: PaymentProviders;
  /** Who follows the outcome of payments started for a purpose ('order', 'deposit', …). */
  paymentOutcomes: Map<string, PaymentOutcomeHandler>;
  /** What a module does when an operator grants a role (a promoter joins the channel). */
  roleGranted?: Map<string, (ctx: AppContext, tx: Tx, did: string, now: Date) => Promise<void>>;
  /** The operator's key, with which the platform signs its own acts (an order paid, expired…). */
  platformSigner: KeyPair;
}
