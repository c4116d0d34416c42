// Counts the SQL statements a server sends while a bench phase runs: preloaded into the server
// (`node --import` this file) with CONCORD_BENCH_COUNT_DIR set; the bench marks the phase by files
// in that directory (`start`, then `stop`), and the server writes `counts.json` at its first
// statement after the stop (its background jobs send one within a fraction of a second).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = process.env.CONCORD_BENCH_COUNT_DIR;
if (dir !== undefined) {
  const pg = createRequire(new URL('../../packages/server/package.json', import.meta.url))('pg');
  const counts = new Map();
  let phase = 'before';
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(config, ...rest) {
    if (phase === 'before' && existsSync(join(dir, 'start'))) phase = 'counting';
    if (phase === 'counting' && existsSync(join(dir, 'stop'))) {
      phase = 'after';
      writeFileSync(join(dir, 'counts.json'), JSON.stringify([...counts]));
    }
    if (phase === 'counting') {
      const text = (typeof config === 'string' ? config : (config?.text ?? '?')).replace(/\s+/g, ' ').trim();
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
}

/** A counter for one server: its node arguments and environment, the phase marks, and the result. */
export function statementCounter() {
  const countDir = mkdtempSync(join(tmpdir(), 'concord-bench-statements-'));
  return {
    nodeArgs: ['--import', new URL(import.meta.url).pathname],
    env: { CONCORD_BENCH_COUNT_DIR: countDir },
    start: () => writeFileSync(join(countDir, 'start'), ''),
    /** Ends the phase; resolves to the statements sent in it by text, most frequent first. */
    async stop() {
      writeFileSync(join(countDir, 'stop'), '');
      const file = join(countDir, 'counts.json');
      for (let waited = 0; !existsSync(file); waited += 50) {
        if (waited > 10_000) throw new Error('the server wrote no statement counts');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return JSON.parse(readFileSync(file, 'utf8')).sort((a, b) => b[1] - a[1]);
    },
  };
}
