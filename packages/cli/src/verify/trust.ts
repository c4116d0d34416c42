import { readFileSync } from 'node:fs';
import {
  type CryptoProvider,
  cosignatureNoteVerifier,
  ed25519NoteVerifier,
  type NoteVerifier,
  parseCosignatureVerifierKey,
  parseVerifierKey,
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
