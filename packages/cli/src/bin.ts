#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeCrypto } from '@concord/protocol/node';
import {
  buildApp,
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  createContext,
  loadConfig,
  migrate,
  openConfiguredDatabase,
  readKeyFile,
  resolveIdentities,
  startServer,
  writeNewKeyFile,
} from '@concord/server';
import { Command } from 'commander';
import { demoLoaded, loadDemo } from './demo.js';

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
  .option('--demo', 'load the demo accounts on first start')
  .action(async (options: { demo?: boolean }) => {
    const server = await startServer(config(), { installSignalHandlers: true });
    if (options.demo && !demoLoaded(server.ctx.config.dataDir)) {
      server.logger.info('loading demo data (first start)');
      await loadDemo(server.app, server.ctx.config.dataDir, (line) => server.logger.info(line.trim()));
    }
    const database =
      server.ctx.database.kind === 'pglite' ? `embedded PGlite in ${server.ctx.config.dataDir}` : 'PostgreSQL';
    server.logger.info(`Concord is running at ${server.url} (web app /, API docs /docs, database: ${database})`);
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
  .description('create the operator and one account per role, keys in DATA_DIR/demo-keys/')
  .action(async () => {
    const resolved = resolveIdentities(config());
    const database = await openConfiguredDatabase(resolved);
    try {
      await migrate(database);
      const app = await buildApp(createContext(resolved, database), { logger: false });
      console.log('Demo accounts (role, DID, key file):');
      await loadDemo(app, resolved.dataDir, console.log);
      console.log(
        'Nominators, witnesses and jurors are plain accounts until staking, the witness network and juries arrive.',
      );
      await app.close();
    } finally {
      await database.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`concord: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
