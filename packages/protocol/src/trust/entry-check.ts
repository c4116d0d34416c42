import { canonicalBytes } from '../canonical/canonicalize.js';
import type { CryptoProvider } from '../crypto/types.js';
import { fromBase64, toHex } from '../encoding/bytes.js';
import { type Envelope, verifyEnvelope } from '../envelope/envelope.js';
import { checkEnvelopeShape } from '../envelope/shape.js';
import { leafHash } from '../log/merkle.js';
import { verifyInclusion } from '../log/verify-proofs.js';
import { CheckpointError } from '../note/checkpoint.js';
import { NoteError } from '../note/note-error.js';
import { openTrustedCheckpoint, type TrustVerifiers } from './trusted-checkpoint.js';

/** What a log serves for one entry (`GET /v1/log/entries/{index}`). */
export interface LogEntryProof {
  index: number;
  leafHash: string;
  envelope: unknown;
  integrated: boolean;
  checkpoint: { size: number; rootHash: string; note: string } | null;
  proof: string[] | null;
}

export interface LogEntryCheck {
  index: number;
  envelope: Envelope;
  /** The size of the trusted checkpoint the proof led to; undefined when there was none. */
  treeSize: number | undefined;
  /** Trusted witnesses that cosigned that checkpoint. */
  cosignatures: number;
  /** Every way the entry falls short; empty when it is the actor's signed event, in the trusted log. */
  problems: string[];
}

/**
 * Checks one served entry with nothing but the trusted keys: the leaf hash is the hash of the
 * envelope's canonical bytes, the envelope carries its actor's signature, the checkpoint is signed
 * by the log and cosigned by a quorum, and the inclusion proof leads from the leaf to its root.
 * The CLI's `verify --entry` and the browser's "verify" button run this same check. Throws when
 * the envelope is not an envelope at all.
 */
export function checkLogEntry(crypto: CryptoProvider, trust: TrustVerifiers, entry: LogEntryProof): LogEntryCheck {
  const problems: string[] = [];
  const envelope = checkEnvelopeShape(entry.envelope);
  const leaf = leafHash(crypto, canonicalBytes(envelope));
  if (toHex(leaf) !== entry.leafHash) problems.push('the leaf hash served is not the hash of the envelope served');
  const signature = verifyEnvelope(envelope, crypto);
  if (!signature.ok) problems.push(`signature: ${signature.message}`);
  const result = (treeSize: number | undefined, cosignatures = 0): LogEntryCheck => ({
    index: entry.index,
    envelope,
    treeSize,
    cosignatures,
    problems,
  });
  if (!entry.integrated || entry.checkpoint === null || entry.proof === null) {
    problems.push('not yet in a published checkpoint; try again shortly');
    return result(undefined);
  }
  try {
    const opened = openTrustedCheckpoint(crypto, trust, entry.checkpoint.note);
    problems.push(...opened.problems);
    const { checkpoint } = opened;
    const proof = entry.proof.map(fromBase64);
    if (!verifyInclusion(crypto, leaf, entry.index, checkpoint.size, proof, checkpoint.rootHash)) {
      problems.push(
        `the inclusion proof does not lead to the root of the signed checkpoint of size ${checkpoint.size}`,
      );
    }
    return result(checkpoint.size, opened.cosignatures);
  } catch (error) {
    if (!(error instanceof NoteError || error instanceof CheckpointError)) throw error;
    problems.push(`checkpoint: ${error.message}`);
    return result(undefined);
  }
}
