/**
 * A juror's committed vote and its salt, kept in this browser (localStorage) from the commit until
 * the reveal: the server only has the hash, so without them the vote cannot be revealed. Keyed by
 * the juror's DID, the case and the instance.
 */
export interface StoredVote {
  vote: 'uphold' | 'overturn';
  salt: string;
  commit: string;
  savedAt: string;
}

const PREFIX = 'concord.jury-vote';
const keyOf = (did: string, caseId: string, instance: number) => `${PREFIX}:${did}:${caseId}:${instance}`;

export function loadVote(did: string, caseId: string, instance: number): StoredVote | null {
  try {
    const stored = globalThis.localStorage?.getItem(keyOf(did, caseId, instance));
    if (!stored) return null;
    const vote = JSON.parse(stored) as StoredVote;
    return (vote.vote === 'uphold' || vote.vote === 'overturn') && typeof vote.salt === 'string' ? vote : null;
  } catch {
    return null;
  }
}

/** Throws when the browser refuses to store it (private mode, full): the commit must not go out then. */
export function saveVote(did: string, caseId: string, instance: number, vote: StoredVote): void {
  globalThis.localStorage.setItem(keyOf(did, caseId, instance), JSON.stringify(vote));
  if (loadVote(did, caseId, instance)?.salt !== vote.salt) throw new Error('the vote could not be kept');
}

export function forgetVote(did: string, caseId: string, instance: number): void {
  globalThis.localStorage?.removeItem(keyOf(did, caseId, instance));
}
