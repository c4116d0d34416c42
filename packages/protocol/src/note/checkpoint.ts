/**
 * c2sp.org/tlog-checkpoint: the note text of a transparency log checkpoint.
 *
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n[<extension line>\n ...]
 *
 * Sizes are JavaScript numbers: safe integers only (up to 2^53 − 1); a larger size is refused
 * with code 'size_out_of_range' rather than silently rounded.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { fromBase64, toBase64 } from '../encoding/bytes.js';
import { isNoteSafeText, isSafeCount, parseCanonicalDecimal } from './note-text.js';
import { type NoteVerifier, type OpenedNote, openNote } from './signed-note.js';

/** Root hashes are RFC 6962 SHA-256 Merkle tree hashes. */
export const CHECKPOINT_HASH_SIZE = 32;

export interface TlogCheckpoint {
  /** Unique identity of the log, e.g. `example.com/log42`; opaque, non-empty. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 6962 root hash of the tree at `size`, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** Optional, opaque, non-empty lines after the root hash (NOT RECOMMENDED by the spec). */
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[] | undefined;
}

export type CheckpointErrorCode = 'malformed_checkpoint' | 'size_out_of_range';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const malformed = (message: string): CheckpointError =>
  new CheckpointError('malformed_checkpoint', `malformed checkpoint: ${message}`);

function checkLine(line: string, what: string): void {
  if (typeof line !== 'string' || line.length === 0) throw malformed(`${what} must be a non-empty string`);
  if (line.includes('\n')) throw malformed(`${what} must be one line`);
  if (!isNoteSafeText(line)) throw malformed(`${what} holds a control character`);
}

/** The checkpoint's note text, ready to sign. */
export function formatCheckpoint(checkpoint: CheckpointInput): string {
  checkLine(checkpoint.origin, 'origin');
  if (!isSafeCount(checkpoint.size)) {
    throw new CheckpointError('size_out_of_range', 'checkpoint size must be a safe non-negative integer');
  }
  if (!(checkpoint.rootHash instanceof Uint8Array) || checkpoint.rootHash.length !== CHECKPOINT_HASH_SIZE) {
    throw malformed(`root hash must be ${CHECKPOINT_HASH_SIZE} bytes`);
  }
  const extensions = checkpoint.extensions ?? [];
  for (const extension of extensions) checkLine(extension, 'extension line');
  const lines = [checkpoint.origin, String(checkpoint.size), toBase64(checkpoint.rootHash), ...extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint's note text strictly (the text only: no blank line, no signatures). */
export function parseCheckpoint(text: string): TlogCheckpoint {
  if (typeof text !== 'string') throw malformed('text is not a string');
  if (!text.endsWith('\n')) throw malformed('text must end in a newline');
  if (!isNoteSafeText(text)) throw malformed('text holds a control character');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, hashLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || hashLine === undefined) {
    throw malformed('needs origin, size and root hash lines');
  }
  if (origin.length === 0) throw malformed('empty origin line');
  const size = parseCanonicalDecimal(sizeLine);
  if (size === 'malformed') {
    throw malformed(`size ${JSON.stringify(sizeLine)} is not a decimal without sign or leading zeroes`);
  }
  if (size === 'unsafe')
    throw new CheckpointError('size_out_of_range', `checkpoint size ${sizeLine} is above 2^53 - 1`);
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(hashLine);
  } catch {
    throw malformed('root hash is not standard padded base64');
  }
  if (rootHash.length !== CHECKPOINT_HASH_SIZE) {
    throw malformed(`root hash is ${rootHash.length} bytes, expected ${CHECKPOINT_HASH_SIZE}`);
  }
  if (extensions.some((line) => line.length === 0)) throw malformed('empty extension line');
  return { origin, size, rootHash, extensions };
}

/** `openNote` then `parseCheckpoint`: a checkpoint signed by at least one of the known keys. */
export function openCheckpoint(
  crypto: CryptoProvider,
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote & { readonly checkpoint: TlogCheckpoint } {
  const opened = openNote(crypto, note, verifiers);
  return { ...opened, checkpoint: parseCheckpoint(opened.text) };
}
