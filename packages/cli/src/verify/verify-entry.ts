import { type CryptoProvider, checkLogEntry, type LogEntryProof, type TrustVerifiers } from '@concord/protocol';
import { getJson } from './http.js';
import type { Divergence } from './verify-log.js';

export interface EntryReport {
  index: number;
  type: string;
  actor: string;
  treeSize: number | undefined;
  divergences: Divergence[];
}

/** One entry: its envelope's signature, and its inclusion proof to a trusted checkpoint. */
export async function verifyEntry(
  baseUrl: string,
  crypto: CryptoProvider,
  trust: TrustVerifiers,
  index: number,
): Promise<EntryReport> {
  const entry = await getJson<LogEntryProof>(`${baseUrl}/v1/log/entries/${index}`);
  const checked = checkLogEntry(crypto, trust, { ...entry, index });
  return {
    index,
    type: checked.envelope.type,
    actor: checked.envelope.actor,
    treeSize: checked.treeSize,
    divergences: checked.problems.map((reason) => ({ index, reason })),
  };
}
