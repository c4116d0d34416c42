import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Database, rows } from './connection.js';

/**
 * Versioned SQL migrations, plain files `migrations/NNNN_name.sql`, applied in order in one
 * transaction under an advisory lock, so several processes starting together apply each once.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const MIGRATION_LOCK_KEY = 7_214_553_901; // arbitrary, constant: "concord migrations"

export interface Migration {
  version: string;
  statements: string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({
      version: name.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(new URL(name, `file://${dir}/`), 'utf8')),
    }));
}

/** Splits a script at top-level semicolons; `$$ … $$` bodies and `--` comments are respected. */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of script.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && (trimmed.startsWith('--') || trimmed === '')) continue;
    current += `${line}\n`;
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inDollar = !inDollar;
    if (!inDollar && trimmed.endsWith(';')) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim() !== '') statements.push(current.trim());
  return statements;
}

export async function migrate(database: Database, migrations = loadMigrations()): Promise<string[]> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(
      sql`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`,
    );
    const applied = new Set(
      (await rows<{ version: string }>(tx, sql`select version from schema_migrations`)).map((r) => r.version),
    );
    const newlyApplied: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into schema_migrations (version) values (${migration.version})`);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
