/**
 * Every rejection in the note folder's signed-note layer is a `NoteError` with a stable machine
 * `code` and a message for people. Checkpoint text and witness wire formats have their own error
 * types (`CheckpointError`, `WitnessError`).
 */
export type NoteErrorCode =
  /** Not a signed note: syntax, characters, signature line shape, too many signatures. */
  | 'malformed_note'
  /** Well formed, but no signature from a known key (c2sp.org/signed-note: MUST reject). */
  | 'unverified_note'
  /** A signature whose key name and key ID match a known key fails to verify. */
  | 'invalid_signature'
  /** Two configured verifiers share a key name and key ID, and a signature names that pair. */
  | 'ambiguous_key'
  /** A verifier key, signer key or public key that cannot be used. */
  | 'invalid_key'
  /** A signer that cannot sign: bad key name, wrong secret key size, duplicates, none at all. */
  | 'invalid_signer';

export class NoteError extends Error {
  override readonly name = 'NoteError';
  readonly code: NoteErrorCode;

  constructor(code: NoteErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
