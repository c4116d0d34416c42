// Who used the machine's cores during a timed phase (Linux /proc).
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export function processCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return Number.NaN;
  }
}

/** The process and its children (a server started with --workers): their pids. */
export function processTree(pid) {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** CPU seconds of the process and its children (summed over those alive now). */
export const processTreeCpuSeconds = (pid) =>
  processTree(pid).reduce((sum, each) => sum + (processCpuSeconds(each) || 0), 0);

export function machineCpu() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** Starts counting; `stop(seconds)` gives the cores busy on the machine, in the server and in this process. */
export function cpuMeter(serverPid) {
  const before = { machine: machineCpu(), server: processTreeCpuSeconds(serverPid), bench: process.cpuUsage() };
  return {
    stop(seconds) {
      const machine = machineCpu();
      const bench = process.cpuUsage(before.bench);
      return {
        machineBusyCores: (machine.busy - before.machine.busy) / seconds,
        serverCores: (processTreeCpuSeconds(serverPid) - before.server) / seconds,
        benchClientCores: (bench.user + bench.system) / 1e6 / seconds,
      };
    },
  };
}
