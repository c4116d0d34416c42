/**
 * Key IDs and key strings of c2sp.org/signed-note, as Go's golang.org/x/mod/sumdb/note writes them:
 *
 *   key ID        = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian uint32
 *   verifier key  = <name>+<8 lowercase hex key ID>+base64(signature type ‖ public key)
 *   signer key    = PRIVATE+KEY+<name>+<8 lowercase hex key ID>+base64(signature type ‖ 32-byte seed)
 *
 * Only the two Ed25519 signature types are supported: 0x01 (plain note signatures) and 0x04
 * (timestamped cosignatures, c2sp.org/tlog-cosignature). Both use a 32-byte public key.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { concatBytes, fromBase64, toBase64, utf8Encode } from '../encoding/bytes.js';
import { NoteError } from './note-error.js';
import { isValidKeyName } from './note-text.js';

/** Signature type 0x01: Ed25519 over the note text (c2sp.org/signed-note). */
export const ED25519_SIGNATURE_TYPE = 0x01;
/** Signature type 0x04: timestamped Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature). */
export const COSIGNATURE_V1_SIGNATURE_TYPE = 0x04;

const ED25519_KEY_SIZE = 32;
const SUPPORTED_TYPES: ReadonlySet<number> = new Set([ED25519_SIGNATURE_TYPE, COSIGNATURE_V1_SIGNATURE_TYPE]);
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const HEX_KEY_ID = /^[0-9a-f]{8}$/;

/** A public key with the name it signs under; the pair a verifier is configured with. */
export interface NamedPublicKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** A parsed verifier key string. */
export interface VerifierKey extends NamedPublicKey {
  readonly keyId: number;
  readonly signatureType: number;
}

/** Who signs: a key name and a 32-byte Ed25519 secret key (the RFC 8032 seed). */
export interface NoteSigner {
  readonly name: string;
  readonly secretKey: Uint8Array;
}

/** A parsed signer key string. */
export interface SignerKey extends NoteSigner {
  readonly keyId: number;
  readonly signatureType: number;
  readonly publicKey: Uint8Array;
}

function checkSignatureType(signatureType: number): void {
  if (!SUPPORTED_TYPES.has(signatureType)) {
    throw new NoteError('invalid_key', `unsupported signature type ${signatureType}; only 0x01 and 0x04 are known`);
  }
}

/** key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], as a big-endian uint32. */
export function computeKeyId(
  crypto: CryptoProvider,
  name: string,
  signatureType: number,
  publicKey: Uint8Array,
): number {
  if (!Number.isInteger(signatureType) || signatureType < 0 || signatureType > 255) {
    throw new NoteError('invalid_key', 'signature type must be one byte');
  }
  const digest = crypto.sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, signatureType), publicKey));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/** A key ID as verifier and signer keys spell it: 8 lowercase hex digits. */
export const formatKeyId = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/** The 4 big-endian bytes a signature line starts with. */
export function keyIdBytes(keyId: number): Uint8Array {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff) throw new RangeError('key ID must be a uint32');
  return Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 255, (keyId >>> 8) & 255, keyId & 255);
}

/** Reads the big-endian uint32 at the start of `bytes` (at least 4 bytes long). */
export const readKeyId = (bytes: Uint8Array): number =>
  ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;

function checkNamedKey(name: string, key: Uint8Array, what: string): void {
  if (!isValidKeyName(name)) {
    throw new NoteError(
      'invalid_key',
      `invalid key name ${JSON.stringify(name)}: must be non-empty, no spaces, no "+"`,
    );
  }
  if (!(key instanceof Uint8Array) || key.length !== ED25519_KEY_SIZE) {
    throw new NoteError('invalid_key', `${what} must be ${ED25519_KEY_SIZE} bytes`);
  }
}

/** `<name>+<hex key ID>+base64(signature type ‖ public key)`. */
export function formatVerifierKey(
  crypto: CryptoProvider,
  key: NamedPublicKey,
  signatureType: number = ED25519_SIGNATURE_TYPE,
): string {
  checkSignatureType(signatureType);
  checkNamedKey(key.name, key.publicKey, 'an Ed25519 public key');
  const keyId = computeKeyId(crypto, key.name, signatureType, key.publicKey);
  return `${key.name}+${formatKeyId(keyId)}+${toBase64(concatBytes(Uint8Array.of(signatureType), key.publicKey))}`;
}

/** Splits `name+hex+base64` at its first two plus signs (names never hold one; base64 may). */
function splitKeyString(text: string): [name: string, hex: string, key64: string] | undefined {
  const first = text.indexOf('+');
  if (first < 0) return undefined;
  const second = text.indexOf('+', first + 1);
  if (second < 0) return undefined;
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

function decodeKeyMaterial(
  kind: string,
  key64: string,
  signatureType: number,
): { readonly type: number; readonly key: Uint8Array } {
  let material: Uint8Array;
  try {
    material = fromBase64(key64);
  } catch {
    throw new NoteError('invalid_key', `malformed ${kind}: key is not standard padded base64`);
  }
  const type = material[0];
  if (type === undefined) throw new NoteError('invalid_key', `malformed ${kind}: empty key`);
  if (type !== signatureType) {
    throw new NoteError(
      'invalid_key',
      `${kind} has signature type 0x${type.toString(16).padStart(2, '0')}, expected 0x${signatureType.toString(16).padStart(2, '0')}`,
    );
  }
  const key = material.slice(1);
  if (key.length !== ED25519_KEY_SIZE) {
    throw new NoteError(
      'invalid_key',
      `malformed ${kind}: Ed25519 keys are ${ED25519_KEY_SIZE} bytes, got ${key.length}`,
    );
  }
  return { type, key };
}

/**
 * Parses a verifier key string strictly: valid key name, exactly 8 lowercase hex digits, strict
 * padded base64 of the expected signature type byte and a 32-byte key, and a key ID that matches
 * the one computed from the name and key.
 */
export function parseVerifierKey(
  crypto: CryptoProvider,
  vkey: string,
  signatureType: number = ED25519_SIGNATURE_TYPE,
): VerifierKey {
  checkSignatureType(signatureType);
  const parts = typeof vkey === 'string' ? splitKeyString(vkey) : undefined;
  if (parts === undefined) throw new NoteError('invalid_key', 'malformed verifier key: expected name+keyid+key');
  const [name, hex, key64] = parts;
  if (!isValidKeyName(name)) throw new NoteError('invalid_key', 'malformed verifier key: invalid key name');
  if (!HEX_KEY_ID.test(hex))
    throw new NoteError('invalid_key', 'malformed verifier key: key ID is not 8 lowercase hex digits');
  const { key } = decodeKeyMaterial('verifier key', key64, signatureType);
  const keyId = computeKeyId(crypto, name, signatureType, key);
  if (formatKeyId(keyId) !== hex) {
    throw new NoteError(
      'invalid_key',
      `verifier key ID ${hex} does not match its name and key (expected ${formatKeyId(keyId)})`,
    );
  }
  return { name, keyId, signatureType, publicKey: key };
}

/** `PRIVATE+KEY+<name>+<hex key ID>+base64(signature type ‖ seed)`: keep it secret. */
export function formatSignerKey(
  crypto: CryptoProvider,
  signer: NoteSigner,
  signatureType: number = ED25519_SIGNATURE_TYPE,
): string {
  checkSignatureType(signatureType);
  checkNamedKey(signer.name, signer.secretKey, 'an Ed25519 secret key (seed)');
  const publicKey = crypto.ed25519.publicKey(signer.secretKey);
  const keyId = computeKeyId(crypto, signer.name, signatureType, publicKey);
  const material = toBase64(concatBytes(Uint8Array.of(signatureType), signer.secretKey));
  return `${SIGNER_KEY_PREFIX}${signer.name}+${formatKeyId(keyId)}+${material}`;
}

/**
 * Parses a signer key string strictly; the key ID must match the public key derived from the
 * seed. Error messages never repeat the key material.
 */
export function parseSignerKey(
  crypto: CryptoProvider,
  skey: string,
  signatureType: number = ED25519_SIGNATURE_TYPE,
): SignerKey {
  checkSignatureType(signatureType);
  if (typeof skey !== 'string' || !skey.startsWith(SIGNER_KEY_PREFIX)) {
    throw new NoteError('invalid_key', 'malformed signer key: expected PRIVATE+KEY+name+keyid+key');
  }
  const parts = splitKeyString(skey.slice(SIGNER_KEY_PREFIX.length));
  if (parts === undefined)
    throw new NoteError('invalid_key', 'malformed signer key: expected PRIVATE+KEY+name+keyid+key');
  const [name, hex, key64] = parts;
  if (!isValidKeyName(name)) throw new NoteError('invalid_key', 'malformed signer key: invalid key name');
  if (!HEX_KEY_ID.test(hex))
    throw new NoteError('invalid_key', 'malformed signer key: key ID is not 8 lowercase hex digits');
  const { key: secretKey } = decodeKeyMaterial('signer key', key64, signatureType);
  const publicKey = crypto.ed25519.publicKey(secretKey);
  const keyId = computeKeyId(crypto, name, signatureType, publicKey);
  if (formatKeyId(keyId) !== hex) {
    throw new NoteError('invalid_key', `signer key ID ${hex} does not match its name and key`);
  }
  return { name, keyId, signatureType, secretKey, publicKey };
}

/** A fresh key pair as strings, like Go's note.GenerateKey (random seed from `crypto.randomBytes`). */
export function generateNoteKeys(
  crypto: CryptoProvider,
  name: string,
  signatureType: number = ED25519_SIGNATURE_TYPE,
): { readonly signerKey: string; readonly verifierKey: string } {
  const secretKey = crypto.randomBytes(ED25519_KEY_SIZE);
  const publicKey = crypto.ed25519.publicKey(secretKey);
  return {
    signerKey: formatSignerKey(crypto, { name, secretKey }, signatureType),
    verifierKey: formatVerifierKey(crypto, { name, publicKey }, signatureType),
  };
}
