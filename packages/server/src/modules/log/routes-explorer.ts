import { EVENT_TYPE_PATTERN, parseCosignatureVerifierKey, toBase64, toHex } from '@concord/protocol';
import { and, desc, eq, inArray, isNotNull, lt, type SQL, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { ERROR_RESPONSES, PAGE_SIZE_MAX } from '../../http/schemas.js';
import { events } from '../events/tables.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { publishedSize } from './checkpoints.js';
import { logCheckpoints, logCosignatures } from './tables.js';

/** A witness that has left a checkpoint uncosigned for this long is called silent, not lagging. */
export const WITNESS_SILENT_AFTER_SECONDS = 60;

const CURSOR = z
  .string()
  .regex(/^[0-9]{1,15}$/, 'must be a cursor from nextCursor')
  .optional()
  .describe('`nextCursor` of the previous page: the page continues below it.');
const LIMIT = z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20);

const ENTRY_SUMMARY = z.object({
  index: z.number().int().describe('Log index.'),
  type: z.string(),
  actor: z.string().describe('did:key of the signer.'),
  ts: z.string().describe("The envelope's timestamp (ISO 8601)."),
  leafHash: z.string().describe('hex'),
  integrated: z.boolean().describe('True when the published checkpoint includes the entry.'),
});

const CHECKPOINT_SUMMARY = z.object({
  size: z.number().int(),
  rootHash: z.string().describe('base64'),
  createdAt: z.string(),
  cosignatures: z.array(
    z.object({ witness: z.string().describe("The witness's key name."), at: z.string().describe('When it arrived.') }),
  ),
  published: z.boolean().describe('True when a quorum of witnesses cosigned it.'),
});

const WITNESS_STATUS = z.object({
  name: z.string().describe("The witness's key name."),
  verifierKey: z.string().describe('cosignature/v1 verifier key.'),
  url: z.string().nullable().describe('Where the log sends it checkpoints.'),
  lastCosignedSize: z.number().int().describe('0 when it has cosigned nothing yet.'),
  lastCosignedAt: z.string().nullable(),
  lag: z.number().int().describe('Latest checkpoint size − lastCosignedSize.'),
  behindSince: z
    .string()
    .nullable()
    .describe('When the oldest checkpoint it has not cosigned was signed; null when it is in step.'),
  status: z
    .enum(['in_step', 'lagging', 'silent'])
    .describe(
      `in_step: it cosigned the latest checkpoint; silent: a checkpoint has waited for it over ${WITNESS_SILENT_AFTER_SECONDS} s.`,
    ),
});

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * The public log explorer's reads: entries newest first (by type or actor), the recent signed
 * checkpoints with their cosignatures, and how each witness keeps up. Everything here is on the
 * log already (pseudonymous DIDs and hashes), so nothing needs a session.
 */
export const logExplorerRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;
    const quorum = ctx.config.witnessQuorum;
    const witnesses = ctx.config.witnesses.map((endpoint) => ({
      endpoint,
      name: parseCosignatureVerifierKey(ctx.crypto, endpoint.verifierKey).name,
    }));

    app.get(
      '/v1/log/entries',
      {
        schema: {
          tags: ['log'],
          summary: 'Log entries, newest first, filtered by event type and/or actor',
          description:
            'Only entries that have a log index. `integrated` says whether the published checkpoint includes the entry yet; `GET /v1/log/entries/{index}` serves it with its envelope and inclusion proof.',
          querystring: z.object({
            type: z
              .string()
              .max(64)
              .regex(EVENT_TYPE_PATTERN, 'must be an event type such as orders.order.placed')
              .optional(),
            actor: DID_SCHEMA.optional(),
            before: CURSOR,
            limit: LIMIT,
          }),
          response: {
            200: z.object({
              items: z.array(ENTRY_SUMMARY),
              nextCursor: z.string().nullable().describe('Pass as `before` for the next page; null on the last.'),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { type, actor, before, limit } = request.query;
        const conditions: SQL[] = [isNotNull(events.logIndex)];
        if (type !== undefined) conditions.push(eq(events.type, type));
        if (actor !== undefined) conditions.push(eq(events.actor, actor));
        if (before !== undefined) conditions.push(lt(events.logIndex, BigInt(before)));
        // (type, log_index), (actor, log_index) or the log index alone, walked backwards.
        const [found, size] = await Promise.all([
          db
            .select({
              logIndex: events.logIndex,
              type: events.type,
              actor: events.actor,
              ts: events.ts,
              leafHash: events.leafHash,
            })
            .from(events)
            .where(and(...conditions))
            .orderBy(desc(events.logIndex))
            .limit(limit + 1),
          publishedSize(db, quorum),
        ]);
        const page = found.slice(0, limit);
        const items = page.map((row) => {
          const index = Number(row.logIndex);
          return {
            index,
            type: row.type,
            actor: row.actor,
            ts: iso(row.ts),
            leafHash: toHex(row.leafHash),
            integrated: size !== undefined && index < size,
          };
        });
        const last = items.at(-1);
        return { items, nextCursor: found.length > limit && last !== undefined ? String(last.index) : null };
      },
    );

    app.get(
      '/v1/log/checkpoints',
      {
        schema: {
          tags: ['log'],
          summary: 'Signed checkpoints, newest first, with the witnesses that cosigned each',
          querystring: z.object({ before: CURSOR, limit: LIMIT }),
          response: {
            200: z.object({
              items: z.array(CHECKPOINT_SUMMARY),
              nextCursor: z.string().nullable().describe('Pass as `before` for the next page; null on the last.'),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { before, limit } = request.query;
        const found = await db
          .select({ size: logCheckpoints.size, root: logCheckpoints.root, createdAt: logCheckpoints.createdAt })
          .from(logCheckpoints)
          .where(before === undefined ? undefined : lt(logCheckpoints.size, Number(before)))
          .orderBy(desc(logCheckpoints.size))
          .limit(limit + 1);
        const page = found.slice(0, limit);
        const sizes = page.map((row) => Number(row.size));
        const lines =
          sizes.length === 0
            ? []
            : await db
                .select({ size: logCosignatures.size, witness: logCosignatures.witness, at: logCosignatures.createdAt })
                .from(logCosignatures)
                .where(inArray(logCosignatures.size, sizes))
                .orderBy(logCosignatures.size, logCosignatures.witness);
        const bySize = new Map<number, { witness: string; at: string }[]>();
        for (const line of lines) {
          const list = bySize.get(Number(line.size)) ?? [];
          list.push({ witness: line.witness, at: iso(line.at) });
          bySize.set(Number(line.size), list);
        }
        const items = page.map((row) => {
          const cosignatures = bySize.get(Number(row.size)) ?? [];
          return {
            size: Number(row.size),
            rootHash: toBase64(row.root),
            createdAt: iso(row.createdAt),
            cosignatures,
            published: cosignatures.length >= quorum,
          };
        });
        const last = items.at(-1);
        return { items, nextCursor: found.length > limit && last !== undefined ? String(last.size) : null };
      },
    );

    app.get(
      '/v1/log/witnesses',
      {
        schema: {
          tags: ['log'],
          summary: 'The configured witnesses and how far each has cosigned',
          response: {
            200: z.object({
              quorum: z.number().int().describe('Cosignatures a checkpoint needs to be published.'),
              latestSize: z.number().int().describe('Size of the newest signed checkpoint; 0 before the first.'),
              publishedSize: z.number().int().describe('Size of the published checkpoint; 0 before the first.'),
              witnesses: z.array(WITNESS_STATUS),
            }),
          },
        },
      },
      async () => {
        const [[latest], published] = await Promise.all([
          db.select({ size: logCheckpoints.size }).from(logCheckpoints).orderBy(desc(logCheckpoints.size)).limit(1),
          publishedSize(db, quorum),
        ]);
        const latestSize = latest === undefined ? 0 : Number(latest.size);
        const statuses = await Promise.all(
          witnesses.map(async ({ endpoint, name }) => {
            // (witness, size) index: one probe, however long ago it last cosigned.
            const [last] = await db
              .select({ size: logCosignatures.size, at: logCosignatures.createdAt })
              .from(logCosignatures)
              .where(eq(logCosignatures.witness, name))
              .orderBy(desc(logCosignatures.size))
              .limit(1);
            const lastCosignedSize = last === undefined ? 0 : Number(last.size);
            const lag = Math.max(0, latestSize - lastCosignedSize);
            // The oldest checkpoint it has not cosigned, and how long ago the log signed it (by
            // the database's clock, which stamped it).
            const [waiting] =
              lag === 0
                ? []
                : await rows<{ created_at: string | Date; waited: string | number }>(
                    db,
                    sql`select created_at, extract(epoch from now() - created_at) as waited from log_checkpoints
                        where size > ${lastCosignedSize} order by size limit 1`,
                  );
            const status =
              lag === 0
                ? ('in_step' as const)
                : waiting !== undefined && Number(waiting.waited) > WITNESS_SILENT_AFTER_SECONDS
                  ? ('silent' as const)
                  : ('lagging' as const);
            return {
              name,
              verifierKey: endpoint.verifierKey,
              url: endpoint.url === '' ? null : endpoint.url,
              lastCosignedSize,
              lastCosignedAt: last === undefined ? null : iso(last.at),
              lag,
              behindSince: waiting === undefined ? null : iso(waiting.created_at),
              status,
            };
          }),
        );
        return { quorum, latestSize, publishedSize: published ?? 0, witnesses: statuses };
      },
    );
  };
