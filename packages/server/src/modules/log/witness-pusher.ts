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
import { checkpointAt, type StoredCheckpoint } from './checkpoints.js';
import { readStoredHashes } from './hashes.js';
import { logCosignatures } from './tables.js';

const REQUEST_TIMEOUT_MS = 5_000;
// A 409 tells us the witness's size; after that one retry, anything else waits for the next checkpoint.
const ATTEMPTS = 2;

interface Witness {
  url: string;
  key: VerifierKey;
}

/**
 * Sends each new checkpoint to every configured witness (C2SP tlog-witness add-checkpoint, with
 * a consistency proof from the size the witness last cosigned) and stores the cosignatures it
 * verifies. A witness that is down or refuses only delays publication: the log keeps growing and
 * the next checkpoint is offered with a proof from the last size the witness accepted.
 */
export class WitnessPusher {
  private readonly witnesses: Witness[];
  private readonly lastCosigned = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AppContext,
    private readonly logger?: Logger,
  ) {
    this.witnesses = ctx.config.witnesses.map((endpoint) => ({
      url: endpoint.url,
      key: parseCosignatureVerifierKey(ctx.crypto, endpoint.verifierKey),
    }));
  }

  /** Queues `size` for witnessing; pushes run one after another, in size order. */
  push(size: number): Promise<void> {
    this.chain = this.chain
      .then(() => this.pushAll(size))
      .catch((error) => {
        this.logger?.error({ err: error, size }, 'witnessing failed');
      });
    return this.chain;
  }

  private async pushAll(size: number): Promise<void> {
    const checkpoint = await checkpointAt(this.ctx.database.db, size);
    if (checkpoint === undefined) return;
    await Promise.all(this.witnesses.map((witness) => this.pushOne(witness, checkpoint)));
  }

  private async pushOne(witness: Witness, checkpoint: StoredCheckpoint): Promise<void> {
    const db = this.ctx.database.db;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const old = this.lastCosigned.get(witness.key.name) ?? (await this.storedSize(witness.key.name));
      if (old >= checkpoint.size) return;
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
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        this.logger?.warn({ witness: witness.url, err: error }, 'witness unreachable');
        return;
      }
      const body = await response.text();
      if (response.status === 409 && response.headers.get('content-type')?.startsWith('text/x.tlog.size')) {
        this.lastCosigned.set(witness.key.name, parseTlogSizeBody(body));
        continue;
      }
      if (response.status !== 200) {
        this.logger?.warn({ witness: witness.url, status: response.status, body }, 'witness refused the checkpoint');
        return;
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
        return;
      }
      this.logger?.warn({ witness: witness.url }, 'witness answered without a valid cosignature');
      return;
    }
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
