import { join } from 'node:path';
import { type CryptoProvider, formatCosignatureVerifierKey, fromHex } from '@concord/protocol';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadOrCreateSecretHex } from '../keys.js';
import { buildWitnessApp } from './app.js';
import { WitnessState } from './state.js';

export interface WitnessRunOptions {
  crypto: CryptoProvider;
  /** Holds the witness key (key.hex) and its state (state.json). */
  dataDir: string;
  name: string;
  /** Logs to follow: origin and the log's signed-note verifier key. */
  follow: { origin: string; verifierKey: string }[];
  host: string;
  port: number;
  logger?: Logger | false;
}

export interface RunningWitness {
  app: FastifyInstance;
  url: string;
  name: string;
  /** The cosignature/v1 verifier key a log configures in CONCORD_WITNESSES. */
  verifierKey: string;
  close(): Promise<void>;
}

/** Starts a witness with its own key and durable state; what `concord witness` runs. */
export async function runWitness(options: WitnessRunOptions): Promise<RunningWitness> {
  const secretKey = fromHex(loadOrCreateSecretHex(join(options.dataDir, 'key.hex'), options.crypto));
  const state = new WitnessState(join(options.dataDir, 'state.json'));
  for (const log of options.follow) await state.follow(log.origin, log.verifierKey);
  const signer = { name: options.name, secretKey };
  const app = await buildWitnessApp({ crypto: options.crypto, signer, state, logger: options.logger ?? false });
  const url = await app.listen({ host: options.host, port: options.port });
  const verifierKey = formatCosignatureVerifierKey(options.crypto, {
    name: options.name,
    publicKey: options.crypto.ed25519.publicKey(secretKey),
  });
  return { app, url, name: options.name, verifierKey, close: () => app.close() };
}
