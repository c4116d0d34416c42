import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEnvelope,
  type Envelope,
  keyPairFromSecretKey,
  signEnvelope,
  signInMessage,
  toBase64Url,
  toHex,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { FastifyInstance } from 'fastify';
import { createContext, createIntegrator } from '../bootstrap.js';
import { type Config, loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { buildApp } from '../http/app.js';
import type { KeyPair } from '../keys.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  testDatabase: TestDatabase;
  operator: KeyPair;
  custodian: KeyPair;
  /** The clock the server sees; tests move it. */
  clock: { now: Date };
  /** Adds everything sequenced so far to the tree and signs a checkpoint (no timer in tests). */
  integrate(): Promise<void>;
  close(): Promise<void>;
}

export const newKeyPair = (): KeyPair => keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));

export async function createTestApp(options: { config?: Partial<Config>; webDir?: string } = {}): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const operator = newKeyPair();
  const custodian = newKeyPair();
  const clock = { now: new Date() };
  // Each test app has its own data directory (blobs and the like), removed on close.
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-test-'));
  const config = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    dataDir,
    operatorDids: [operator.did],
    custodianDids: [custodian.did],
    keyEncryptionKeyHex: toHex(nodeCrypto.randomBytes(32)),
    logSigningKeyHex: toHex(nodeCrypto.randomBytes(32)),
    sandboxWebhookSecretHex: toHex(nodeCrypto.randomBytes(32)),
    webDir: options.webDir,
    ...options.config,
  };
  const ctx = createContext(config, testDatabase.database, { clock: () => clock.now, platformSigner: operator });
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  const integrator = createIntegrator(ctx);
  return {
    app,
    ctx,
    testDatabase,
    operator,
    custodian,
    clock,
    integrate: () => integrator.drain(),
    close: async () => {
      await integrator.stop();
      await app.close();
      await testDatabase.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let nonceCounter = 0;

export function sign(
  pair: KeyPair,
  type: string,
  body: Record<string, unknown>,
  options: { ts?: Date; nonce?: string } = {},
): Envelope {
  return signEnvelope(
    createEnvelope({
      type,
      actor: pair.did,
      body,
      ts: options.ts ?? new Date(),
      nonce: options.nonce ?? `${toBase64Url(nodeCrypto.randomBytes(12))}${(nonceCounter++).toString(36)}`,
    }),
    pair.secretKey,
    nodeCrypto,
  );
}

export async function postEvent(t: TestApp, envelope: unknown) {
  return t.app.inject({ method: 'POST', url: '/v1/events', payload: envelope as object });
}

export async function register(t: TestApp, pair: KeyPair, profile?: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/accounts',
    payload: {
      envelope: sign(pair, 'identity.account.registered', {}, { ts: t.clock.now }),
      ...(profile ? { profile } : {}),
    },
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function signIn(t: TestApp, pair: KeyPair): Promise<string> {
  const challenge = await t.app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: pair.did } });
  const { challenge: text } = challenge.json() as { challenge: string };
  const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(text), pair.secretKey));
  const session = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/sessions',
    payload: { did: pair.did, challenge: text, signature },
  });
  if (session.statusCode !== 201) throw new Error(`sign-in failed: ${session.statusCode} ${session.body}`);
  return (session.json() as { token: string }).token;
}
