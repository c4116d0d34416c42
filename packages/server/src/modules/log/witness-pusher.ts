import {
  formatAddCheckpointRequest,
  parseAddCheckpointResponse,
  parseCosignatureVerifierKey,
  parseNote,
  parseTlogSizeBody,
  treeProofFrom,
  treeProofIndexes,
  type VerifierKey,
  verifyCosignature,
  WITNESS_ADD_CHECKPOINT_PATH,
} from '@concord/protocol';
import { desc, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AppContext } from '../../context.js';
import { checkpointAt, latestCheckpoint, type StoredCheckpoint } from './checkpoints.js';
import { readStoredHashes } from './hashes.js';
import { logCosignatures } from './tables.js';

const REQUEST_TIMEOUT_MS = 5_000;
// A 409 tells us the witness's size; after that one retry, anything else waits for the next
// checkpoint or the catch-up below.
const ATTEMPTS = 2;
// While the newest checkpoint lacks a witness's cosignature, it is offered again after this
// delay, doubled after each round that leaves it lacking, up to the cap.
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** The delay before the next catch-up round: doubled, at most the cap. */
export const nextRetryDelay = (delayMs: number): number => Math.min(delayMs * 2, RETRY_MAX_MS);

interface Witness {
  url: string;
  key: VerifierKey;
}

/**
 * Sends each new checkpoint to every configured witness (C2SP tlog-witness add-checkpoint, with
 * a consistency proof from the size the witness last cosigned) and stores the cosignatures it
 * verifies. A witness that is down or refuses only delays publication: the log keeps growing and
 * the next checkpoint is offered with a proof from the last size the witness accepted.
 *
 * A log that has gone quiet signs no next checkpoint, so while the newest one lacks the
 * cosignature of any configured witness it is offered again, with a backoff (1 s doubling to
 * 30 s), until every witness has cosigned it; from the start, too, for a checkpoint signed before
 * a restart. Every witness, not just a quorum: a witness that is behind cannot vouch for the
 * newest tree (it would miss a split view of it), the next outage of another witness would
 * stall publication at once, and witnesses are paid by the cosignatures they give. A witness
 * that stays down costs one failed request per 30 s. The catch-up never holds up the log (it
 * runs on its own timer, beside the integrator) and ends with `stop`.
 */
export class WitnessPusher {
  private readonly witnesses: Witness[];
  private readonly lastCosigned = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private retryDelayMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  // Aborts the requests in flight on stop, so shutdown does not wait for a witness that hangs.
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly logger?: Logger,
  ) {
    this.witnesses = ctx.config.witnesses.map((endpoint) => ({
      url: endpoint.url,
      key: parseCosignatureVerifierKey(ctx.crypto, endpoint.verifierKey),
    }));
    // The newest checkpoint may have been signed before a restart and lack cosignatures.
    if (this.witnesses.length > 0) this.scheduleRetry(0);
  }

  /** Queues `size` for witnessing; pushes run one after another, in size order. */
  push(size: number): Promise<void> {
    return this.enqueue(size, () => this.pushAll(size));
  }

  /** Stops the catch-up: no timer is left, requests in flight are aborted, a round in progress is awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopping.abort();
    await this.chain;
  }

  /** Runs `round` after the rounds queued before it; then schedules or cancels the catch-up. */
  private enqueue(size: number | undefined, round: () => Promise<boolean>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      let cosigned = false;
      try {
        cosigned = await round();
      } catch (error) {
        if (!this.stopped) this.logger?.error({ err: error, size }, 'witnessing failed');
      }
      if (cosigned) {
        if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        this.retryDelayMs = RETRY_FIRST_MS;
      } else if (this.retryTimer === undefined) {
        this.scheduleRetry(this.retryDelayMs);
        this.retryDelayMs = nextRetryDelay(this.retryDelayMs);
      }
    });
    return this.chain;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // The newest checkpoint, whoever signed it: offering it catches every witness up at once.
      void this.enqueue(undefined, async () => {
        const newest = await latestCheckpoint(this.ctx.database.db);
        return newest === undefined || (await this.offer(newest));
      });
    }, delayMs);
    // Never what keeps the process alive; `stop` clears it on shutdown.
    this.retryTimer.unref?.();
  }

  /** Offers checkpoint `size`; true when every witness has cosigned it (or a larger one). */
  private async pushAll(size: number): Promise<boolean> {
    const checkpoint = await checkpointAt(this.ctx.database.db, size);
    if (checkpoint === undefined) return true;
    return this.offer(checkpoint);
  }

  private async offer(checkpoint: StoredCheckpoint): Promise<boolean> {
    const results = await Promise.all(this.witnesses.map((witness) => this.pushOne(witness, checkpoint)));
    return results.every(Boolean);
  }

  /** Offers `checkpoint` to one witness; true when the witness has cosigned it or a larger one. */
  private async pushOne(witness: Witness, checkpoint: StoredCheckpoint): Promise<boolean> {
    const db = this.ctx.database.db;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const old = this.lastCosigned.get(witness.key.name) ?? (await this.storedSize(witness.key.name));
      if (old >= checkpoint.size) return true;
      const proof =
        old === 0
          ? []
          : treeProofFrom(
              this.ctx.crypto,
              old,
              checkpoint.size,
              await readStoredHashes(db, treeProofIndexes(old, checkpoint.size)),
            );
      let response: Response;
      try {
        response = await fetch(`${witness.url}${WITNESS_ADD_CHECKPOINT_PATH}`, {
          method: 'POST',
          body: formatAddCheckpointRequest({ oldSize: old, proof, checkpoint: checkpoint.note }),
          signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.stopping.signal]),
        });
      } catch (error) {
        if (!this.stopped) this.logger?.warn({ witness: witness.url, err: error }, 'witness unreachable');
        return false;
      }
      const body = await response.text();
      if (response.status === 409 && response.headers.get('content-type')?.startsWith('text/x.tlog.size')) {
        this.lastCosigned.set(witness.key.name, parseTlogSizeBody(body));
        continue;
      }
      if (response.status !== 200) {
        this.logger?.warn({ witness: witness.url, status: response.status, body }, 'witness refused the checkpoint');
        return false;
      }
      const text = parseNote(checkpoint.note).text;
      for (const line of parseAddCheckpointResponse(body)) {
        const formatted = `\u2014 ${line.name} ${line.base64}`;
        if (!verifyCosignature(this.ctx.crypto, witness.key, text, formatted).ok) continue;
        await db
          .insert(logCosignatures)
          // At the server's time, as every other act: the settlement pays witnesses by the cycle it falls in.
          .values({ size: checkpoint.size, witness: witness.key.name, line: formatted, createdAt: this.ctx.clock() })
          .onConflictDoNothing();
        this.lastCosigned.set(witness.key.name, checkpoint.size);
        this.ctx.logHead.version++;
        return true;
      }
      this.logger?.warn({ witness: witness.url }, 'witness answered without a valid cosignature');
      return false;
    }
    // Two 409s in a row: the witness moved on meanwhile; whether it reached this size, the next round tells.
    return (this.lastCosigned.get(witness.key.name) ?? 0) >= checkpoint.size;
  }

  private async storedSize(witness: string): Promise<number> {
    const [row] = await this.ctx.database.db
      .select({ size: logCosignatures.size })
      .from(logCosignatures)
      .where(eq(logCosignatures.witness, witness))
      .orderBy(desc(logCosignatures.size))
      .limit(1);
    return row === undefined ? 0 : Number(row.size);
  }
}
