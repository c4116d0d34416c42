import { join, resolve } from 'node:path';
import { nodeCrypto } from '@concord/protocol/node';
import { createRegistry } from '@concord/server';
import cliProgress from 'cli-progress';
import { UsageError } from '../usage-error.js';
import { getJson } from './http.js';
import { defaultReplayChecks } from './replay-checks.js';
import { readTrustFile, type Trust, trustVerifiers } from './trust.js';
import { verifyEntry } from './verify-entry.js';
import { type Divergence, verifyLog } from './verify-log.js';

export interface VerifyCommandOptions {
  trust?: string;
  state?: string;
  entry?: string;
}

/** `concord verify`: prints a summary and every divergence; the exit code says which happened. */
export async function verifyCommand(baseUrlArgument: string, options: VerifyCommandOptions): Promise<number> {
  let baseUrl: string;
  try {
    baseUrl = new URL(baseUrlArgument).toString().replace(/\/+$/, '');
  } catch {
    throw new UsageError(`${baseUrlArgument} is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  let trust: Trust;
  if (options.trust !== undefined) {
    trust = readTrustFile(options.trust);
  } else {
    const info = await getJson<{ verifierKey: string; witnesses: { verifierKey: string }[]; quorum: number }>(
      `${baseUrl}/v1/log/info`,
    );
    trust = { log: info.verifierKey, witnesses: info.witnesses.map((w) => w.verifierKey), quorum: info.quorum };
    console.error('warning: trusting the keys the server announces (/v1/log/info); pin them with --trust FILE');
  }
  const verifiers = trustVerifiers(nodeCrypto, trust);

  if (options.entry !== undefined) {
    const index = Number(options.entry);
    if (!Number.isSafeInteger(index) || index < 0) throw new UsageError('--entry takes a log index (0, 1, 2, …)');
    const report = await verifyEntry(baseUrl, nodeCrypto, verifiers, index);
    console.log(`entry ${index}: ${report.type} by ${report.actor}`);
    if (report.treeSize !== undefined) console.log(`included in the signed checkpoint of size ${report.treeSize}`);
    return printDivergences(report.divergences);
  }

  const registry = createRegistry();
  const bar = new cliProgress.SingleBar(
    {
      format: 'verifying {bar} {value}/{total} entries | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const { checks, settlement } = defaultReplayChecks();
  const report = await verifyLog({
    baseUrl,
    crypto: nodeCrypto,
    trust: verifiers,
    stateDir: resolve(options.state ?? join('.concord-verify', verifiers.origin.replace(/[^A-Za-z0-9.-]+/g, '_'))),
    bodyCheck: (type, body) => {
      const definition = registry.get(type);
      if (definition === undefined) return `unknown event type ${type}`;
      const parsed = definition.body.safeParse(body);
      return parsed.success
        ? undefined
        : `body does not match the schema of ${type}: ${parsed.error.issues[0]?.message}`;
    },
    replayChecks: checks,
    progress: { start: (total) => bar.start(total, 0), update: (done) => bar.update(done), stop: () => bar.stop() },
  });
  console.log(`log ${report.origin}: ${report.size} entries, root ${report.rootHash}`);
  console.log(`checkpoint: signed by the log, ${report.cosignatures} trusted cosignatures (quorum ${trust.quorum})`);
  if (report.consistentWithPrevious)
    console.log(`consistent with the checkpoint of size ${report.previousSize} seen last time`);
  console.log(`${report.entriesVerified} envelopes re-verified (signature, schema, replay checks)`);
  const cycles = await settlement.check(baseUrl, nodeCrypto);
  if (settlement.count > 0)
    console.log(`${settlement.count} settlement cycle(s) recomputed from their inputs and the log`);
  return printDivergences([...report.divergences, ...cycles]);
}

function printDivergences(divergences: Divergence[]): number {
  if (divergences.length === 0) {
    console.log('OK: everything holds.');
    return 0;
  }
  console.log(`DIVERGENCE: ${divergences.length} problem(s)`);
  for (const d of divergences) console.log(d.index === undefined ? `  ${d.reason}` : `  entry ${d.index}: ${d.reason}`);
  return 1;
}
