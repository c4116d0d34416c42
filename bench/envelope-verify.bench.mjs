// Envelopes verified per second through @concord/protocol (shape check, canonicalise, did:key,
// Ed25519) against bare node:crypto verify of the same signing bytes with ready key objects.
import { createPublicKey, verify } from 'node:crypto';
import {
  checkEnvelopeShape,
  createEnvelope,
  keyPairFromSecretKey,
  nodeCrypto,
  signEnvelope,
  signingBytes,
  verifyEnvelope,
} from '../packages/protocol/dist/node.js';
import { compare, formatRate, report } from './lib.mjs';

const ACTORS = 64;
const ENVELOPES = 2048;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function run({ quick = false } = {}) {
  const actors = Array.from({ length: ACTORS }, () => keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32)));
  // A realistic body: a tester's revealed report with a few measured attributes.
  const envelopes = Array.from({ length: ENVELOPES }, (_, i) => {
    const actor = actors[i % ACTORS];
    return JSON.parse(
      JSON.stringify(
        signEnvelope(
          createEnvelope({
            type: 'trust.report.revealed',
            actor: actor.did,
            ts: new Date(),
            nonce: `bench-nonce-${i.toString().padStart(8, '0')}`,
            body: {
              round: `round-${i % 97}`,
              salt: 'k3Jd8s0aPq1ZxY7w',
              values: { moisture_pct: '12.4', protein_g: '3.10', grade: 'A', pesticide_free: true },
              evidence: ['sha256:5d41402abc4b2a76b9719d911017c592', 'sha256:7d793037a0760186574b0282f2f435e7'],
              note: '实测结果与标称一致',
            },
          }),
          actor.secretKey,
          nodeCrypto,
        ),
      ),
    );
  });
  // The bare contender gets everything precomputed: bytes, signatures and key objects.
  const bytes = envelopes.map((envelope) => signingBytes(envelope));
  const signatures = envelopes.map((envelope) => Buffer.from(envelope.sig, 'base64url'));
  const keys = actors.map((actor) =>
    createPublicKey({ key: Buffer.concat([SPKI_PREFIX, actor.publicKey]), format: 'der', type: 'spki' }),
  );

  const results = compare(
    {
      bare: (i) => {
        const n = i % ENVELOPES;
        if (!verify(null, bytes[n], keys[n % ACTORS], signatures[n])) throw new Error('bare verify failed');
      },
      protocol: (i) => {
        const envelope = checkEnvelopeShape(envelopes[i % ENVELOPES]);
        if (!verifyEnvelope(envelope, nodeCrypto).ok) throw new Error('envelope verify failed');
      },
    },
    { rounds: quick ? 3 : 7, count: quick ? 2000 : ENVELOPES * 4 },
  );
  const ratio = results.protocol.median / results.bare.median;
  console.log(`  bare crypto.verify      ${formatRate(results.bare.median)}`);
  console.log(`  protocol verifyEnvelope ${formatRate(results.protocol.median)}`);
  console.log(`  ratio                   ${(ratio * 100).toFixed(1)}% (goal ≥ 70%)`);
  return report('envelope-verify', {
    unit: 'envelopes/s',
    actors: ACTORS,
    envelopes: ENVELOPES,
    bare: results.bare,
    protocol: results.protocol,
    ratio,
    goal: 0.7,
  });
}
