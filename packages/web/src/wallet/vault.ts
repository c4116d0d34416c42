import { fromBase64Url, keyPairFromSecretKey, nobleCrypto, toBase64Url, utf8Encode } from '@concord/protocol';

/**
 * The wallet's encrypted key record, as kept in IndexedDB (`concord-wallet` / `keys`, keyPath
 * `did`) and, with `type` and `version`, as the exported wallet file: the 32-byte Ed25519 secret
 * key encrypted with AES-256-GCM under a PBKDF2-SHA256 key of the passphrase, the DID (UTF-8) as
 * additional data so a record cannot be relabelled with another account.
 */
export interface WalletRecord {
  did: string;
  label: string;
  createdAt: string;
  kdf: 'PBKDF2-SHA256';
  iterations: number;
  salt: string;
  iv: string;
  ciphertext: string;
}

export interface WalletFile extends WalletRecord {
  type: 'concord-wallet';
  version: 1;
}

/** A key unlocked from its record: only ever in memory. */
export interface OpenedKey {
  did: string;
  secretKey: Uint8Array;
}

/** PBKDF2 rounds for new wallets (OWASP's figure for PBKDF2-HMAC-SHA256). Old records say their own. */
export const NEW_WALLET_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 8;
const MIN_ITERATIONS = 1_000;
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const SECRET_BYTES = 32;
const TAG_BYTES = 16;
const MAX_FILE_BYTES = 64 * 1024;

export type WalletErrorCode =
  | 'wrong_passphrase'
  | 'bad_file'
  | 'not_a_wallet_file'
  | 'unsupported_version'
  | 'corrupt_record'
  | 'phrase_empty'
  | 'phrase_word_count'
  | 'phrase_unknown_words'
  | 'phrase_checksum'
  | 'storage_unavailable';

/** What went wrong in the wallet, as a code the page turns into a sentence (with its details). */
export class WalletError extends Error {
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'WalletError';
  }
}

/** Copies into a fresh ArrayBuffer-backed array, which is what WebCrypto's typings accept. */
const bytes = (view: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(view);

const subtle = (): SubtleCrypto => {
  const value = globalThis.crypto?.subtle;
  if (value === undefined) {
    throw new WalletError('storage_unavailable', 'This browser has no WebCrypto (open the site over HTTPS).');
  }
  return value;
};

async function aesKey(passphrase: string, salt: Uint8Array, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', bytes(utf8Encode(passphrase)), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

/** 32 random bytes from the browser's CSPRNG: a new Ed25519 secret key and its did:key. */
export function newKey(): OpenedKey {
  const secretKey = nobleCrypto.randomBytes(SECRET_BYTES);
  return { did: keyPairFromSecretKey(nobleCrypto, secretKey).did, secretKey };
}

/** The did:key of a secret key. */
export const didOf = (secretKey: Uint8Array): string => keyPairFromSecretKey(nobleCrypto, secretKey).did;

/** Encrypts a secret key under a passphrase; the record is what the device keeps and the file holds. */
export async function sealKey(
  secretKey: Uint8Array,
  passphrase: string,
  options: { label: string; iterations?: number; createdAt?: Date },
): Promise<WalletRecord> {
  if (secretKey.length !== SECRET_BYTES) throw new WalletError('corrupt_record', 'An Ed25519 secret key is 32 bytes.');
  const did = didOf(secretKey);
  const iterations = options.iterations ?? NEW_WALLET_ITERATIONS;
  const salt = nobleCrypto.randomBytes(SALT_BYTES);
  const iv = nobleCrypto.randomBytes(IV_BYTES);
  const key = await aesKey(passphrase, salt, iterations, 'encrypt');
  const ciphertext = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(utf8Encode(did)) },
      key,
      bytes(secretKey),
    ),
  );
  return {
    did,
    label: options.label,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    kdf: 'PBKDF2-SHA256',
    iterations,
    salt: toBase64Url(salt),
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(ciphertext),
  };
}

/**
 * Decrypts a record with its passphrase. A wrong passphrase and a record whose DID was changed look
 * the same to AES-GCM (the tag does not match): both are 'wrong_passphrase'. The key must also be
 * the DID's own key, or the record is corrupt.
 */
export async function openRecord(record: WalletRecord, passphrase: string): Promise<OpenedKey> {
  const checked = checkRecord(record);
  const key = await aesKey(passphrase, fromBase64Url(checked.salt), checked.iterations, 'decrypt');
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      await subtle().decrypt(
        { name: 'AES-GCM', iv: bytes(fromBase64Url(checked.iv)), additionalData: bytes(utf8Encode(checked.did)) },
        key,
        bytes(fromBase64Url(checked.ciphertext)),
      ),
    );
  } catch {
    throw new WalletError('wrong_passphrase', 'The passphrase does not open this wallet.');
  }
  if (plain.length !== SECRET_BYTES || didOf(plain) !== checked.did) {
    throw new WalletError('corrupt_record', 'The wallet record does not hold the key of its account.');
  }
  return { did: checked.did, secretKey: plain };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function decodedLength(text: unknown): number {
  if (typeof text !== 'string') return -1;
  try {
    return fromBase64Url(text).length;
  } catch {
    return -1;
  }
}

/** Checks a record's shape (from IndexedDB or a file); throws 'corrupt_record' naming the bad field. */
export function checkRecord(value: unknown): WalletRecord {
  const bad = (field: string): never => {
    throw new WalletError('corrupt_record', `The wallet record's ${field} is missing or invalid.`, { field });
  };
  if (!isObject(value)) return bad('content');
  const { did, label, createdAt, kdf, iterations, salt, iv, ciphertext } = value;
  if (typeof did !== 'string' || !/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(did)) bad('did');
  if (kdf !== 'PBKDF2-SHA256') bad('kdf');
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < MIN_ITERATIONS ||
    iterations > MAX_ITERATIONS
  ) {
    bad('iterations');
  }
  if (decodedLength(salt) !== SALT_BYTES) bad('salt');
  if (decodedLength(iv) !== IV_BYTES) bad('iv');
  if (decodedLength(ciphertext) !== SECRET_BYTES + TAG_BYTES) bad('ciphertext');
  return {
    did: did as string,
    label: typeof label === 'string' ? label.slice(0, 80) : '',
    createdAt:
      typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) ? createdAt : new Date().toISOString(),
    kdf: 'PBKDF2-SHA256',
    iterations: iterations as number,
    salt: salt as string,
    iv: iv as string,
    ciphertext: ciphertext as string,
  };
}

/** The exported wallet file: the record plus its type and version, as pretty JSON. */
export function walletFileText(record: WalletRecord): string {
  const file: WalletFile = { type: 'concord-wallet', version: 1, ...checkRecord(record) };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The file's name: concord-wallet-<the DID's last 8 characters>.json. */
export const walletFileName = (did: string): string => `concord-wallet-${did.slice(-8)}.json`;

/** Reads a wallet file's text; throws a WalletError that says what is wrong with it. */
export function parseWalletFile(text: string): WalletRecord {
  if (text.length > MAX_FILE_BYTES) throw new WalletError('bad_file', 'The file is too large to be a wallet file.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WalletError('bad_file', 'The file is not JSON: not a Concord wallet file.');
  }
  if (!isObject(value) || value.type !== 'concord-wallet') {
    throw new WalletError('not_a_wallet_file', 'The file is not a Concord wallet file.');
  }
  if (value.version !== 1) {
    throw new WalletError('unsupported_version', `Wallet file version ${String(value.version)} is not supported.`, {
      version: String(value.version),
    });
  }
  return checkRecord(value);
}
