import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or a transaction: queries written against it run in both. */
export type Executor = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Db;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;

// int8 comes back as a decimal string from both drivers (pg's default): a JS number would lose
// precision above 2^53, and Drizzle's bigint columns turn the string into a bigint.
pg.types.setTypeParser(INT8_OID, (value: string) => value);

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent, embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined means in memory. */
  pgliteDir?: string | undefined;
  /** PostgreSQL pool size. */
  poolMax?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 20 });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg({ client: pool }) as unknown as Db;
    const database: Database = {
      kind: 'postgres',
      db,
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
    await database.ping();
    return database;
  }
  if (options.pgliteDir !== undefined) mkdirSync(options.pgliteDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.pgliteDir === undefined ? {} : { dataDir: options.pgliteDir }),
    parsers: { [INT8_OID]: (value: string) => value },
  });
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

export const pgliteDirIn = (dataDir: string) => join(dataDir, 'pglite');

/**
 * Runs constant SQL text with positional parameters on the driver under Drizzle. On PostgreSQL it
 * is a named prepared statement, parsed and planned once per connection: the ledger's hot path
 * spends most of its database time planning otherwise. PGlite has no named statements and no
 * network, so it runs the text as it is. Arrays go as PostgreSQL arrays (use `= any($1)` or
 * `unnest`), which keeps the text the same whatever the batch size.
 */
export async function preparedRows<T>(executor: Executor, name: string, text: string, values: unknown[]): Promise<T[]> {
  // Drizzle keeps the driver's client (a pool, a pooled client, PGlite or its transaction) on the session.
  const client = (executor as unknown as { session: { client: unknown } }).session.client;
  if (client instanceof pg.Pool || client instanceof pg.Client) {
    return (await client.query<T & pg.QueryResultRow>({ name, text, values })).rows;
  }
  return (await (client as Pick<PGlite, 'query'>).query<T>(text, values)).rows;
}

/**
 * Runs `text` (with `$n` parameters, as for preparedRows) as the transaction's last statement and
 * commits in the same message. On PostgreSQL that is one round trip, and a lock the statement
 * takes (the log's counter row) is released by the commit without waiting for this process to
 * get around to sending COMMIT, which under load is what other transactions queued behind.
 * Nothing may run on `tx` after it: the transaction Drizzle commits afterwards is a new, empty
 * one. PGlite has no network: the statement runs alone and Drizzle commits as usual.
 */
export async function lastStatementAndCommit<T>(tx: Tx, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = (tx as unknown as { session: { client: unknown } }).session.client;
  if (!(client instanceof pg.Client)) return preparedRows<T>(tx, name, text, values);
  // One simple-protocol message (several statements, so no parameters: the values go in as literals).
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => sqlLiteral(values[Number(n) - 1]));
  const results = (await client.query(`${inlined};\ncommit;\nbegin`)) as unknown as pg.QueryResult[];
  return (results[0]?.rows ?? []) as T[];
}

/** A value as a PostgreSQL literal (what node-postgres would send as a parameter, quoted). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return `'${value.toString()}'`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return `'${value}'`;
  }
  if (typeof value === 'string') return quoteLiteral(value);
  if (value instanceof Uint8Array)
    return quoteLiteral(`\\x${Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex')}`);
  if (Array.isArray(value)) return quoteLiteral(arrayLiteral(value));
  return quoteLiteral(JSON.stringify(value));
}

function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new RangeError('a text value cannot hold a NUL character');
  const quoted = `'${text.replace(/'/g, "''")}'`;
  // With backslashes, the E'' form: it reads the same whatever standard_conforming_strings says.
  return text.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

function arrayLiteral(values: readonly unknown[]): string {
  const element = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (Array.isArray(value)) return arrayLiteral(value);
    const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  };
  return `{${values.map(element).join(',')}}`;
}

/** Bytes as a query parameter: node-postgres sends a Buffer as bytea (a bare Uint8Array it does not). */
export const bytesParameter = (value: Uint8Array): Uint8Array =>
  typeof Buffer === 'undefined' ? value : Buffer.from(value.buffer, value.byteOffset, value.length);

/**
 * A jsonb column's value: both drivers parse jsonb already; a string is a driver (or a column
 * read as text) that did not.
 */
export const fromJsonb = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** Rows of a raw query, whichever driver ran it. */
export async function rows<T>(executor: Executor, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * A conflict the database did not name as such but that a rerun resolves (e.g. a unique key
 * taken by a concurrent transaction whose work a rerun will see). Carries SQLSTATE 40001, so every
 * retry loop treats it as a serialization failure.
 */
export class SerializationConflict extends Error {
  readonly code = '40001';
  override readonly name = 'SerializationConflict';
}
const TRANSACTION_ATTEMPTS_MAX = 5;

/**
 * Runs `work` in one transaction, retrying it from scratch on serialization failures and
 * deadlocks (bounded), so callers see either the whole effect or none of it.
 */
export async function transaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  options: { isolationLevel?: 'read committed' | 'repeatable read' | 'serializable' } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(
        work,
        options.isolationLevel ? { isolationLevel: options.isolationLevel } : undefined,
      );
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS_MAX || !RETRYABLE_SQLSTATES.has(sqlState(error) ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/** The SQLSTATE of a driver error (Drizzle wraps driver errors in `cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
