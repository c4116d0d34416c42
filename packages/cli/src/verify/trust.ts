import { readFileSync } from 'node:fs';
import {
  type CryptoProvider,
  trustVerifiers as protocolTrustVerifiers,
  type Trust,
  type TrustVerifiers,
} from '@concord/protocol';
import { UsageError } from '../usage-error.js';

export type { Trust, TrustVerifiers };

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

/** The note verifiers of a trust; a malformed key is a usage error. */
export function trustVerifiers(crypto: CryptoProvider, trust: Trust): TrustVerifiers {
  try {
    return protocolTrustVerifiers(crypto, trust);
  } catch (error) {
    throw new UsageError(`trusted keys: ${(error as Error).message}`);
  }
}
