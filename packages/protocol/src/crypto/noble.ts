import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoProvider } from './types.js';

/** Pure-JS provider: runs in the browser and anywhere `globalThis.crypto.getRandomValues` exists. */
export const nobleCrypto: CryptoProvider = {
  name: 'noble',
  ed25519: {
    publicKey: (secretKey) => ed25519.getPublicKey(secretKey),
    sign: (message, secretKey) => ed25519.sign(message, secretKey),
    verify: (signature, message, publicKey) => {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        return ed25519.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  },
  sha256: (data) => sha256(data),
  randomBytes: (length) => globalThis.crypto.getRandomValues(new Uint8Array(length)),
};
