import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connection.js';
import { ledgerViolations } from '../src/modules/accounting/ledger.js';
import { createTestDatabase, type TestDatabase } from '../src/test-support/database.js';

const CHILD = fileURLToPath(new URL('./ledger-batch-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'concord-ledger-crash-'));
let postgres: TestDatabase | undefined;

afterAll(async () => {
  await postgres?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a process killed with SIGKILL in the middle of a ledger batch', () => {
  it('leaves each 10,000-leg batch all there or not at all', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PGLITE_DIR: join(dir, 'pglite') };
    if (process.env.DATABASE_URL) {
      postgres = await createTestDatabase();
      await postgres.database.close();
      env.DATABASE_URL = postgres.url as string;
    }
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    // Let a batch or two commit, then kill it while the next one is being written.
    const deadline = Date.now() + 60_000;
    while (!output.includes('committed 0') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(output).toContain('committed 0');

    const database = await openDatabase(
      env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { pgliteDir: env.PGLITE_DIR },
    );
    try {
      const counts = (await database.db.execute(
        sql`select split_part(id, '-', 1) as round, count(*)::int8 as legs from ledger_transfers group by 1 order by 1`,
      )) as unknown as { rows: { round: string; legs: string }[] };
      expect(counts.rows.length).toBeGreaterThan(0);
      for (const row of counts.rows) expect(Number(row.legs)).toBe(10_000);
      expect(await ledgerViolations(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  }, 120_000);
});
