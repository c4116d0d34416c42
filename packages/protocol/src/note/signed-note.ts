/**
 * c2sp.org/signed-note: a text ending in newline, a blank line, then one or more signature lines
 * `— <key name> base64(key ID ‖ signature)` (em dash U+2014, space, name, space, base64, newline).
 * The text is separated from the signatures by the last empty line. Behaviour follows Go's
 * golang.org/x/mod/sumdb/note where the spec leaves room.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { concatBytes, fromBase64, toBase64, utf8Encode } from '../encoding/bytes.js';
import { NoteError } from './note-error.js';
import {
  computeKeyId,
  ED25519_SIGNATURE_TYPE,
  formatKeyId,
  keyIdBytes,
  type NamedPublicKey,
  type NoteSigner,
  readKeyId,
} from './note-keys.js';
import { decodeNoteBytes, isNoteSafeText, isValidKeyName } from './note-text.js';

/** Em dash and space: how every signature line starts. */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';

/**
 * The most signature lines a note may carry. The spec says verifiers SHOULD cap the number and
 * MUST accept at least 16; this is Go's cap.
 */
export const NOTE_MAX_SIGNATURES = 100;

/** One signature line, parsed. */
export interface NoteSignatureLine {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  readonly signature: Uint8Array;
  /** The base64 field of the line, as written (key ID and signature). */
  readonly base64: string;
}

/** A note split into its text and its signature lines, nothing verified yet. */
export interface ParsedNote {
  /** The signed text, final newline included, separating blank line excluded. */
  readonly text: string;
  readonly signatures: readonly NoteSignatureLine[];
}

/** A note whose text at least one known key has signed. */
export interface OpenedNote {
  readonly text: string;
  /** Signatures from known keys, all verified (each key once, in order of appearance). */
  readonly verified: readonly NoteSignatureLine[];
  /** Signatures from unknown keys, ignored as the spec requires (identical lines listed once). */
  readonly unknown: readonly NoteSignatureLine[];
}

/**
 * A key a note can be checked against, found by key name and key ID together. `verify` gets the
 * note text's bytes and the signature bytes after the key ID; it must answer false, never throw,
 * for anything malformed.
 */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(crypto: CryptoProvider, text: Uint8Array, signature: Uint8Array): boolean;
}

const malformed = (message: string): NoteError => new NoteError('malformed_note', `malformed note: ${message}`);

/** `— <name> base64(key ID ‖ signature)`, without the final newline (signature line strings never hold it). */
export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError('invalid_signer', `invalid key name ${JSON.stringify(name)}`);
  if (signature.length === 0) throw new NoteError('invalid_signer', 'empty signature');
  return `${SIGNATURE_LINE_PREFIX}${name} ${toBase64(concatBytes(keyIdBytes(keyId), signature))}`;
}

/**
 * Parses one signature line, with or without its final newline. Strict: em dash and one space,
 * a valid key name, one space, standard padded base64 of at least 5 bytes (key ID and a
 * non-empty signature).
 */
export function parseSignatureLine(line: string): NoteSignatureLine {
  if (typeof line !== 'string') throw malformed('signature line is not a string');
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (body.includes('\n')) throw malformed('signature line spans several lines');
  if (!isNoteSafeText(body)) throw malformed('signature line holds a control character');
  if (!body.startsWith(SIGNATURE_LINE_PREFIX)) throw malformed('signature line does not start with "— " (U+2014)');
  const rest = body.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('signature line has no space between key name and signature');
  const name = rest.slice(0, space);
  const base64 = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw malformed(`invalid key name ${JSON.stringify(name)} in signature line`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(base64);
  } catch {
    throw malformed(`signature of ${name} is not standard padded base64`);
  }
  if (bytes.length < 5) throw malformed(`signature of ${name} is too short`);
  return { name, keyId: readKeyId(bytes), signature: bytes.slice(4), base64 };
}

/**
 * Splits a signed note into text and signature lines (syntax only; see `openNote` to verify).
 * Bytes are decoded as strict UTF-8. Throws `NoteError` 'malformed_note'.
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const source = typeof note === 'string' ? note : decodeNoteBytes(note);
  if (source === undefined) throw malformed('not valid UTF-8');
  if (!isNoteSafeText(source)) throw malformed('holds an ASCII control character other than newline');
  const split = source.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line between text and signatures');
  const text = source.slice(0, split + 1);
  const block = source.slice(split + 2);
  if (block.length === 0) throw malformed('no signature lines');
  if (!block.endsWith('\n')) throw malformed('last signature line does not end in newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) throw malformed(`more than ${NOTE_MAX_SIGNATURES} signatures`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

/** Checks what `signNote` and other producers sign: a note text ending in newline, no control characters. */
export function checkNoteText(text: string): void {
  if (typeof text !== 'string') throw malformed('text is not a string');
  if (!text.endsWith('\n')) throw malformed('text must end in a newline');
  if (!isNoteSafeText(text)) throw malformed('text holds an ASCII control character other than newline');
}

/** Ed25519 (type 0x01) verifier for a known key name and public key. */
export function ed25519NoteVerifier(crypto: CryptoProvider, key: NamedPublicKey): NoteVerifier {
  if (!isValidKeyName(key.name)) throw new NoteError('invalid_key', `invalid key name ${JSON.stringify(key.name)}`);
  if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length !== 32) {
    throw new NoteError('invalid_key', 'an Ed25519 public key must be 32 bytes');
  }
  const publicKey = key.publicKey.slice();
  return {
    name: key.name,
    keyId: computeKeyId(crypto, key.name, ED25519_SIGNATURE_TYPE, publicKey),
    verify: (provider, text, signature) =>
      signature.length === 64 && provider.ed25519.verify(signature, text, publicKey),
  };
}

/** A signer needs a valid key name and a 32-byte Ed25519 seed; throws NoteError 'invalid_signer'. */
export function checkSigner(signer: NoteSigner): void {
  if (!isValidKeyName(signer.name)) {
    throw new NoteError(
      'invalid_signer',
      `invalid key name ${JSON.stringify(signer.name)}: non-empty, no spaces, no "+"`,
    );
  }
  if (!(signer.secretKey instanceof Uint8Array) || signer.secretKey.length !== 32) {
    throw new NoteError('invalid_signer', `secret key of ${signer.name} must be 32 bytes`);
  }
}

/**
 * Signs `text` with Ed25519 (signature type 0x01) by each signer, in order: text, blank line,
 * one signature line per signer. Deterministic (RFC 8032), so every provider gives the same note.
 */
export function signNote(crypto: CryptoProvider, text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text);
  if (signers.length === 0) throw new NoteError('invalid_signer', 'a signed note needs at least one signer');
  if (signers.length > NOTE_MAX_SIGNATURES) throw new NoteError('invalid_signer', 'too many signers');
  const message = utf8Encode(text);
  const seen = new Set<string>();
  let lines = '';
  for (const signer of signers) {
    checkSigner(signer);
    const publicKey = crypto.ed25519.publicKey(signer.secretKey);
    const keyId = computeKeyId(crypto, signer.name, ED25519_SIGNATURE_TYPE, publicKey);
    const identity = `${signer.name} ${keyId}`;
    if (seen.has(identity)) throw new NoteError('invalid_signer', `${signer.name}+${formatKeyId(keyId)} signs twice`);
    seen.add(identity);
    lines += `${formatSignatureLine(signer.name, keyId, crypto.ed25519.sign(message, signer.secretKey))}\n`;
  }
  return `${text}\n${lines}`;
}

/**
 * Parses a signed note and checks it against the known verifiers (c2sp.org/signed-note):
 * signatures whose key name and key ID both match a known key are verified, and any failure
 * rejects the note ('invalid_signature'); signatures from unknown keys are ignored (returned in
 * `unknown`); a note with no verified signature is rejected ('unverified_note').
 */
export function openNote(
  crypto: CryptoProvider,
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  const parsed = parseNote(note);
  const known = new Map<string, NoteVerifier[]>();
  for (const verifier of verifiers) {
    const identity = `${verifier.name} ${verifier.keyId}`;
    const list = known.get(identity);
    if (list === undefined) known.set(identity, [verifier]);
    else list.push(verifier);
  }
  const message = utf8Encode(parsed.text);
  const verified: NoteSignatureLine[] = [];
  const verifiedKeys = new Set<string>();
  const unknown: NoteSignatureLine[] = [];
  const unknownLines = new Set<string>();
  for (const signature of parsed.signatures) {
    const identity = `${signature.name} ${signature.keyId}`;
    const label = `${signature.name}+${formatKeyId(signature.keyId)}`;
    const matches = known.get(identity);
    if (matches === undefined) {
      const line = `${identity} ${signature.base64}`;
      if (!unknownLines.has(line)) {
        unknownLines.add(line);
        unknown.push(signature);
      }
      continue;
    }
    if (matches.length > 1) throw new NoteError('ambiguous_key', `several known keys are named ${label}`);
    let ok = false;
    try {
      ok = matches[0]!.verify(crypto, message, signature.signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new NoteError('invalid_signature', `invalid signature for known key ${label}`);
    if (!verifiedKeys.has(identity)) {
      verifiedKeys.add(identity);
      verified.push(signature);
    }
  }
  if (verified.length === 0) throw new NoteError('unverified_note', 'note has no signature from a known key');
  return { text: parsed.text, verified, unknown };
}
