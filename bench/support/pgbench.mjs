// pgbench's TPC-B on a database of its own: the yardstick the PostgreSQL benchmarks compare with.
import { execFileSync } from 'node:child_process';

/** Transactions per second of pgbench TPC-B (scale 4) with `clients` clients for `seconds`. */
export function pgbenchTps(url, clients, seconds) {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres'];
  const db = u.pathname.slice(1);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', '4', db], { stdio: 'ignore' });
  const out = execFileSync('pgbench', [...args, '-n', '-c', String(clients), '-j', '2', '-T', String(seconds), db], {
    encoding: 'utf8',
  });
  const tps = /tps = ([0-9.]+)/.exec(out)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
}
