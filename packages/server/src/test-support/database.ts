import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type Database, openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrate.js';

export interface TestDatabase {
  database: Database;
  /** The URL of the throw-away PostgreSQL database, when running on PostgreSQL. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a throw-away
 * database on the PostgreSQL server of `DATABASE_URL`, dropped afterwards, so files run in
 * parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl === undefined || adminUrl === '') {
    const database = await openDatabase({});
    await migrate(database);
    return { database, url: undefined, close: () => database.close() };
  }
  const name = `concord_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolMax: 10 });
  await migrate(database);
  return {
    database,
    url: url.toString(),
    close: async () => {
      await database.close().catch(() => {}); // may have been closed by the test already
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Row counts of every table of the public schema, to prove a failed request wrote nothing. */
export async function tableCounts(database: Database): Promise<Record<string, number>> {
  const tables = (await database.db.execute(
    sql`select tablename from pg_tables where schemaname = current_schema() order by tablename`,
  )) as unknown as { rows: { tablename: string }[] };
  const counts: Record<string, number> = {};
  for (const { tablename } of tables.rows) {
    const result = (await database.db.execute(
      sql`select count(*)::int8 as n from ${sql.identifier(tablename)}`,
    )) as unknown as { rows: { n: string }[] };
    counts[tablename] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}
