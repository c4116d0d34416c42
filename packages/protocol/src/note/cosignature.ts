/**
 * c2sp.org/tlog-cosignature, Ed25519 cosignature/v1 (signature type 0x04).
 *
 *   key ID          = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]
 *   signed message  = "cosignature/v1\n" ‖ "time <timestamp>\n" ‖ checkpoint note text
 *                     (the whole text with its final newline, extension lines included;
 *                     no blank line, no signature lines)
 *   signature field = key ID (4) ‖ timestamp (uint64 big-endian, POSIX seconds) ‖ Ed25519 (64)
 *
 * Timestamps are safe integers (seconds; 2^53 − 1 is far beyond any real clock).
 */
import type { CryptoProvider } from '../crypto/types.js';
import { concatBytes, fromBase64, utf8Encode } from '../encoding/bytes.js';
import { parseCheckpoint } from './checkpoint.js';
import { NoteError } from './note-error.js';
import {
  COSIGNATURE_V1_SIGNATURE_TYPE,
  computeKeyId,
  formatVerifierKey,
  type NamedPublicKey,
  type NoteSigner,
  parseVerifierKey,
  type VerifierKey,
} from './note-keys.js';
import { isSafeCount, isValidKeyName } from './note-text.js';
import {
  checkSigner,
  ed25519NoteVerifier,
  formatSignatureLine,
  type NoteSignatureLine,
  type NoteVerifier,
  parseNote,
  parseSignatureLine,
  SIGNATURE_LINE_PREFIX,
} from './signed-note.js';

/** The header line that gives cosignature/v1 messages their domain separation. */
export const COSIGNATURE_V1_HEADER = 'cosignature/v1\n';
/** Bytes after the key ID in a cosignature/v1 signature: timestamp (8) and Ed25519 signature (64). */
export const COSIGNATURE_V1_SIZE = 72;

export type CosignatureFailureCode =
  | 'malformed_line'
  | 'other_key'
  | 'bad_key'
  | 'bad_timestamp'
  | 'bad_checkpoint'
  | 'bad_signature';

export type CosignatureVerification =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly code: CosignatureFailureCode; readonly message: string };

/** SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
export const cosignatureKeyId = (crypto: CryptoProvider, name: string, publicKey: Uint8Array): number =>
  computeKeyId(crypto, name, COSIGNATURE_V1_SIGNATURE_TYPE, publicKey);

/** `<name>+<hex key ID>+base64(0x04 ‖ public key)`. */
export const formatCosignatureVerifierKey = (crypto: CryptoProvider, key: NamedPublicKey): string =>
  formatVerifierKey(crypto, key, COSIGNATURE_V1_SIGNATURE_TYPE);

/** Strict parse of a type 0x04 verifier key; a type 0x01 (plain Ed25519) key is refused. */
export const parseCosignatureVerifierKey = (crypto: CryptoProvider, vkey: string): VerifierKey =>
  parseVerifierKey(crypto, vkey, COSIGNATURE_V1_SIGNATURE_TYPE);

function encodeTimestamp(timestamp: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(timestamp));
  return bytes;
}

function checkTimestamp(timestamp: number): void {
  if (!isSafeCount(timestamp))
    throw new RangeError('cosignature timestamp must be a safe non-negative integer (seconds)');
}

/**
 * The bytes a cosignature/v1 signs. `checkpointText` must be a valid checkpoint note text
 * (throws `CheckpointError` otherwise): cosigners only ever sign checkpoints.
 */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  parseCheckpoint(checkpointText);
  return utf8Encode(`${COSIGNATURE_V1_HEADER}time ${timestamp}\n${checkpointText}`);
}

/**
 * Cosigns a checkpoint text at `timestampSeconds`; returns the signature line without its final
 * newline (append `\n` when adding it to a note or a witness response).
 */
export function cosignCheckpoint(
  crypto: CryptoProvider,
  signer: NoteSigner,
  checkpointText: string,
  timestampSeconds: number,
): string {
  checkSigner(signer);
  const message = cosignatureMessage(checkpointText, timestampSeconds);
  const publicKey = crypto.ed25519.publicKey(signer.secretKey);
  const signature = crypto.ed25519.sign(message, signer.secretKey);
  return formatSignatureLine(
    signer.name,
    cosignatureKeyId(crypto, signer.name, publicKey),
    concatBytes(encodeTimestamp(timestampSeconds), signature),
  );
}

/** Timestamp of a 72-byte timestamped signature, or undefined above 2^53 − 1 (or 2^63 − 1, the spec's cap). */
function readTimestamp(timestamped: Uint8Array): number | undefined {
  const view = new DataView(timestamped.buffer, timestamped.byteOffset, 8);
  const value = view.getBigUint64(0);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** Signature bytes after the key ID checked against a cosigner's public key; never throws. */
function checkTimestampedSignature(
  crypto: CryptoProvider,
  publicKey: Uint8Array,
  checkpointText: string,
  timestamped: Uint8Array,
): CosignatureVerification {
  if (timestamped.length !== COSIGNATURE_V1_SIZE) {
    return { ok: false, code: 'malformed_line', message: `cosignature is ${timestamped.length} bytes, expected 72` };
  }
  const timestamp = readTimestamp(timestamped);
  if (timestamp === undefined) return { ok: false, code: 'bad_timestamp', message: 'timestamp is above 2^53 - 1' };
  let message: Uint8Array;
  try {
    message = cosignatureMessage(checkpointText, timestamp);
  } catch (error) {
    return { ok: false, code: 'bad_checkpoint', message: (error as Error).message };
  }
  if (!crypto.ed25519.verify(timestamped.slice(8), message, publicKey)) {
    return { ok: false, code: 'bad_signature', message: 'cosignature does not verify' };
  }
  return { ok: true, timestamp };
}

/**
 * Checks one cosignature line (with or without its newline) by `cosigner` over a checkpoint
 * text. Never throws: anything wrong is `{ ok: false, code, message }`.
 */
export function verifyCosignature(
  crypto: CryptoProvider,
  cosigner: NamedPublicKey,
  checkpointText: string,
  line: string,
): CosignatureVerification {
  try {
    if (
      !isValidKeyName(cosigner.name) ||
      !(cosigner.publicKey instanceof Uint8Array) ||
      cosigner.publicKey.length !== 32
    ) {
      return { ok: false, code: 'bad_key', message: 'cosigner needs a valid key name and a 32-byte public key' };
    }
    let parsed: NoteSignatureLine;
    try {
      parsed = parseSignatureLine(line);
    } catch (error) {
      return { ok: false, code: 'malformed_line', message: (error as Error).message };
    }
    if (parsed.name !== cosigner.name) {
      return { ok: false, code: 'other_key', message: `line is signed by ${parsed.name}, not ${cosigner.name}` };
    }
    if (parsed.keyId !== cosignatureKeyId(crypto, cosigner.name, cosigner.publicKey)) {
      return {
        ok: false,
        code: 'other_key',
        message: `key ID does not match the cosignature/v1 key of ${cosigner.name}`,
      };
    }
    return checkTimestampedSignature(crypto, cosigner.publicKey, checkpointText, parsed.signature);
  } catch (error) {
    return { ok: false, code: 'malformed_line', message: String((error as Error)?.message ?? error) };
  }
}

/**
 * A `NoteVerifier` for a cosigner, so `openNote` can check cosignatures (for example a witness
 * response appended to the checkpoint, as c2sp.org/tlog-witness suggests).
 */
export function cosignatureNoteVerifier(crypto: CryptoProvider, cosigner: NamedPublicKey): NoteVerifier {
  if (!isValidKeyName(cosigner.name))
    throw new NoteError('invalid_key', `invalid key name ${JSON.stringify(cosigner.name)}`);
  if (!(cosigner.publicKey instanceof Uint8Array) || cosigner.publicKey.length !== 32) {
    throw new NoteError('invalid_key', 'an Ed25519 public key must be 32 bytes');
  }
  const publicKey = cosigner.publicKey.slice();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return {
    name: cosigner.name,
    keyId: cosignatureKeyId(crypto, cosigner.name, publicKey),
    verify: (provider, text, signature) => {
      let checkpointText: string;
      try {
        checkpointText = decoder.decode(text);
      } catch {
        return false;
      }
      return checkTimestampedSignature(provider, publicKey, checkpointText, signature).ok;
    },
  };
}

/**
 * A `NoteVerifier` from a verifier key string of either Ed25519 type: 0x01 (plain note
 * signature, e.g. a log key) or 0x04 (cosignature/v1, a witness key).
 */
export function noteVerifierFromKey(crypto: CryptoProvider, vkey: string): NoteVerifier {
  const key64 = typeof vkey === 'string' ? vkey.split('+').slice(2).join('+') : '';
  let type: number | undefined;
  try {
    type = fromBase64(key64)[0];
  } catch {
    type = undefined;
  }
  if (type === COSIGNATURE_V1_SIGNATURE_TYPE)
    return cosignatureNoteVerifier(crypto, parseCosignatureVerifierKey(crypto, vkey));
  return ed25519NoteVerifier(crypto, parseVerifierKey(crypto, vkey));
}

/** A served checkpoint split into its text, the signature lines of its log and those of the cosigners. */
export interface SplitCheckpointNote {
  readonly text: string;
  /** Every signature line not from one of the given cosigners (the log's, and any unknown), without newline. */
  readonly logSignatures: readonly string[];
  /** Signature lines whose key name and cosignature/v1 key ID match a given cosigner, without newline. Not verified. */
  readonly cosignatures: readonly string[];
}

/**
 * Sorts the signature lines of a signed checkpoint: lines naming one of `cosigners` (by name and
 * cosignature key ID) apart from the rest. Syntax only; verify with `verifyCosignature`/`openNote`.
 * Throws `NoteError` 'malformed_note' for a malformed note.
 */
export function splitCosignatures(
  crypto: CryptoProvider,
  note: string | Uint8Array,
  cosigners: readonly NamedPublicKey[],
): SplitCheckpointNote {
  const parsed = parseNote(note);
  const identities = new Set(
    cosigners.map((cosigner) => `${cosigner.name} ${cosignatureKeyId(crypto, cosigner.name, cosigner.publicKey)}`),
  );
  const logSignatures: string[] = [];
  const cosignatures: string[] = [];
  for (const signature of parsed.signatures) {
    const line = `${SIGNATURE_LINE_PREFIX}${signature.name} ${signature.base64}`;
    if (identities.has(`${signature.name} ${signature.keyId}`)) cosignatures.push(line);
    else logSignatures.push(line);
  }
  return { text: parsed.text, logSignatures, cosignatures };
}
