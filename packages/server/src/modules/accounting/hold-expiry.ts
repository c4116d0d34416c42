import type { Logger } from 'pino';
import { type Db, transaction } from '../../db/connection.js';
import { expireHolds } from './ledger.js';

const INTERVAL_MS = 1_000;

/**
 * Voids expired holds on a timer, a chunk per transaction until none is due. Durable because
 * the holds themselves are the queue: a restart picks up whatever expired meanwhile, and
 * `for update skip locked` lets several server processes share the work.
 */
export class HoldExpiry {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .then(() => undefined)
        .catch((error) => this.logger?.error({ err: error }, 'expiring holds failed; will retry'))
        .finally(() => {
          this.running = undefined;
        });
    }, INTERVAL_MS);
    this.timer.unref();
  }

  /** Expires every hold due now; returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await transaction(this.db, (tx) => expireHolds(tx, this.clock()));
      total += expired;
      if (expired === 0) return total;
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}
