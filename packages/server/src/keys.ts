import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CryptoProvider, fromHex, keyPairFromSecretKey, toHex } from '@concord/protocol';

/** A key file as written by `concord keys new`: the DID, and the Ed25519 secret key in hex. */
export interface KeyFile {
  did: string;
  secretKeyHex: string;
}

export interface KeyPair {
  did: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function readKeyFile(path: string, crypto: CryptoProvider): KeyPair {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read key file ${path}: ${(error as Error).message}`);
  }
  const file = parsed as Partial<KeyFile>;
  if (typeof file.secretKeyHex !== 'string' || !/^[0-9a-f]{64}$/.test(file.secretKeyHex)) {
    throw new Error(`Key file ${path} has no valid secretKeyHex (64 hex characters).`);
  }
  const pair = keyPairFromSecretKey(crypto, fromHex(file.secretKeyHex));
  if (file.did !== undefined && file.did !== pair.did) {
    throw new Error(`Key file ${path}: did ${file.did} does not match its secret key (${pair.did}).`);
  }
  return pair;
}

/** Writes a new key file readable only by its owner; refuses to overwrite one. */
export function writeNewKeyFile(path: string, crypto: CryptoProvider): KeyPair {
  if (existsSync(path)) throw new Error(`Refusing to overwrite existing key file ${path}.`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const pair = keyPairFromSecretKey(crypto, crypto.randomBytes(32));
  const file: KeyFile = { did: pair.did, secretKeyHex: toHex(pair.secretKey) };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return pair;
}

export function loadOrCreateKeyFile(path: string, crypto: CryptoProvider): KeyPair {
  return existsSync(path) ? readKeyFile(path, crypto) : writeNewKeyFile(path, crypto);
}

/** 32 random bytes in hex, kept in a file: the key-encryption key for custodial keys. */
export function loadOrCreateSecretHex(path: string, crypto: CryptoProvider): string {
  if (existsSync(path)) {
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} must hold 64 lowercase hex characters.`);
    return hex;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const hex = toHex(crypto.randomBytes(32));
  writeFileSync(path, `${hex}\n`, { mode: 0o600, flag: 'wx' });
  return hex;
}
