import { readFileSync } from 'node:fs';
import {
  type CryptoProvider,
  cosignatureNoteVerifier,
  ed25519NoteVerifier,
  type NoteVerifier,
  openNote,
  parseCheckpoint,
  parseCosignatureVerifierKey,
  parseVerifierKey,
  type TlogCheckpoint,
} from '@concord/protocol';
import { UsageError } from '../usage-error.js';

/** Whom the verifier trusts: the log's key, the witnesses' keys, how many cosignatures it needs. */
export interface Trust {
  log: string;
  witnesses: string[];
  quorum: number;
}

export function readTrustFile(path: string): Trust {
  let parsed: Partial<Trust>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Trust>;
  } catch (error) {
    throw new UsageError(`--trust ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed.log !== 'string') throw new UsageError(`--trust ${path}: "log" must be the log's verifier key`);
  const witnesses = parsed.witnesses ?? [];
  if (!Array.isArray(witnesses) || witnesses.some((w) => typeof w !== 'string')) {
    throw new UsageError(`--trust ${path}: "witnesses" must be a list of cosignature verifier keys`);
  }
  const quorum = parsed.quorum ?? witnesses.length;
  if (!Number.isInteger(quorum) || quorum < 0 || quorum > witnesses.length) {
    throw new UsageError(`--trust ${path}: "quorum" must be 0..${witnesses.length}`);
  }
  return { log: parsed.log, witnesses, quorum };
}

export interface TrustVerifiers {
  origin: string;
  log: NoteVerifier;
  witnesses: NoteVerifier[];
  quorum: number;
}

export function trustVerifiers(crypto: CryptoProvider, trust: Trust): TrustVerifiers {
  try {
    const log = parseVerifierKey(crypto, trust.log);
    return {
      origin: log.name,
      log: ed25519NoteVerifier(crypto, log),
      witnesses: trust.witnesses.map((key) =>
        cosignatureNoteVerifier(crypto, parseCosignatureVerifierKey(crypto, key)),
      ),
      quorum: trust.quorum,
    };
  } catch (error) {
    throw new UsageError(`trusted keys: ${(error as Error).message}`);
  }
}

/**
 * Opens a checkpoint note against the trusted keys: the checkpoint, how many trusted witnesses
 * cosigned it, and every way it falls short of the trust (not signed by the log key, another
 * origin, too few cosignatures). Throws NoteError or CheckpointError for a malformed note.
 */
export function openTrustedCheckpoint(
  crypto: CryptoProvider,
  trust: TrustVerifiers,
  note: string,
): { checkpoint: TlogCheckpoint; cosignatures: number; problems: string[] } {
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
