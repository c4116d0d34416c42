import { join } from 'node:path';
import { formatCosignatureVerifierKey, formatVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { FastifyInstance } from 'fastify';
import { buildWitnessApp } from '../witness/app.js';
import { WitnessState } from '../witness/state.js';

export interface RunningWitness {
  name: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** cosignature/v1 verifier key, as the log's CONCORD_WITNESSES names it. */
  verifierKey: string;
  url: string;
  dir: string;
  port: number;
  app: FastifyInstance;
}

/**
 * A real witness on a local port, following one log (`origin`, signed by `logPublicKey`), its
 * state in `dir` (start it again on the same dir and port to restart it).
 */
export async function startWitness(
  log: { origin: string; publicKey: Uint8Array },
  name: string,
  dir: string,
  secretKey: Uint8Array,
  port = 0,
): Promise<RunningWitness> {
  const state = new WitnessState(join(dir, 'state.json'));
  await state.follow(log.origin, formatVerifierKey(nodeCrypto, { name: log.origin, publicKey: log.publicKey }));
  const app = await buildWitnessApp({ crypto: nodeCrypto, signer: { name, secretKey }, state });
  const url = await app.listen({ host: '127.0.0.1', port });
  const publicKey = nodeCrypto.ed25519.publicKey(secretKey);
  return {
    name,
    secretKey,
    publicKey,
    verifierKey: formatCosignatureVerifierKey(nodeCrypto, { name, publicKey }),
    url,
    dir,
    port: Number(new URL(url).port),
    app,
  };
}
