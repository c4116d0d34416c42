import {
  createEnvelope,
  type Envelope,
  newNonce,
  nobleCrypto,
  signEnvelope,
  signInMessage,
  toBase64Url,
} from '@concord/protocol';
import { useSyncExternalStore } from 'react';
import { ApiError, api, idempotencyKey as freshKey, unwrap } from '../api/client';
import { platformNow } from '../api/server-time';
import { currentSession, setSession, signOutLocally } from './session-store';

/** A self-held key, unlocked from the wallet; kept in memory only, never stored in the clear. */
export interface UnlockedKey {
  did: string;
  secretKey: Uint8Array;
}

let unlocked: UnlockedKey | null = null;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

export function setUnlockedKey(key: UnlockedKey | null): void {
  unlocked = key;
  emit();
}

export const unlockedKey = (): UnlockedKey | null => unlocked;

export function useUnlockedKey(): UnlockedKey | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => unlocked,
  );
}

export class SignInRequired extends ApiError {
  constructor() {
    super(401, 'sign_in_required', 'Sign in first.');
  }
}

async function keyFor(did: string): Promise<UnlockedKey> {
  if (unlocked?.did === did) return unlocked;
  // The wallet's dialog asks for the passphrase; it resolves with the key, rejects when cancelled.
  const { requestUnlock } = await import('../wallet/request-unlock');
  return requestUnlock(did);
}

/**
 * An envelope signed by the signed-in account: in this browser with the wallet's key, or by the
 * platform for a custodial account. Used as is by the requests that take an envelope (checkout,
 * shipment); submitEvent posts it.
 */
export async function signEnvelopeAs(
  type: string,
  body: Record<string, unknown>,
  idempotencyKey: string = freshKey('sign'),
): Promise<Envelope> {
  const session = currentSession();
  if (session === null) throw new SignInRequired();
  if (session.custody === 'platform') {
    const signed = await unwrap(
      api.POST('/v1/custodial/envelopes', { body: { type, body }, headers: { 'idempotency-key': idempotencyKey } }),
    );
    return signed.envelope as Envelope;
  }
  const key = await keyFor(session.did);
  const envelope = createEnvelope({ type, actor: key.did, body, ts: platformNow(), nonce: newNonce(nobleCrypto) });
  return signEnvelope(envelope, key.secretKey, nobleCrypto);
}

export type EventReceipt = Awaited<ReturnType<typeof submitEvent>>;

/** Signs and submits an event as the signed-in account; its receipt (with the result) or an ApiError. */
export async function submitEvent(type: string, body: Record<string, unknown>, idempotencyKey = freshKey('event')) {
  const session = currentSession();
  if (session === null) throw new SignInRequired();
  if (session.custody === 'platform') {
    return unwrap(
      api.POST('/v1/custodial/events', { body: { type, body }, headers: { 'idempotency-key': idempotencyKey } }),
    );
  }
  return onPlatformTime(async () => {
    const envelope = await signEnvelopeAs(type, body, idempotencyKey);
    return unwrap(api.POST('/v1/events', { body: envelope as never }));
  });
}

/**
 * Signs and sends once more when the platform refused the envelope's time: the refusal's Date
 * header has set this device's idea of the platform's clock right (api/server-time.ts).
 */
export async function onPlatformTime<T>(signAndSend: () => Promise<T>): Promise<T> {
  try {
    return await signAndSend();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'stale_timestamp') return signAndSend();
    throw error;
  }
}

/** Signs the server's challenge with a self-held key and keeps the session. */
export async function signInWithKey(key: UnlockedKey): Promise<void> {
  const { challenge } = await unwrap(api.POST('/v1/auth/challenges', { body: { did: key.did } }));
  const signature = toBase64Url(nobleCrypto.ed25519.sign(signInMessage(challenge), key.secretKey));
  const session = await unwrap(api.POST('/v1/auth/sessions', { body: { did: key.did, challenge, signature } }));
  setUnlockedKey(key);
  setSession({ did: session.did, token: session.token, expiresAt: session.expiresAt, custody: 'self' });
}

/** Signs in to a custodial account with its passphrase. */
export async function signInCustodial(did: string, passphrase: string): Promise<void> {
  const session = await unwrap(api.POST('/v1/auth/custodial-sessions', { body: { did, passphrase } }));
  setSession({ did: session.did, token: session.token, expiresAt: session.expiresAt, custody: 'platform' });
}

/** Revokes the session on the server (when it still answers) and forgets it and the unlocked key here. */
export async function signOut(): Promise<void> {
  try {
    await api.DELETE('/v1/auth/session');
  } finally {
    setUnlockedKey(null);
    signOutLocally();
  }
}
