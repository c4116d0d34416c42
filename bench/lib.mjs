// Shared by every benchmark: timing, the machine/date/commit header, and writing results.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

function git(...args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Where and on what a figure was measured: absolute times only compare within one such header. */
export function environment() {
  const commit = git('rev-parse', '--short=12', 'HEAD') ?? 'unknown';
  const dirty = (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '';
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: dirty ? `${commit}+dirty` : commit,
    machine: {
      hostname: os.hostname(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    },
    node: process.version,
  };
}

/** Operations per second of `fn(i)` run `count` times. */
export function rate(count, fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) fn(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures several contenders in alternating rounds (so drift on a shared machine hits all
 * alike) and reports each one's median rate.
 */
export function compare(contenders, { rounds = 7, count, warmup = 1 }) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = -warmup; round < rounds; round++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const measured = rate(count, fn);
      if (round >= 0) samples[name].push(measured);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, { median: median(values), samples: values }]),
  );
}

/** Prints a result and writes it as JSON to bench/results/<name>.json (latest) and a dated copy. */
export function report(name, result) {
  const record = { benchmark: name, ...environment(), ...result };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(record, null, 2)}\n`;
  writeFileSync(join(RESULTS_DIR, `${name}.json`), json);
  const stamp = record.date.slice(0, 19).replace(/[:T]/g, '-');
  writeFileSync(join(RESULTS_DIR, `${name}-${stamp}-${record.commit}.json`), json);
  return record;
}

export const formatRate = (perSecond) => `${Math.round(perSecond).toLocaleString('en-US')}/s`;
