import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { UsageError } from './usage-error.js';

/** `--workers`: a count from 1, or `auto` for one per core. */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new UsageError('--workers takes 1–64 or auto');
  return count;
}

/**
 * Runs `count` server processes on one port (node:cluster; each worker serves the API, runs the
 * jobs and applies its own commit batches; the log and the jobs are safe with several processes
 * on one PostgreSQL). The first worker starts alone, so that migrations and a key generated on
 * first start happen once; the others follow once it listens. A worker that dies is replaced;
 * SIGINT/SIGTERM stop them all.
 */
export async function superviseWorkers(count: number, log: (line: string) => void): Promise<void> {
  let stopping = false;
  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      const failed = (code: number | null) => {
        if (!stopping) reject(new Error(`a server worker exited (${code}) before listening`));
      };
      worker.once('exit', failed);
      worker.once('listening', () => {
        worker.off('exit', failed);
        resolve(worker);
      });
    });
  // From the start: a stop during start-up must not leave workers behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      let left = workers.length;
      if (left === 0) process.exit(0);
      for (const worker of workers) {
        worker.once('exit', () => {
          if (--left === 0) process.exit(0);
        });
        // SIGTERM either way: on Ctrl-C the workers get SIGINT from the terminal too, and a second
        // SIGINT would end one before it closed; their SIGTERM handler shares the same close.
        worker.process.kill('SIGTERM');
      }
    });
  }
  const first = await fork();
  await Promise.all(Array.from({ length: count - 1 }, fork));
  log(`Concord is running in ${count} processes (pid ${first.process.pid} and ${count - 1} more)`);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log(`server worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    void fork().catch((error: Error) => log(error.message));
  });
}

export const isWorker = () => cluster.isWorker;
