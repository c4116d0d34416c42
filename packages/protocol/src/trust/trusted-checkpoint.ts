import type { CryptoProvider } from '../crypto/types.js';
import { parseCheckpoint, type TlogCheckpoint } from '../note/checkpoint.js';
import { cosignatureNoteVerifier, parseCosignatureVerifierKey } from '../note/cosignature.js';
import { parseVerifierKey } from '../note/note-keys.js';
import { ed25519NoteVerifier, type NoteVerifier, openNote } from '../note/signed-note.js';

/** Whom a verifier trusts: the log's key, the witnesses' keys, how many cosignatures it needs. */
export interface Trust {
  log: string;
  witnesses: string[];
  quorum: number;
}

export interface TrustVerifiers {
  origin: string;
  log: NoteVerifier;
  witnesses: NoteVerifier[];
  quorum: number;
}

/** The note verifiers of a trust; throws NoteError for a malformed key. */
export function trustVerifiers(crypto: CryptoProvider, trust: Trust): TrustVerifiers {
  const log = parseVerifierKey(crypto, trust.log);
  return {
    origin: log.name,
    log: ed25519NoteVerifier(crypto, log),
    witnesses: trust.witnesses.map((key) => cosignatureNoteVerifier(crypto, parseCosignatureVerifierKey(crypto, key))),
    quorum: trust.quorum,
  };
}

export interface TrustedCheckpoint {
  checkpoint: TlogCheckpoint;
  /** How many trusted witnesses cosigned it. */
  cosignatures: number;
  /** Every way the note falls short of the trust; empty when it holds. */
  problems: string[];
}

/**
 * Opens a checkpoint note against the trusted keys: the checkpoint, how many trusted witnesses
 * cosigned it, and every way it falls short of the trust (not signed by the log key, another
 * origin, too few cosignatures). Throws NoteError or CheckpointError for a malformed note.
 */
export function openTrustedCheckpoint(crypto: CryptoProvider, trust: TrustVerifiers, note: string): TrustedCheckpoint {
  const opened = openNote(crypto, note, [trust.log, ...trust.witnesses]);
  const checkpoint = parseCheckpoint(opened.text);
  const signedBy = (key: NoteVerifier) => opened.verified.some((s) => s.name === key.name && s.keyId === key.keyId);
  const cosignatures = trust.witnesses.filter(signedBy).length;
  const problems: string[] = [];
  if (!signedBy(trust.log)) problems.push('the checkpoint is not signed by the trusted log key');
  if (checkpoint.origin !== trust.origin) {
    problems.push(`checkpoint origin ${checkpoint.origin} is not the trusted ${trust.origin}`);
  }
  if (cosignatures < trust.quorum) {
    problems.push(`the checkpoint has ${cosignatures} trusted cosignatures; the quorum is ${trust.quorum}`);
  }
  return { checkpoint, cosignatures, problems };
}
