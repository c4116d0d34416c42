import {
  CheckpointError,
  type CryptoProvider,
  canonicalBytes,
  checkEnvelopeShape,
  type Envelope,
  fromBase64,
  fromHex,
  leafHash,
  NoteError,
  toHex,
  verifyEnvelope,
  verifyInclusion,
} from '@concord/protocol';
import { getJson } from './http.js';
import { openTrustedCheckpoint, type TrustVerifiers } from './trust.js';
import type { Divergence } from './verify-log.js';

interface EntryResponse {
  index: number;
  leafHash: string;
  envelope: Envelope;
  integrated: boolean;
  checkpoint: { size: number; rootHash: string; note: string } | null;
  proof: string[] | null;
}

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
  const entry = await getJson<EntryResponse>(`${baseUrl}/v1/log/entries/${index}`);
  const divergences: Divergence[] = [];
  const diverge = (reason: string) => divergences.push({ index, reason });
  const envelope = checkEnvelopeShape(entry.envelope);
  const leaf = leafHash(crypto, canonicalBytes(envelope));
  if (toHex(leaf) !== entry.leafHash) diverge('the leaf hash served is not the hash of the envelope served');
  const signature = verifyEnvelope(envelope, crypto);
  if (!signature.ok) diverge(`signature: ${signature.message}`);
  if (!entry.integrated || entry.checkpoint === null || entry.proof === null) {
    diverge('not yet in a published checkpoint; try again shortly');
    return { index, type: envelope.type, actor: envelope.actor, treeSize: undefined, divergences };
  }
  try {
    const { checkpoint, problems } = openTrustedCheckpoint(crypto, trust, entry.checkpoint.note);
    for (const problem of problems) diverge(problem);
    const proof = entry.proof.map(fromBase64);
    if (!verifyInclusion(crypto, fromHex(entry.leafHash), index, checkpoint.size, proof, checkpoint.rootHash)) {
      diverge(`the inclusion proof does not lead to the root of the signed checkpoint of size ${checkpoint.size}`);
    }
    return { index, type: envelope.type, actor: envelope.actor, treeSize: checkpoint.size, divergences };
  } catch (error) {
    if (!(error instanceof NoteError || error instanceof CheckpointError)) throw error;
    diverge(`checkpoint: ${error.message}`);
    return { index, type: envelope.type, actor: envelope.actor, treeSize: undefined, divergences };
  }
}
