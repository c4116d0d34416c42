import { type Db, sqlState, type Tx } from '../../db/connection.js';

/** One unit of work that must commit atomically with its log entry, or not at all. */
export interface QueuedWork<T> {
  /**
   * Runs in the batch's transaction, again in a savepoint of it if an item failed (a throw undoes
   * only this item): it may run more than once, so it keeps no state outside the transaction.
   */
  apply(tx: Tx): Promise<T>;
}

export interface CommitQueueOptions {
  /** Most items in one transaction. */
  batchSizeMax: number;
  /** How long the first item of a batch may wait for company. 0 = only what is already queued. */
  batchWaitMs: number;
  /**
   * Batches in flight at once, each on its own connection. They overlap everything but the
   * sequencing step at the very end (the log counter's row lock orders their commits), so on
   * PostgreSQL a few of them hide the round trips of the others. PGlite has one connection: 1.
   */
  concurrency?: number;
  /**
   * Runs once per batch after every item was applied, before commit, with the values of the
   * items that succeeded (in order); returns one extra per value (e.g. its log index).
   */
  beforeCommit?: (tx: Tx, values: readonly unknown[]) => Promise<readonly unknown[]>;
}

interface Pending {
  work: QueuedWork<unknown>;
  resolve(value: { value: unknown; extra: unknown }): void;
  reject(error: unknown): void;
}

const RETRYABLE = new Set(['40001', '40P01']);
const BATCH_ATTEMPTS_MAX = 5;

/**
 * Group commit: requests that arrive together share one transaction and one WAL flush; a
 * failure undoes only the item that failed (commitBatch). Sequencing (the gapless log index)
 * happens once per batch just before commit, so the lock that orders the log is held only for
 * the commit itself — throughput is bounded by flushes per second times batch size, not by
 * flushes per second alone.
 */
export class CommitQueue {
  private queue: Pending[] = [];
  private active = 0;

  constructor(
    private readonly db: Db,
    private readonly options: CommitQueueOptions,
  ) {}

  submit<T>(work: QueuedWork<T>): Promise<{ value: T; extra: unknown }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Pending);
      if (this.active < (this.options.concurrency ?? 1)) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.active++;
    try {
      while (this.queue.length > 0) {
        if (this.options.batchWaitMs > 0 && this.queue.length < this.options.batchSizeMax) {
          await new Promise((resolve) => setTimeout(resolve, this.options.batchWaitMs));
        }
        // Spread what is queued over the workers, so batches run side by side.
        const concurrency = this.options.concurrency ?? 1;
        const share = Math.ceil(this.queue.length / concurrency);
        const batch = this.queue.splice(0, Math.min(this.options.batchSizeMax, Math.max(1, share)));
        await this.commitBatch(batch);
      }
    } finally {
      this.active--;
    }
  }

  /**
   * Items first run without savepoints (two statements fewer each); when one fails, the
   * transaction is undone and the batch runs again with a savepoint per item, so the failure
   * undoes only itself, as before. A batch of one never needs a savepoint.
   */
  private async commitBatch(batch: Pending[]): Promise<void> {
    let savepoints = false;
    for (let attempt = 1; ; attempt++) {
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        const extras = await this.db.transaction(async (tx) => {
          for (const item of batch) {
            try {
              // A nested Drizzle transaction is a savepoint.
              const value = savepoints
                ? await tx.transaction((savepoint) => item.work.apply(savepoint))
                : await item.work.apply(tx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              if (RETRYABLE.has(sqlState(error) ?? '')) throw error; // the whole batch must retry
              // Without a savepoint the item's own writes cannot be undone alone: undo them all.
              if (!savepoints) throw new UndoneWithoutSavepoints(error);
              outcomes.push({ ok: false, error });
            }
          }
          const values = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
          return values.length > 0 && this.options.beforeCommit
            ? await this.options.beforeCommit(tx, values)
            : undefined;
        });
        let k = 0;
        batch.forEach((item, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) item.resolve({ value: outcome.value, extra: extras?.[k++] });
          else item.reject(outcome?.error);
        });
        return;
      } catch (error) {
        if (error instanceof UndoneWithoutSavepoints) {
          const [only] = batch;
          if (batch.length === 1 && only !== undefined) {
            only.reject(error.cause);
            return;
          }
          savepoints = true;
          attempt--;
          continue;
        }
        if (attempt < BATCH_ATTEMPTS_MAX && RETRYABLE.has(sqlState(error) ?? '')) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
          continue;
        }
        for (const item of batch) item.reject(error);
        return;
      }
    }
  }
}

/** An item of a batch run without savepoints failed (`cause`): its transaction is undone. */
class UndoneWithoutSavepoints extends Error {
  constructor(cause: unknown) {
    super('an item failed without a savepoint', { cause });
  }
}
