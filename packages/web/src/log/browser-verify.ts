import {
  canonicalBytes,
  checkLogEntry,
  type Envelope,
  fromBase64,
  type LogEntryProof,
  leafHash,
  nobleCrypto,
  openNote,
  openTrustedCheckpoint,
  parseCheckpoint,
  type TrustVerifiers,
  toBase64,
  toHex,
  trustVerifiers,
  verifyEnvelope,
  verifyInclusion,
} from '@concord/protocol';
import { api, unwrap } from '../api/client';
import { type LogTrust, loadLogTrust } from './trust-store';

const crypto = nobleCrypto;

/** One thing the check proves, in the order it is proved; `ok` is null when it could not be checked. */
export type StepKey = 'leaf' | 'signature' | 'checkpoint' | 'quorum' | 'inclusion';
export interface VerifyStep {
  key: StepKey;
  ok: boolean | null;
}

export interface EntryVerification {
  status: 'ok' | 'failed';
  index: number;
  /** The leaf hash the server served (hex). */
  leafHash: string;
  /** The entry's envelope, when the server served one. */
  envelope: Envelope | undefined;
  /** Size of the trusted checkpoint the inclusion proof led to. */
  treeSize: number | undefined;
  /** Trusted witnesses that cosigned it, and how many are needed. */
  cosignatures: number;
  quorum: number;
  /** Hashes in the inclusion proof. */
  proofLength: number;
  steps: VerifyStep[];
  /** Every way the entry falls short, as @concord/protocol's checkLogEntry words it. */
  problems: string[];
  trust: LogTrust;
  /** How many times the entry was fetched (it is asked again while not yet integrated). */
  attempts: number;
  timing: { fetchMs: number; checkMs: number; totalMs: number };
}

export interface VerifyOptions {
  /** How many times to fetch the entry while it is not yet in a published checkpoint. */
  attempts?: number;
  /** The pause between those fetches. */
  delayMs?: number;
  /** Told before each fetch (1, 2, …), for a progress line. */
  onAttempt?: (attempt: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What each step proves on its own, recomputed from the served entry with the trusted keys. */
function entrySteps(trust: TrustVerifiers, entry: LogEntryProof, envelope: Envelope, cosignatures: number) {
  const leaf = leafHash(crypto, canonicalBytes(envelope));
  const steps: Record<StepKey, boolean | null> = {
    leaf: toHex(leaf) === entry.leafHash,
    signature: verifyEnvelope(envelope, crypto).ok,
    checkpoint: null,
    quorum: null,
    inclusion: null,
  };
  if (entry.integrated && entry.checkpoint !== null && entry.proof !== null) {
    try {
      // The log's own signature alone: witnesses' lines are the next step.
      const checkpoint = parseCheckpoint(openNote(crypto, entry.checkpoint.note, [trust.log]).text);
      steps.checkpoint = checkpoint.origin === trust.origin;
      steps.quorum = cosignatures >= trust.quorum;
      steps.inclusion = verifyInclusion(
        crypto,
        leaf,
        entry.index,
        checkpoint.size,
        entry.proof.map(fromBase64),
        checkpoint.rootHash,
      );
    } catch {
      steps.checkpoint = steps.checkpoint ?? false;
      steps.quorum = steps.quorum ?? false;
      steps.inclusion = false;
    }
  }
  return (Object.keys(steps) as StepKey[]).map((key) => ({ key, ok: steps[key] }));
}

/**
 * Verifies log entry `index` in this browser, trusting nothing the server says beyond the keys it
 * announced the first time (remembered in localStorage): fetches the entry with its inclusion
 * proof and checkpoint, and runs @concord/protocol's checkLogEntry on it — the same check as
 * `concord verify --entry`. While the entry is not yet in a published checkpoint it asks again.
 * Throws only when the server cannot be asked (an ApiError: network, 404…).
 */
export async function verifyLogEntry(index: number, options: VerifyOptions = {}): Promise<EntryVerification> {
  const maxAttempts = options.attempts ?? 6;
  const delayMs = options.delayMs ?? 500;
  const started = performance.now();
  const trust = await loadLogTrust();
  let entry: LogEntryProof;
  let attempts = 0;
  for (;;) {
    attempts++;
    options.onAttempt?.(attempts);
    entry = await unwrap(api.GET('/v1/log/entries/{index}', { params: { path: { index } } }));
    if (entry.integrated || attempts >= maxAttempts) break;
    await sleep(delayMs);
  }
  const fetched = performance.now();

  const { pinned } = trust;
  const problems: string[] = [];
  let envelope: Envelope | undefined;
  let treeSize: number | undefined;
  let cosignatures = 0;
  let steps: VerifyStep[] = [];
  try {
    const verifiers = trustVerifiers(crypto, pinned);
    const check = checkLogEntry(crypto, verifiers, entry);
    envelope = check.envelope;
    treeSize = check.treeSize;
    cosignatures = check.cosignatures;
    problems.push(...check.problems);
    steps = entrySteps(verifiers, entry, check.envelope, check.cosignatures);
  } catch (error) {
    // Not an envelope at all, a malformed proof or a malformed remembered key.
    problems.push(message(error));
  }
  if (trust.changed?.log) problems.push("the log's key is not the one this browser saw first");
  if (trust.changed?.witnesses) problems.push('the witnesses announced are not the ones this browser saw first');
  if (trust.changed?.quorum) problems.push('the quorum announced is not the one this browser saw first');
  const finished = performance.now();
  const ok = problems.length === 0 && steps.length > 0 && steps.every((step) => step.ok === true);
  return {
    status: ok ? 'ok' : 'failed',
    index,
    leafHash: entry.leafHash,
    envelope,
    treeSize,
    cosignatures,
    quorum: pinned.quorum,
    proofLength: entry.proof?.length ?? 0,
    steps,
    problems,
    trust,
    attempts,
    timing: {
      fetchMs: Math.round(fetched - started),
      checkMs: Math.round(finished - fetched),
      totalMs: Math.round(finished - started),
    },
  };
}

export interface CheckpointVerification {
  status: 'ok' | 'failed';
  origin: string | undefined;
  size: number | undefined;
  /** base64 root hash. */
  rootHash: string | undefined;
  /** The log's signature verifies with the remembered key. */
  signedByLog: boolean;
  /** Names of the trusted witnesses whose cosignatures verify. */
  witnesses: string[];
  cosignatures: number;
  quorum: number;
  problems: string[];
  trust: LogTrust;
  checkMs: number;
}

/**
 * Checks a served checkpoint note in this browser: signed by the remembered log key, and cosigned
 * by a quorum of the remembered witnesses.
 */
export async function verifyCheckpointNote(note: string): Promise<CheckpointVerification> {
  const trust = await loadLogTrust();
  const started = performance.now();
  const { pinned } = trust;
  const problems: string[] = [];
  let opened: ReturnType<typeof openTrustedCheckpoint> | undefined;
  let witnesses: string[] = [];
  let signedByLog = false;
  try {
    const verifiers = trustVerifiers(crypto, pinned);
    opened = openTrustedCheckpoint(crypto, verifiers, note);
    problems.push(...opened.problems);
    const verified = openNote(crypto, note, [verifiers.log, ...verifiers.witnesses]).verified;
    const signed = (v: { name: string; keyId: number }) =>
      verified.some((s) => s.name === v.name && s.keyId === v.keyId);
    signedByLog = signed(verifiers.log);
    witnesses = verifiers.witnesses.filter(signed).map((w) => w.name);
  } catch (error) {
    problems.push(message(error));
  }
  if (trust.changed?.log) problems.push("the log's key is not the one this browser saw first");
  if (trust.changed?.witnesses) problems.push('the witnesses announced are not the ones this browser saw first');
  if (trust.changed?.quorum) problems.push('the quorum announced is not the one this browser saw first');
  const checkpoint = opened?.checkpoint;
  return {
    status: problems.length === 0 && signedByLog ? 'ok' : 'failed',
    origin: checkpoint?.origin,
    size: checkpoint?.size,
    rootHash: checkpoint === undefined ? undefined : toBase64(checkpoint.rootHash),
    signedByLog,
    witnesses,
    cosignatures: opened?.cosignatures ?? 0,
    quorum: pinned.quorum,
    problems,
    trust,
    checkMs: Math.round(performance.now() - started),
  };
}
