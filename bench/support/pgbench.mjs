// pgbench on a database of its own: TPC-B, the yardstick the PostgreSQL benchmarks compare with,
// and the lean order model (order-model/), the most a checkout could do without any server.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const connectionArgs = (url) => {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres'];
};

function run(url, extraArgs) {
  const u = new URL(url);
  const out = execFileSync('pgbench', [...connectionArgs(url), ...extraArgs, u.pathname.slice(1)], {
    encoding: 'utf8',
  });
  const tps = /tps = ([0-9.]+)/.exec(out)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${out}`);
  if (/number of failed transactions: [1-9]/.test(out)) throw new Error(`pgbench transactions failed:\n${out}`);
  return Number(tps);
}

/** Transactions per second of pgbench TPC-B (scale 4) with `clients` clients for `seconds`. */
export function pgbenchTps(url, clients, seconds) {
  const u = new URL(url);
  execFileSync('pgbench', [...connectionArgs(url), '-i', '-q', '-s', '4', u.pathname.slice(1)], { stdio: 'ignore' });
  return run(url, ['-n', '-c', String(clients), '-j', '2', '-T', String(seconds)]);
}

const MODEL = (file) => fileURLToPath(new URL(`./order-model/${file}`, import.meta.url));

/**
 * Orders per second of the lean order model run by pgbench itself (prepared statements, no
 * server, no HTTP, no signatures) with `clients` clients for `seconds`: a ceiling for what the
 * database can give a checkout on this machine.
 */
export function orderModelTps(url, clients, seconds) {
  const u = new URL(url);
  execFileSync(
    'psql',
    [...connectionArgs(url), '-q', '-v', 'ON_ERROR_STOP=1', '-f', MODEL('schema.sql'), u.pathname.slice(1)],
    {
      stdio: 'ignore',
    },
  );
  return run(url, [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-f',
    MODEL('order.pgbench'),
  ]);
}
