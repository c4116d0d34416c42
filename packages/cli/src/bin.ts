#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import {
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  loadConfig,
  migrate,
  openConfiguredDatabase,
  readKeyFile,
  resolveIdentities,
  runWitness,
  startServer,
  writeNewKeyFile,
} from '@concord/server';
import { Command } from 'commander';
import { cycleCloseCommand } from './cycle-command.js';
import { demoLoaded, loadDemo, startDemoWitnesses } from './demo.js';
import { DemoClock } from './demo-client.js';
import { simulateCommand } from './simulate/command.js';
import { UsageError } from './usage-error.js';
import { type VerifyCommandOptions, verifyCommand } from './verify/command.js';
import { NetworkError } from './verify/http.js';
import { isWorker, parseWorkers, superviseWorkers } from './workers.js';

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

function config(): Config {
  const loaded = loadConfig();
  return { ...loaded, webDir: loaded.webDir ?? (existsSync(DEFAULT_WEB_DIR) ? DEFAULT_WEB_DIR : undefined) };
}

const program = new Command()
  .name('concord')
  .description('Concord: trusted commerce on a public, verifiable log.')
  .addHelpText('after', `\nConfiguration comes from environment variables: ${CONFIG_VARIABLES.join(', ')}.`);

program
  .command('start')
  .description('apply migrations, then serve the API and the web app on one port')
  .option('--demo', 'load the demo (accounts, catalogue, orders, consensus rounds) on first start')
  .option('--workers <n>', 'server processes on one port (PostgreSQL only): 1–64, or auto for one per core', '1')
  .action(async (options: { demo?: boolean; workers: string }) => {
    let configured = config();
    const workers = parseWorkers(options.workers);
    if (workers > 1 && !isWorker()) {
      if (configured.databaseUrl === undefined)
        throw new UsageError(
          '--workers above 1 needs PostgreSQL (DATABASE_URL): the embedded database serves one process.',
        );
      if (options.demo) throw new UsageError('--demo runs in one process: start it without --workers.');
      await superviseWorkers(workers, (line) => console.log(line));
      return;
    }
    if (options.demo && configured.witnesses.length === 0) {
      const { endpoints } = await startDemoWitnesses(resolveIdentities(configured));
      configured = { ...configured, witnesses: endpoints, witnessQuorum: endpoints.length };
    }
    // The demo runs part of its story in the past: the server follows the demo's clock, which is
    // the real time again once the demo is loaded. The demo is a sandbox: unless configured
    // otherwise, its operator can move that clock forward (CONCORD_SANDBOX_CLOCK).
    const clock = options.demo ? new DemoClock() : undefined;
    if (options.demo && configured.sandboxClock === undefined) configured = { ...configured, sandboxClock: true };
    const server = await startServer(configured, {
      installSignalHandlers: true,
      ...(clock === undefined ? {} : { clock: clock.now, sandboxClock: clock }),
    });
    if (clock !== undefined && !demoLoaded(server.ctx.config.dataDir)) {
      server.logger.info('loading demo data (first start)');
      await loadDemo({ app: server.app, ctx: server.ctx, clock }, (line) => server.logger.info(line.trim()));
    }
    const database =
      server.ctx.database.kind === 'pglite' ? `embedded PGlite in ${server.ctx.config.dataDir}` : 'PostgreSQL';
    server.logger.info(`Concord is running at ${server.url} (web app /, API docs /docs, database: ${database})`);
  });

program
  .command('witness')
  .description('run an independent C2SP tlog-witness with its own key and state')
  .option('--port <port>', 'port to listen on', '3100')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--data-dir <dir>', 'where the witness keeps its key and state', './data/witness')
  .option('--name <name>', 'the witness key name (no spaces or +)', 'witness.localhost')
  .option(
    '--follow <origin=verifierKey...>',
    'a log to witness: its origin and its checkpoint verifier key (see GET /v1/log/info)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .action(async (options: { port: string; host: string; dataDir: string; name: string; follow: string[] }) => {
    const follow = options.follow.map((item) => {
      const at = item.indexOf('=');
      if (at <= 0) throw new UsageError(`--follow takes origin=verifierKey, got ${JSON.stringify(item)}`);
      const verifierKey = item.slice(at + 1);
      try {
        parseVerifierKey(nodeCrypto, verifierKey);
      } catch (error) {
        throw new UsageError(`--follow ${item.slice(0, at)}: not a log verifier key: ${(error as Error).message}`);
      }
      return { origin: item.slice(0, at), verifierKey };
    });
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const witness = await runWitness({
      crypto: nodeCrypto,
      dataDir: resolve(options.dataDir),
      name: options.name,
      follow,
      host: options.host,
      port,
    });
    console.log(`Witness ${witness.name} is running at ${witness.url}`);
    console.log(`Its cosignature verifier key (for CONCORD_WITNESSES): ${witness.verifierKey}`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void witness.close().then(() => process.exit(0)));
    }
  });

program
  .command('verify')
  .description('check a Concord log as an outsider: signatures, cosignatures, tiles, every envelope, history')
  .argument('<base-url>', 'the server, e.g. http://127.0.0.1:3000')
  .option(
    '--trust <file>',
    'JSON {"log": verifierKey, "witnesses": [keys], "quorum": n}; default: trust what the server announces',
  )
  .option('--state <dir>', 'where tiles and the last verified checkpoint are kept (resumable)')
  .option('--entry <index>', 'verify one entry and its inclusion proof only')
  .action(async (baseUrl: string, options: VerifyCommandOptions) => {
    process.exitCode = await verifyCommand(baseUrl, options);
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const database = await openConfiguredDatabase(config());
    try {
      const applied = await migrate(database);
      console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
    } finally {
      await database.close();
    }
  });

const keys = program.command('keys').description('Ed25519 keys named as did:key');
keys
  .command('new')
  .description('make a new key file (refuses to overwrite)')
  .requiredOption('-o, --out <file>', 'where to write the key file')
  .action((options: { out: string }) => {
    const pair = writeNewKeyFile(options.out, nodeCrypto);
    console.log(`${pair.did}\nwritten to ${options.out} (keep it secret: it signs in your name)`);
  });
keys
  .command('show')
  .description('print the DID of a key file')
  .argument('<file>')
  .action((file: string) => {
    console.log(readKeyFile(file, nodeCrypto).did);
  });

program
  .command('demo')
  .description(
    'load demo accounts (keys in DATA_DIR/demo-keys/), a catalogue, orders in every state and consensus rounds',
  )
  .action(async () => {
    let configured = config();
    // The demo log is cosigned: unless witnesses are configured, the two demo witnesses run here
    // while the demo loads, as they do under `start --demo` (same keys and state).
    const witnesses =
      configured.witnesses.length === 0 ? await startDemoWitnesses(resolveIdentities(configured)) : undefined;
    if (witnesses !== undefined)
      configured = { ...configured, witnesses: witnesses.endpoints, witnessQuorum: witnesses.endpoints.length };
    // A server of its own on a free local port: its jobs deliver the sandbox's payment webhooks,
    // as they do for `start --demo`. Quiet unless LOG_LEVEL asks otherwise. It follows the demo's
    // clock, which the demo moves to run its consensus story in the past.
    const clock = new DemoClock();
    try {
      const server = await startServer(
        {
          ...configured,
          host: '127.0.0.1',
          port: 0,
          logLevel: process.env.LOG_LEVEL ? configured.logLevel : 'warn',
        },
        { clock: clock.now },
      );
      try {
        await loadDemo({ app: server.app, ctx: server.ctx, clock }, console.log);
      } finally {
        await server.close();
      }
    } finally {
      await witnesses?.close();
    }
  });

const cycle = program.command('cycle').description('settlement cycles');
cycle
  .command('close [cycle]')
  .description('close a settlement cycle (default: the last that has ended); resumable and safe to repeat')
  .option('--batch <orders>', 'orders per transaction (1–10000, default 5000)')
  .action(async (cycleArgument: string | undefined, options: { batch?: string }) => {
    process.exitCode = await cycleCloseCommand(config(), cycleArgument, options);
  });

program.addCommand(simulateCommand());

program.parseAsync().catch((error: unknown) => {
  const usage = error instanceof ConfigError || error instanceof UsageError || error instanceof NetworkError;
  console.error(usage ? (error as Error).message : `concord: ${(error as Error).message}`);
  process.exit(usage ? 2 : 1);
});
