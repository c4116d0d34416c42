import {
  encodeEntryBundle,
  formatVerifierKey,
  parseTilePath,
  recordProofFrom,
  recordProofIndexes,
  tileHashIndexes,
  toBase64,
  toHex,
  treeProofFrom,
  treeProofIndexes,
} from '@concord/protocol';
import { and, asc, gte, lt } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError, badRequest, notFound } from '../../errors.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { ENVELOPE_SCHEMA } from '../events/schema.js';
import { events } from '../events/tables.js';
import { latestCheckpoint, publishedCheckpoint, servedNote } from './checkpoints.js';
import { readEntryAndHashes, readStoredHashes, type StoredEntry, StoredHashCache } from './hashes.js';
import { reuseFor } from './reuse.js';

const TILE_WIDTH = 256;
const CHECKPOINT_REUSE_MS = 50;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=1';

const CHECKPOINT_SCHEMA = z.object({
  size: z.number().int().describe('Tree size of the checkpoint the proof leads to.'),
  rootHash: z.string().describe('base64 root hash.'),
  note: z.string().describe('The checkpoint as a C2SP signed note, with witness cosignatures.'),
});

/**
 * The log, read-only: C2SP tlog-checkpoint and tlog-tiles under /log/ (for standard mirrors and
 * `concord verify`), and JSON proofs under /v1/log/ for apps.
 */
export const logRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;
    // Every proof request needs the published checkpoint; it changes at most once per integration
    // tick, so one read serves all requests for a short while (a proof to a checkpoint a few
    // milliseconds old is just as valid).
    const proofHashes = new StoredHashCache();
    const published = reuseFor(
      CHECKPOINT_REUSE_MS,
      () => ctx.logHead.version,
      () => publishedCheckpoint(db, ctx.config.witnessQuorum),
    );

    app.get(
      '/v1/log/info',
      {
        schema: {
          tags: ['log'],
          summary: "The log's origin, its checkpoint verifier key, its witnesses and the quorum",
          description: 'What `concord verify` trusts on first use; pin these keys with --trust for real audits.',
          response: {
            200: z.object({
              origin: z.string(),
              verifierKey: z.string().describe('C2SP signed-note verifier key of the log (Ed25519, type 0x01).'),
              witnesses: z.array(
                z.object({ verifierKey: z.string().describe('cosignature/v1 verifier key (type 0x04).') }),
              ),
              quorum: z.number().int(),
            }),
          },
        },
      },
      async () => ({
        origin: ctx.logSigner.name,
        verifierKey: formatVerifierKey(ctx.crypto, ctx.logSigner),
        witnesses: ctx.config.witnesses.map((w) => ({ verifierKey: w.verifierKey })),
        quorum: ctx.config.witnessQuorum,
      }),
    );

    app.get(
      '/log/checkpoint',
      { schema: { tags: ['log'], summary: 'The latest published checkpoint (C2SP tlog-checkpoint signed note)' } },
      async (_request, reply) => {
        const checkpoint = await published();
        if (checkpoint === undefined) throw notFound('Checkpoint');
        return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(servedNote(checkpoint));
      },
    );

    app.get(
      '/log/tile/*',
      { schema: { tags: ['log'], summary: 'C2SP tlog-tiles: hash tiles and entry bundles' } },
      async (request, reply) => {
        const path = `tile/${(request.params as { '*': string })['*']}`;
        let tile: ReturnType<typeof parseTilePath>;
        try {
          tile = parseTilePath(path);
        } catch (error) {
          throw notFound('Tile', undefined, `${path}: ${(error as Error).message}`);
        }
        const checkpoint = await latestCheckpoint(db);
        const size = checkpoint?.size ?? 0;
        const width = tile.width;
        const first = tile.n * TILE_WIDTH;
        // How many level-(8·L) hashes (or entries, for level 0 / entries) the tree of `size` has.
        const available = Math.floor(size / TILE_WIDTH ** tile.level);
        if (first + width > available) throw notFound('Tile', undefined, `${path} is beyond the tree of size ${size}.`);
        // Full tiles never change; a partial one is replaced by a wider one as the tree grows.
        reply.header('cache-control', width === TILE_WIDTH ? IMMUTABLE : SHORT);
        reply.type('application/octet-stream');
        if (tile.kind === 'entries') {
          const found = await db
            .select({ canonical: events.canonical })
            .from(events)
            .where(and(gte(events.logIndex, BigInt(first)), lt(events.logIndex, BigInt(first + width))))
            .orderBy(asc(events.logIndex));
          return reply.send(Buffer.from(encodeEntryBundle(found.map((row) => row.canonical))));
        }
        const hashes = await readStoredHashes(db, tileHashIndexes(tile.level, tile.n, width));
        return reply.send(Buffer.concat(hashes));
      },
    );

    app.get(
      '/v1/log/entries/:index',
      {
        schema: {
          tags: ['log'],
          summary: 'One log entry with its inclusion proof to the latest published checkpoint',
          params: z.object({ index: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
          response: {
            200: z.object({
              index: z.number().int(),
              leafHash: z.string().describe('hex'),
              envelope: ENVELOPE_SCHEMA,
              integrated: z.boolean().describe('False until a published checkpoint includes the entry; ask again.'),
              checkpoint: CHECKPOINT_SCHEMA.nullable(),
              proof: z.array(z.string()).nullable().describe('RFC 9162 inclusion proof, base64 hashes.'),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { index } = request.params;
        const checkpoint = await published();
        const integrated = checkpoint !== undefined && index < checkpoint.size;
        // The entry and whatever hashes of its proof are not kept come in one statement (the
        // proof needs only the size); when all are kept, the entry alone.
        let entry: StoredEntry | undefined;
        const hashes = integrated
          ? await proofHashes.readWith(recordProofIndexes(index, checkpoint.size), async (missing) => {
              const read = await readEntryAndHashes(db, index, missing);
              if (read.entry === undefined) throw notFound('Log entry', 'index');
              entry = read.entry;
              return read.hashes;
            })
          : undefined;
        entry ??= (await readEntryAndHashes(db, index, [])).entry;
        if (entry === undefined) throw notFound('Log entry', 'index');
        const base = {
          index,
          leafHash: toHex(entry.leafHash),
          envelope: entry.envelope as z.infer<typeof ENVELOPE_SCHEMA>,
        };
        if (!integrated || hashes === undefined) return { ...base, integrated: false, checkpoint: null, proof: null };
        const proof = recordProofFrom(ctx.crypto, index, checkpoint.size, hashes);
        return {
          ...base,
          integrated: true,
          checkpoint: { size: checkpoint.size, rootHash: toBase64(checkpoint.root), note: servedNote(checkpoint) },
          proof: proof.map(toBase64),
        };
      },
    );

    app.get(
      '/v1/log/consistency',
      {
        schema: {
          tags: ['log'],
          summary: 'RFC 9162 consistency proof between two tree sizes',
          querystring: z.object({
            from: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
            to: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          }),
          response: {
            200: z.object({ from: z.number().int(), to: z.number().int(), proof: z.array(z.string()) }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { from, to } = request.query;
        if (from > to) throw badRequest('invalid_range', 'from must not exceed to.', 'from');
        const checkpoint = await latestCheckpoint(db);
        const size = checkpoint?.size ?? 0;
        if (to > size)
          throw new AppError(404, 'not_found', `The tree has ${size} entries; to=${to} is beyond it.`, 'to');
        const hashes = await readStoredHashes(db, treeProofIndexes(from, to));
        return { from, to, proof: treeProofFrom(ctx.crypto, from, to, hashes).map(toBase64) };
      },
    );
  };
