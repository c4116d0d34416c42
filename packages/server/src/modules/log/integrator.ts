import type { CryptoProvider } from '@concord/protocol';
import {
  storedHashCount,
  storedHashesFrom,
  storedHashesIndexes,
  treeHashFrom,
  treeHashIndexes,
} from '@concord/protocol';
import { and, asc, gte, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, rows, type Tx, transaction } from '../../db/connection.js';
import { events } from '../events/tables.js';
import { type LogSigner, signCheckpoint } from './checkpoints.js';
import { readStoredHashes } from './hashes.js';
import { onSequenced } from './sequencer.js';
import { logCheckpoints, logHashes } from './tables.js';

// pg_advisory_xact_lock key for "the integrator": one integration at a time across processes.
const INTEGRATOR_LOCK = 0x636f6e63; // 'conc'
// How long drain() waits for another process's integration: 500 × 10 ms.
const DRAIN_WAITS_MAX = 500;
const DRAIN_WAIT_MS = 10;
// Rows per insert statement (PostgreSQL allows 65,535 parameters).
const INSERT_CHUNK = 4000;

export interface IntegrationResult {
  /** Tree size before and after; equal when there was nothing new (no checkpoint signed). */
  from: number;
  to: number;
}

/**
 * Adds the sequenced entries that are not in the tree yet (at most `batchMax`), stores the new
 * subtree hashes and signs a checkpoint, all in one transaction: a crash leaves either the old
 * tree or the new one. Returns undefined when another process holds the integrator lock.
 */
export async function integrateOnce(
  db: Db,
  crypto: CryptoProvider,
  signer: LogSigner,
  batchMax: number,
): Promise<IntegrationResult | undefined> {
  return transaction(db, async (tx) => {
    const [locked] = await rows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${INTEGRATOR_LOCK}) as locked`,
    );
    if (!locked?.locked) return undefined;
    const [state] = await rows<{ integrated_size: string }>(
      tx,
      sql`select integrated_size from log_integration for update`,
    );
    if (state === undefined) throw new Error('log_integration row missing: migrations not applied');
    const from = Number(state.integrated_size);
    const leaves = await nextLeaves(tx, from, batchMax);
    if (leaves.length === 0) return { from, to: from };
    const to = from + leaves.length;

    // Hashes this batch needs from earlier batches, read at once; the rest it makes itself.
    const firstNew = storedHashCount(from);
    const needed = new Set<number>();
    for (let n = from; n < to; n++) for (const index of storedHashesIndexes(n)) if (index < firstNew) needed.add(index);
    for (const index of treeHashIndexes(to)) if (index < firstNew) needed.add(index);
    const known = new Map<number, Uint8Array>();
    const neededList = [...needed];
    const read = await readStoredHashes(tx, neededList);
    for (let i = 0; i < neededList.length; i++) known.set(neededList[i] as number, read[i] as Uint8Array);

    const created: { idx: number; hash: Uint8Array }[] = [];
    for (let n = from; n < to; n++) {
      const fresh = storedHashesFrom(
        crypto,
        n,
        leaves[n - from] as Uint8Array,
        storedHashesIndexes(n).map((index) => known.get(index) as Uint8Array),
      );
      let index = storedHashCount(n);
      for (const hash of fresh) {
        known.set(index, hash);
        created.push({ idx: index, hash });
        index++;
      }
    }
    const root = treeHashFrom(
      crypto,
      to,
      treeHashIndexes(to).map((index) => known.get(index) as Uint8Array),
    );
    for (let i = 0; i < created.length; i += INSERT_CHUNK) {
      await tx.insert(logHashes).values(created.slice(i, i + INSERT_CHUNK));
    }
    await tx.execute(sql`update log_integration set integrated_size = ${to}`);
    await tx.insert(logCheckpoints).values({ size: to, root, note: signCheckpoint(crypto, signer, to, root) });
    return { from, to };
  });
}

/** Leaf hashes of the committed entries from index `from` on, stopping at the first gap. */
async function nextLeaves(tx: Tx, from: number, batchMax: number): Promise<Uint8Array[]> {
  const found = await tx
    .select({ logIndex: events.logIndex, leafHash: events.leafHash })
    .from(events)
    .where(and(gte(events.logIndex, BigInt(from)), lt(events.logIndex, BigInt(from + batchMax))))
    .orderBy(asc(events.logIndex));
  const leaves: Uint8Array[] = [];
  for (const row of found) {
    // Commits are ordered by the sequencer lock, so visible entries form a prefix; stop at a gap anyway.
    if (Number(row.logIndex) !== from + leaves.length) break;
    leaves.push(row.leafHash);
  }
  return leaves;
}

/**
 * Runs `integrateOnce` every `intervalMs` or as soon as `batchMax` entries are waiting, whichever
 * comes first (and again at once while there is more), until stopped. Errors are logged and
 * retried on the next tick: the log never stops for one failure.
 *
 * The waiting entries are counted in memory, from what this process sequences (`onSequenced`):
 * no query on the request path. Entries other processes sequence wait for their integrator or
 * this timer, and any this count misses (a transaction that commits after the run it started, or
 * rolls back) cost at most one interval or one spare run.
 */
export class Integrator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** A timer's tick is running: it schedules the next one when done. */
  private ticking = false;
  /** Entries this process sequenced since the last integration began. */
  private waiting = 0;
  private unsubscribe: (() => void) | undefined;
  private listeners = new Set<(result: IntegrationResult) => unknown>();
  private stopListeners = new Set<() => unknown>();
  private listening: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly crypto: CryptoProvider,
    private readonly signer: LogSigner,
    private readonly options: { intervalMs: number; batchMax: number; logger?: Logger | undefined },
  ) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe ??= onSequenced((count) => this.sequenced(count));
    this.schedule(0);
  }

  /** Called after each checkpoint this process signs (e.g. to push it to witnesses). */
  onCheckpoint(listener: (result: IntegrationResult) => unknown): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Integrates everything sequenced so far; resolves when the tree has caught up and the
   * checkpoint listeners (witnessing) have finished. While another process holds the integration
   * lock, its checkpoint is not signed yet: the tree has caught up only once this process gets the
   * lock and finds nothing new.
   */
  async drain(): Promise<void> {
    await this.running;
    for (let waits = 0; ; ) {
      const result = await this.tick();
      // A failure is logged and left to the next tick, as the timer does.
      if (result === 'failed' || (result !== 'busy' && result.to === result.from)) break;
      if (result === 'busy') {
        if (++waits > DRAIN_WAITS_MAX) throw new Error('log integration: another process held the lock too long');
        await new Promise((resolve) => setTimeout(resolve, DRAIN_WAIT_MS));
      }
    }
    await this.listening;
  }

  /** Calls `listener` when the integrator stops: what its checkpoints drive (witnessing) stops with it. */
  onStop(listener: () => unknown): void {
    this.stopListeners.add(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    for (const listener of this.stopListeners) await listener();
  }

  /** `count` entries were sequenced: with a batch waiting, the next tick is now, not at the timer. */
  private sequenced(count: number): void {
    this.waiting += count;
    // A tick in progress looks at the count when it ends (one integration at a time).
    if (this.stopped || this.ticking || this.waiting < this.options.batchMax) return;
    this.schedule(0);
  }

  /** Sets the one timer for the next tick (replacing any set before). */
  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ticking = true;
      void this.tick().then((result) => {
        this.ticking = false;
        const full = typeof result === 'object' && result.to - result.from >= this.options.batchMax;
        this.schedule(full || this.waiting >= this.options.batchMax ? 0 : this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One integration: what it did, 'busy' when another process holds the lock, or 'failed' (logged). */
  private async tick(): Promise<IntegrationResult | 'busy' | 'failed'> {
    // One integration at a time in this process; other processes are kept out by the lock.
    while (this.running !== undefined) await this.running;
    // What is sequenced from here on counts toward the next batch; this run takes what is committed.
    this.waiting = 0;
    const run = (async (): Promise<IntegrationResult | 'busy' | 'failed'> => {
      try {
        return (await integrateOnce(this.db, this.crypto, this.signer, this.options.batchMax)) ?? 'busy';
      } catch (error) {
        this.options.logger?.error({ err: error }, 'log integration failed; will retry');
        return 'failed';
      }
    })();
    this.running = run.then(() => undefined);
    const result = await run;
    this.running = undefined;
    if (typeof result === 'object' && result.to > result.from) {
      this.listening = Promise.all([this.listening, ...[...this.listeners].map((listener) => listener(result))]);
    }
    return result;
  }
}
