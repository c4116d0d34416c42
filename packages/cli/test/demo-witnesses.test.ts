import { openDatabase, pgliteDirIn } from '@concord/server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cliTestEnvironment, runCli } from './run-cli.js';

const { env, dataDir } = cliTestEnvironment('concord-demo-witnesses-');

describe('concord demo', () => {
  it('runs the two demo witnesses while it loads, so the demo log is cosigned by both', async () => {
    const demo = await runCli(['demo'], env);
    expect(demo.code, demo.output).toBe(0);
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDir: pgliteDirIn(dataDir) });
    try {
      const result = (await database.db.execute(
        sql`select c.witness, count(*)::int as checkpoints, max(c.size)::text as largest
              from log_cosignatures c group by c.witness order by c.witness`,
      )) as unknown as { rows: { witness: string; checkpoints: number; largest: string }[] };
      const cosigned = result.rows;
      expect(cosigned.map((row) => row.witness)).toEqual(['witness-1.demo', 'witness-2.demo']);
      for (const row of cosigned) {
        expect(row.checkpoints).toBeGreaterThan(1);
        // The demo's entries number in the hundreds: the witnesses followed the log to its end.
        expect(Number(row.largest)).toBeGreaterThan(100);
      }
    } finally {
      await database.close();
    }
  }, 240_000);
});
