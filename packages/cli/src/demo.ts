import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEnvelope,
  formatVerifierKey,
  fromHex,
  signEnvelope,
  signInMessage,
  toBase64Url,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import {
  type KeyPair,
  keyPaths,
  loadOrCreateKeyFile,
  type ResolvedConfig,
  readKeyFile,
  runWitness,
  type WitnessEndpoint,
} from '@concord/server';
import type { FastifyInstance } from 'fastify';

/** Roles an account applies for and the operator approves in the demo. */
const APPLIED_ROLES = ['producer', 'expert', 'tester', 'promoter'] as const;
/** Accounts that exist now and get their role from later features (see the note printed). */
const LATER_ROLES = ['consumer', 'nominator', 'witness', 'juror'] as const;

export interface DemoAccount {
  role: string;
  did: string;
  keyFile: string;
}

export const demoKeysDir = (dataDir: string) => join(dataDir, 'demo-keys');

/**
 * Loads the demo through the real API (the same signed envelopes a client would send), so the
 * demo is also a smoke test of the pipeline. Running it twice changes nothing.
 */
export async function loadDemo(
  app: FastifyInstance,
  dataDir: string,
  say: (line: string) => void,
): Promise<DemoAccount[]> {
  const paths = keyPaths(dataDir);
  const operator = readKeyFile(paths.operator, nodeCrypto);
  const custodian = readKeyFile(paths.custodian, nodeCrypto);
  const accounts: DemoAccount[] = [
    { role: 'operator', did: operator.did, keyFile: paths.operator },
    { role: 'custodian', did: custodian.did, keyFile: paths.custodian },
  ];
  await ensureRegistered(app, operator);
  await ensureRegistered(app, custodian);

  for (const role of [...APPLIED_ROLES, ...LATER_ROLES]) {
    const keyFile = join(demoKeysDir(dataDir), `${role}.json`);
    const pair = loadOrCreateKeyFile(keyFile, nodeCrypto);
    await ensureRegistered(app, pair);
    if ((APPLIED_ROLES as readonly string[]).includes(role)) {
      const roles = await rolesOf(app, pair.did);
      if (!roles.includes(role)) {
        await submit(app, pair, 'identity.role.applied', { role }, [201, 409]);
        await submit(app, operator, 'identity.role.approved', { account: pair.did, role }, [201]);
      }
    }
    accounts.push({ role, did: pair.did, keyFile });
  }
  for (const account of accounts) say(`  ${account.role.padEnd(10)} ${account.did}  ${account.keyFile}`);
  return accounts;
}

export function demoLoaded(dataDir: string): boolean {
  return existsSync(join(demoKeysDir(dataDir), 'juror.json'));
}

async function ensureRegistered(app: FastifyInstance, pair: KeyPair): Promise<void> {
  const found = await app.inject({ method: 'GET', url: `/v1/accounts/${pair.did}` });
  if (found.statusCode === 200) return;
  await submit(app, pair, 'identity.account.registered', {}, [201]);
}

async function rolesOf(app: FastifyInstance, did: string): Promise<string[]> {
  return ((await app.inject({ method: 'GET', url: `/v1/accounts/${did}` })).json() as { roles: string[] }).roles;
}

async function submit(
  app: FastifyInstance,
  pair: KeyPair,
  type: string,
  body: Record<string, unknown>,
  expected: number[],
) {
  const envelope = signEnvelope(
    createEnvelope({ type, actor: pair.did, body, ts: new Date(), nonce: toBase64Url(nodeCrypto.randomBytes(16)) }),
    pair.secretKey,
    nodeCrypto,
  );
  const response = await app.inject({ method: 'POST', url: '/v1/events', payload: envelope });
  if (!expected.includes(response.statusCode)) {
    throw new Error(`demo: ${type} by ${pair.did} answered ${response.statusCode}: ${response.body}`);
  }
}

/** Signs in as a demo account, for scripts that want a session token. */
export async function demoSession(app: FastifyInstance, pair: KeyPair): Promise<string> {
  const { challenge } = (
    await app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: pair.did } })
  ).json();
  const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
  return (
    await app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { did: pair.did, challenge, signature } })
  ).json().token;
}

/**
 * Two witnesses in this process, with keys and state under DATA_DIR/demo-witnesses/, following
 * this log: so the demo log is cosigned and /log/checkpoint shows a quorum of 2.
 */
export async function startDemoWitnesses(config: ResolvedConfig): Promise<WitnessEndpoint[]> {
  const secretKey = fromHex(config.logSigningKeyHex);
  const logKey = formatVerifierKey(nodeCrypto, {
    name: config.logOrigin,
    publicKey: nodeCrypto.ed25519.publicKey(secretKey),
  });
  const endpoints: WitnessEndpoint[] = [];
  for (const name of ['witness-1.demo', 'witness-2.demo']) {
    const witness = await runWitness({
      crypto: nodeCrypto,
      dataDir: join(config.dataDir, 'demo-witnesses', name),
      name,
      follow: [{ origin: config.logOrigin, verifierKey: logKey }],
      host: '127.0.0.1',
      port: 0,
    });
    endpoints.push({ url: witness.url, verifierKey: witness.verifierKey });
  }
  return endpoints;
}
