import type { CryptoProvider } from '../crypto/types.js';
import { fromBase58, toBase58 } from './base58.js';

// Multicodec ed25519-pub (0xed) as an unsigned varint: 0xed 0x01. did:key = 'did:key:z' + base58btc(prefix ‖ key).
const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);
const DID_KEY_PREFIX = 'did:key:z';
/** Every Ed25519 did:key has this length and starts 'did:key:z6Mk'. */
export const DID_KEY_LENGTH = 56;

export class DidKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DidKeyError';
  }
}

export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new DidKeyError('An Ed25519 public key is 32 bytes');
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_PUB_PREFIX);
  bytes.set(publicKey, 2);
  return DID_KEY_PREFIX + toBase58(bytes);
}

/** The 32-byte Ed25519 public key named by a did:key; throws DidKeyError saying what is wrong. */
export function publicKeyFromDidKey(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX)) {
    throw new DidKeyError('not a did:key with a base58btc (z) multibase key');
  }
  if (did.length > 128) throw new DidKeyError('too long for an Ed25519 did:key');
  let bytes: Uint8Array;
  try {
    bytes = fromBase58(did.slice(DID_KEY_PREFIX.length));
  } catch (error) {
    throw new DidKeyError((error as Error).message);
  }
  if (bytes[0] !== 0xed || bytes[1] !== 0x01) throw new DidKeyError('not an Ed25519 key (multicodec 0xed01)');
  if (bytes.length !== 34) throw new DidKeyError(`an Ed25519 key is 32 bytes, this one is ${bytes.length - 2}`);
  return bytes.slice(2);
}

export function isDidKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    publicKeyFromDidKey(value);
    return true;
  } catch {
    return false;
  }
}

export interface KeyPair {
  did: string;
  /** The 32-byte RFC 8032 seed. */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function keyPairFromSecretKey(crypto: CryptoProvider, secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32) throw new DidKeyError('An Ed25519 secret key is 32 bytes');
  const publicKey = crypto.ed25519.publicKey(secretKey);
  return { did: didKeyFromPublicKey(publicKey), secretKey: Uint8Array.from(secretKey), publicKey };
}

export const generateKeyPair = (crypto: CryptoProvider): KeyPair =>
  keyPairFromSecretKey(crypto, crypto.randomBytes(32));
