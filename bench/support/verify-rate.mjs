// Bare Ed25519 verify rate of node:crypto: on this thread, or summed over N worker threads.
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

function measure(seconds) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const key = publicKey;
  const message = Buffer.alloc(400, 7);
  const signature = sign(null, message, privateKey);
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let count = 0;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 100; i++) if (!verify(null, message, key, signature)) throw new Error('verify failed');
    count += 100;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

if (!isMainThread && workerData?.verifyRate) parentPort.postMessage(measure(workerData.seconds));

export const singleCoreVerifyRate = (seconds = 2) => measure(seconds);

export async function allCoresVerifyRate(threads, seconds = 2) {
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { verifyRate: true, seconds } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/**
 * Bare verify when every signature comes from a different key given as raw bytes (as in a log
 * of many actors): the key is imported each time, as any verifier of such a log must, by the
 * fastest route node:crypto has (JWK; DER import costs more than the verify itself).
 */
export function singleCoreVerifyWithImportRate(seconds = 2) {
  const keys = Array.from({ length: 256 }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    return { raw, privateKey };
  });
  const message = Buffer.alloc(400, 7);
  const signatures = keys.map((k) => sign(null, message, k.privateKey));
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let count = 0;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 100; i++, count++) {
      const k = count % 256;
      const key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: keys[k].raw.toString('base64url') },
        format: 'jwk',
      });
      if (!verify(null, message, key, signatures[k])) throw new Error('verify failed');
    }
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}
