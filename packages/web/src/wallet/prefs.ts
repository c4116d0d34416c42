import { useSyncExternalStore } from 'react';

/** What the wallet remembers in localStorage: no secrets, only which accounts and what was done. */
const LAST = 'concord.wallet.last';
const CUSTODIAL = 'concord.wallet.custodial';
const BACKED_UP = 'concord.wallet.backedUp';

const storage = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
};

const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

function get(key: string): string | null {
  return storage()?.getItem(key) ?? null;
}

function set(key: string, value: string | null): void {
  try {
    if (value === null) storage()?.removeItem(key);
    else storage()?.setItem(key, value);
  } catch {
    // Storage full or blocked: this is a convenience only.
  }
  emit();
}

/** The DID last unlocked on this device (preselected in the list of keys). */
export const lastDid = (): string | null => get(LAST);
export const rememberLastDid = (did: string | null): void => set(LAST, did);

/** The custodial account used on this device: signing in again needs only its passphrase. */
export const custodialDid = (): string | null => get(CUSTODIAL);
export const rememberCustodialDid = (did: string): void => set(CUSTODIAL, did);

function backedUpList(): string[] {
  try {
    const parsed: unknown = JSON.parse(get(BACKED_UP) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** True once the recovery phrase of `did` was written down and checked (until then the wallet nudges). */
export const isBackedUp = (did: string): boolean => backedUpList().includes(did);

export function markBackedUp(did: string, backedUp = true): void {
  const others = backedUpList().filter((item) => item !== did);
  set(BACKED_UP, JSON.stringify(backedUp ? [...others, did] : others));
}

export function useBackedUp(did: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => isBackedUp(did),
  );
}
