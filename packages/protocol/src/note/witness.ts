/**
 * c2sp.org/tlog-witness wire formats: the add-checkpoint request body, its 200 response (cosignature
 * lines) and its 409 response (`text/x.tlog.size`), plus the status codes the spec assigns to each
 * failure, carried by `WitnessError`.
 *
 * Request body:
 *   old <size>\n
 *   <base64 consistency proof hash>\n   (0 to 63 lines)
 *   \n
 *   <signed checkpoint note>
 */
import type { CryptoProvider } from '../crypto/types.js';
import { bytesEqual, fromBase64, toBase64 } from '../encoding/bytes.js';
import { CHECKPOINT_HASH_SIZE, CheckpointError, parseCheckpoint, type TlogCheckpoint } from './checkpoint.js';
import { NoteError } from './note-error.js';
import { decodeNoteBytes, isNoteSafeText, isSafeCount, parseCanonicalDecimal } from './note-text.js';
import {
  NOTE_MAX_SIGNATURES,
  type NoteSignatureLine,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  parseNote,
  parseSignatureLine,
  SIGNATURE_LINE_PREFIX,
} from './signed-note.js';

/** The add-checkpoint endpoint, under the witness's submission prefix (HTTP POST). */
export const WITNESS_ADD_CHECKPOINT_PATH = '/add-checkpoint';
/** Content-Type of a 409 Conflict body: the latest cosigned tree size, decimal, newline. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** The client MUST NOT send more consistency proof lines than this. */
export const WITNESS_MAX_PROOF_LINES = 63;

/** HTTP status codes c2sp.org/tlog-witness assigns to add-checkpoint failures. */
export type WitnessStatus = 400 | 403 | 404 | 409 | 422;

export type WitnessErrorCode =
  /** 400: the body is not an old size line, proof lines, a blank line and a checkpoint. */
  | 'malformed_request'
  /** 400: the old size is larger than the checkpoint size. */
  | 'old_size_too_large'
  /** 404: no log with this checkpoint origin is configured. */
  | 'unknown_origin'
  /** 403: no signature from a trusted key of the log, or one that fails to verify. */
  | 'untrusted_checkpoint'
  /** 409: the old size is not the size of the latest cosigned checkpoint (see `latestSize`). */
  | 'old_size_mismatch'
  /** 409: same size as the latest cosigned checkpoint but another root hash. */
  | 'root_mismatch'
  /** 422: the consistency proof does not verify (or is not empty for an old size of zero). */
  | 'invalid_proof';

const STATUS: Record<WitnessErrorCode, WitnessStatus> = {
  malformed_request: 400,
  old_size_too_large: 400,
  unknown_origin: 404,
  untrusted_checkpoint: 403,
  old_size_mismatch: 409,
  root_mismatch: 409,
  invalid_proof: 422,
};

export class WitnessError extends Error {
  override readonly name = 'WitnessError';
  readonly code: WitnessErrorCode;
  /** The HTTP status the spec requires for this failure. */
  readonly status: WitnessStatus;
  /** For 'old_size_mismatch': the size to send back in the `text/x.tlog.size` body. */
  readonly latestSize: number | undefined;

  constructor(code: WitnessErrorCode, message: string, latestSize?: number) {
    super(message);
    this.code = code;
    this.status = STATUS[code];
    this.latestSize = latestSize;
  }
}

export interface AddCheckpointRequest {
  /** Size of the checkpoint the client believes the witness cosigned last (0 if none). */
  readonly oldSize: number;
  /** RFC 6962 consistency proof from `oldSize` to the checkpoint size: 32-byte hashes. */
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim (text, blank line, one or more signature lines). */
  readonly checkpoint: string;
}

export interface ParsedAddCheckpointRequest extends AddCheckpointRequest {
  /** The checkpoint note's text (what its signatures sign). */
  readonly checkpointText: string;
  /** The checkpoint text, parsed. Its signatures are NOT verified yet: see `verifyAddCheckpointRequest`. */
  readonly parsed: TlogCheckpoint;
  readonly signatures: readonly NoteSignatureLine[];
}

const badRequest = (message: string): WitnessError =>
  new WitnessError('malformed_request', `malformed add-checkpoint request: ${message}`);

function parseCheckpointNote(note: string): {
  text: string;
  parsed: TlogCheckpoint;
  signatures: readonly NoteSignatureLine[];
} {
  try {
    const { text, signatures } = parseNote(note);
    return { text, parsed: parseCheckpoint(text), signatures };
  } catch (error) {
    if (error instanceof NoteError || error instanceof CheckpointError) throw badRequest(error.message);
    throw error;
  }
}

/** The request body, checked as a client must send it (throws `WitnessError`, status 400). */
export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  if (!isSafeCount(request.oldSize)) throw badRequest('old size must be a safe non-negative integer');
  if (request.proof.length > WITNESS_MAX_PROOF_LINES)
    throw badRequest(`more than ${WITNESS_MAX_PROOF_LINES} proof lines`);
  if (request.oldSize === 0 && request.proof.length > 0)
    throw badRequest('the proof must be empty when the old size is 0');
  for (const hash of request.proof) {
    if (!(hash instanceof Uint8Array) || hash.length !== CHECKPOINT_HASH_SIZE) {
      throw badRequest(`proof hashes must be ${CHECKPOINT_HASH_SIZE} bytes`);
    }
  }
  const { parsed } = parseCheckpointNote(request.checkpoint);
  if (request.oldSize > parsed.size) {
    throw new WitnessError(
      'old_size_too_large',
      `old size ${request.oldSize} is above the checkpoint size ${parsed.size}`,
    );
  }
  const proofLines = request.proof.map((hash) => `${toBase64(hash)}\n`).join('');
  return `old ${request.oldSize}\n${proofLines}\n${request.checkpoint}`;
}

/**
 * Parses an add-checkpoint request body strictly. Every failure is a `WitnessError` with status
 * 400. Signatures are not checked here (they need the log's keys: `verifyAddCheckpointRequest`),
 * nor is old size ≤ checkpoint size, which the spec orders after the signature checks.
 */
export function parseAddCheckpointRequest(body: string | Uint8Array): ParsedAddCheckpointRequest {
  const source = typeof body === 'string' ? body : decodeNoteBytes(body);
  if (source === undefined) throw badRequest('body is not valid UTF-8');
  if (!isNoteSafeText(source)) throw badRequest('body holds an ASCII control character other than newline');
  const split = source.indexOf('\n\n');
  if (split < 0) throw badRequest('no empty line before the checkpoint');
  const [oldLine, ...proofLines] = source.slice(0, split).split('\n');
  if (oldLine === undefined || !oldLine.startsWith('old ')) throw badRequest('first line must be "old <size>"');
  const oldSize = parseCanonicalDecimal(oldLine.slice(4));
  if (oldSize === 'malformed') throw badRequest('old size is not a decimal without sign or leading zeroes');
  if (oldSize === 'unsafe') throw badRequest('old size is above 2^53 - 1');
  if (proofLines.length > WITNESS_MAX_PROOF_LINES) throw badRequest(`more than ${WITNESS_MAX_PROOF_LINES} proof lines`);
  const proof = proofLines.map((line, index) => {
    let hash: Uint8Array;
    try {
      hash = fromBase64(line);
    } catch {
      throw badRequest(`proof line ${index + 1} is not standard padded base64`);
    }
    if (hash.length !== CHECKPOINT_HASH_SIZE) {
      throw badRequest(`proof line ${index + 1} is ${hash.length} bytes, expected ${CHECKPOINT_HASH_SIZE}`);
    }
    return hash;
  });
  const checkpoint = source.slice(split + 2);
  const { text, parsed, signatures } = parseCheckpointNote(checkpoint);
  return { oldSize, proof, checkpoint, checkpointText: text, parsed, signatures };
}

/**
 * The witness's checks that need the log's keys, in the spec's order: unknown origin (404), no
 * verified signature from a trusted key or a trusted key's signature failing (403), old size
 * above the checkpoint size (400). `logVerifiers` answers the trusted keys for an origin, or
 * undefined for an unknown log.
 */
export function verifyAddCheckpointRequest(
  crypto: CryptoProvider,
  request: ParsedAddCheckpointRequest,
  logVerifiers: (origin: string) => readonly NoteVerifier[] | undefined,
): OpenedNote {
  const verifiers = logVerifiers(request.parsed.origin);
  if (verifiers === undefined)
    throw new WitnessError('unknown_origin', `unknown log origin ${JSON.stringify(request.parsed.origin)}`);
  let opened: OpenedNote;
  try {
    opened = openNote(crypto, request.checkpoint, verifiers);
  } catch (error) {
    if (error instanceof NoteError) throw new WitnessError('untrusted_checkpoint', error.message);
    throw error;
  }
  if (request.oldSize > request.parsed.size) {
    throw new WitnessError(
      'old_size_too_large',
      `old size ${request.oldSize} is above the checkpoint size ${request.parsed.size}`,
    );
  }
  return opened;
}

/**
 * The stateful checks before the consistency proof, against the latest checkpoint this witness
 * cosigned for the origin (undefined if none): old size must equal its size (409, with
 * `latestSize`); at equal sizes the root hashes must match (409); an old size of zero needs an
 * empty proof (422). Verifying a non-trivial proof (422) is left to the Merkle code.
 */
export function checkAgainstLatestCheckpoint(
  request: ParsedAddCheckpointRequest,
  latest: { readonly size: number; readonly rootHash: Uint8Array } | undefined,
): void {
  const latestSize = latest?.size ?? 0;
  if (request.oldSize !== latestSize) {
    throw new WitnessError(
      'old_size_mismatch',
      `old size ${request.oldSize} does not match the latest cosigned size ${latestSize}`,
      latestSize,
    );
  }
  if (
    latest !== undefined &&
    latest.size === request.parsed.size &&
    !bytesEqual(latest.rootHash, request.parsed.rootHash)
  ) {
    throw new WitnessError(
      'root_mismatch',
      'same tree size as the latest cosigned checkpoint but a different root hash',
    );
  }
  if (request.oldSize === 0 && request.proof.length > 0) {
    throw new WitnessError('invalid_proof', 'the consistency proof must be empty when the old size is 0');
  }
}

/** Body of a 409 Conflict (Content-Type `text/x.tlog.size`): the latest cosigned size and a newline. */
export function formatTlogSizeBody(size: number): string {
  if (!isSafeCount(size)) throw new RangeError('tree size must be a safe non-negative integer');
  return `${size}\n`;
}

/** Parses a `text/x.tlog.size` body strictly: canonical decimal and exactly one final newline. */
export function parseTlogSizeBody(body: string): number {
  if (typeof body !== 'string' || !body.endsWith('\n')) {
    throw new RangeError('malformed text/x.tlog.size body: must be a decimal followed by a newline');
  }
  const size = parseCanonicalDecimal(body.slice(0, -1));
  if (size === 'malformed')
    throw new RangeError('malformed text/x.tlog.size body: not a decimal without sign or leading zeroes');
  if (size === 'unsafe') throw new RangeError('text/x.tlog.size body is above 2^53 - 1');
  return size;
}

/** Body of a 200 response: the cosignature lines (given with or without newline), each ending in newline. */
export function formatAddCheckpointResponse(lines: readonly string[]): string {
  if (lines.length === 0) throw new RangeError('an add-checkpoint response needs at least one signature line');
  return lines
    .map((line) => {
      const parsed = parseSignatureLine(line);
      return `${SIGNATURE_LINE_PREFIX}${parsed.name} ${parsed.base64}\n`;
    })
    .join('');
}

/**
 * Parses a 200 response body into its signature lines (syntax only; throws `NoteError`
 * 'malformed_note'). To verify, append the body to the checkpoint note and `openNote` it with the
 * trusted witness keys (`cosignatureNoteVerifier`), or check each line with `verifyCosignature`.
 */
export function parseAddCheckpointResponse(body: string): NoteSignatureLine[] {
  if (typeof body !== 'string' || body.length === 0 || !body.endsWith('\n')) {
    throw new NoteError(
      'malformed_note',
      'malformed add-checkpoint response: expected signature lines ending in newline',
    );
  }
  const lines = body.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) {
    throw new NoteError('malformed_note', `malformed add-checkpoint response: more than ${NOTE_MAX_SIGNATURES} lines`);
  }
  return lines.map(parseSignatureLine);
}
