import type { Trust } from '@concord/protocol';
import { api, unwrap } from '../api/client';

/** Where the browser remembers the log keys it saw first (trust on first use). */
export const TRUST_STORAGE_KEY = 'concord.log-trust';

/** The keys a server announces at /v1/log/info, as remembered on first use. */
export interface PinnedTrust extends Trust {
  origin: string;
  /** When this browser first saw them (ISO 8601). */
  firstSeen: string;
}

/** What changed between the remembered keys and the ones the server announces now. */
export interface TrustChange {
  log: boolean;
  witnesses: boolean;
  quorum: boolean;
}

export interface LogTrust {
  /** The keys checks run against: the first ones this browser saw. */
  pinned: PinnedTrust;
  /** The keys the server announces today. */
  announced: PinnedTrust;
  /** True when this check is the one that remembered them. */
  firstUse: boolean;
  /** Set when the server's announced keys differ from the remembered ones: a problem to look into. */
  changed: TrustChange | null;
}

function isPinned(value: unknown): value is PinnedTrust {
  const v = value as PinnedTrust | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.origin === 'string' &&
    typeof v.log === 'string' &&
    Array.isArray(v.witnesses) &&
    v.witnesses.every((w) => typeof w === 'string') &&
    typeof v.quorum === 'number' &&
    typeof v.firstSeen === 'string'
  );
}

function readPinned(): PinnedTrust | undefined {
  try {
    const text = globalThis.localStorage?.getItem(TRUST_STORAGE_KEY);
    if (text == null) return undefined;
    const value: unknown = JSON.parse(text);
    return isPinned(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function writePinned(trust: PinnedTrust): void {
  try {
    globalThis.localStorage?.setItem(TRUST_STORAGE_KEY, JSON.stringify(trust));
  } catch {
    // Private browsing without storage: the keys are trusted for this check only.
  }
}

/** Forgets the remembered keys; the next check trusts what the server announces then. */
export function forgetLogTrust(): void {
  try {
    globalThis.localStorage?.removeItem(TRUST_STORAGE_KEY);
  } catch {
    // nothing remembered
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((key, i) => key === [...b].sort()[i]);

/**
 * The keys to check against: the ones this server announces, trusted on first use and remembered,
 * so that a later change of the log's key (or of its witnesses) is noticed rather than followed.
 */
export async function loadLogTrust(): Promise<LogTrust> {
  const info = await unwrap(api.GET('/v1/log/info'));
  const announced: PinnedTrust = {
    origin: info.origin,
    log: info.verifierKey,
    witnesses: info.witnesses.map((w) => w.verifierKey),
    quorum: info.quorum,
    firstSeen: new Date().toISOString(),
  };
  const stored = readPinned();
  if (stored === undefined) {
    writePinned(announced);
    return { pinned: announced, announced, firstUse: true, changed: null };
  }
  const change: TrustChange = {
    log: stored.log !== announced.log || stored.origin !== announced.origin,
    witnesses: !sameSet(stored.witnesses, announced.witnesses),
    quorum: stored.quorum !== announced.quorum,
  };
  const changed = change.log || change.witnesses || change.quorum ? change : null;
  return { pinned: stored, announced, firstUse: false, changed };
}
