import { useSyncExternalStore } from 'react';

/** Who is signed in: their DID, their session token, and who holds their key. */
export interface Session {
  did: string;
  token: string;
  expiresAt: string;
  /** 'self': the key is in this browser's wallet; 'platform': a custodial account. */
  custody: 'self' | 'platform';
}

const STORAGE_KEY = 'concord.session';
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!stored) return null;
    const session = JSON.parse(stored) as Session;
    return new Date(session.expiresAt).getTime() > Date.now() ? session : null;
  } catch {
    return null;
  }
}

let session: Session | null = read();

function emit(): void {
  for (const listener of listeners) listener();
}

export const currentSession = (): Session | null => session;

export function setSession(next: Session): void {
  session = next;
  globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(next));
  emit();
}

/** Forgets the session here (the server's token is revoked by signOut in session/auth). */
export function signOutLocally(): void {
  if (session === null) return;
  session = null;
  globalThis.localStorage?.removeItem(STORAGE_KEY);
  emit();
}

// Another tab signed in or out.
globalThis.addEventListener?.('storage', (event) => {
  if (event.key === STORAGE_KEY) {
    session = read();
    emit();
  }
});

export function useSession(): Session | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}
