import { createEnvelope, newNonce, nobleCrypto, signEnvelope } from '@concord/protocol';
import { ApiError, api, idempotencyKey, unwrap } from '../api/client';
import { platformNow } from '../api/server-time';
import { setSession } from '../session/session-store';
import { onPlatformTime, signInWithKey } from '../session/signer';
import { putKey } from './key-store';
import { rememberCustodialDid, rememberLastDid } from './prefs';
import { type OpenedKey, openRecord, sealKey, type WalletRecord } from './vault';

/** The profile a new account may give (kept in the platform's database only, never on the log). */
const profileOf = (displayName?: string) => {
  const name = displayName?.trim();
  return name ? { displayName: name } : undefined;
};

/** Registers a self-held key: an identity.account.registered envelope signed here, in the browser. */
export async function registerAccount(key: OpenedKey, displayName?: string): Promise<void> {
  await onPlatformTime(async () => {
    const envelope = signEnvelope(
      createEnvelope({
        type: 'identity.account.registered',
        actor: key.did,
        body: {},
        ts: platformNow(),
        nonce: newNonce(nobleCrypto),
      }),
      key.secretKey,
      nobleCrypto,
    );
    await unwrap(api.POST('/v1/accounts', { body: { envelope, profile: profileOf(displayName) } }));
  });
}

/** Registers the key unless its account exists already (a restored or imported key usually has one). */
export async function ensureRegistered(key: OpenedKey, displayName?: string): Promise<void> {
  try {
    await unwrap(api.GET('/v1/accounts/{did}', { params: { path: { did: key.did } } }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) await registerAccount(key, displayName);
    else throw error;
  }
}

/** Registers a key just made here (a retry after a lost answer finds it registered, and goes on). */
async function registerNew(key: OpenedKey, displayName?: string): Promise<void> {
  try {
    await registerAccount(key, displayName);
  } catch (error) {
    if (!(error instanceof ApiError && error.status >= 400 && error.status < 500)) throw error;
    const known = await unwrap(api.GET('/v1/accounts/{did}', { params: { path: { did: key.did } } })).catch(() => null);
    if (known === null) throw error;
  }
}

/**
 * Signs in with an opened key, registering it first: a new key at once, a restored or imported
 * one when the platform does not know it yet.
 */
export async function signInOpened(
  key: OpenedKey,
  options: { displayName?: string; isNew?: boolean } = {},
): Promise<void> {
  if (options.isNew) await registerNew(key, options.displayName);
  else await ensureRegistered(key, options.displayName);
  await signInWithKey({ did: key.did, secretKey: key.secretKey });
  rememberLastDid(key.did);
}

/** Decrypts a key of this device with its passphrase and signs in with it. */
export async function unlockAndSignIn(record: WalletRecord, passphrase: string): Promise<OpenedKey> {
  const key = await openRecord(record, passphrase);
  await signInOpened(key);
  return key;
}

/**
 * Keeps a key on this device, encrypted under `passphrase`, and signs in with it: a new wallet
 * (registered with the profile), a restored phrase, or an imported file (stored as it came).
 */
export async function keepAndSignIn(
  key: OpenedKey,
  record: WalletRecord,
  options: { displayName?: string; isNew?: boolean } = {},
): Promise<void> {
  await putKey(record);
  await signInOpened(key, options);
}

/** Seals a key under a new passphrase with the new-wallet work factor. */
export const sealNew = (key: OpenedKey, passphrase: string, label: string): Promise<WalletRecord> =>
  sealKey(key.secretKey, passphrase, { label });

/**
 * A custodial sign-up: the platform makes and holds the key. Retrying the same request (same
 * passphrase and profile) reuses its Idempotency-Key, so a double tap makes one account.
 */
export function custodialSignUp() {
  let last: { request: string; key: string } | null = null;
  return async (passphrase: string, displayName?: string): Promise<string> => {
    const body = { passphrase, profile: profileOf(displayName) };
    const request = JSON.stringify(body);
    if (last?.request !== request) last = { request, key: idempotencyKey('custodial-account') };
    const { session } = await unwrap(
      api.POST('/v1/accounts/custodial', { body, headers: { 'idempotency-key': last.key } }),
    );
    setSession({ did: session.did, token: session.token, expiresAt: session.expiresAt, custody: 'platform' });
    rememberCustodialDid(session.did);
    last = null;
    return session.did;
  };
}
