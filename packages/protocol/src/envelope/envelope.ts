import { CanonicalError } from '../canonical/canonical-error.js';
import { canonicalize } from '../canonical/canonicalize.js';
import type { CryptoProvider } from '../crypto/types.js';
import { fromBase64Url, toBase64Url, utf8Encode } from '../encoding/bytes.js';
import { publicKeyFromDidKey } from '../identity/did-key.js';

/** DESIGN §4: a state change signed by its actor. */
export interface Envelope<Body extends Record<string, unknown> = Record<string, unknown>> {
  v: 1;
  type: string;
  actor: string;
  /** ISO 8601 UTC with milliseconds, as Date#toISOString prints it. */
  ts: string;
  nonce: string;
  body: Body;
  /** Present when the platform holds the actor's key and signed for them. */
  custody?: 'platform';
  /** base64url (no padding) Ed25519 signature over `signingBytes`. */
  sig: string;
}

export type UnsignedEnvelope<Body extends Record<string, unknown> = Record<string, unknown>> = Omit<
  Envelope<Body>,
  'sig'
>;

/** Domain separation: a Concord envelope signature can never be replayed as any other message. */
export const SIGNING_PREFIX = 'concord/v1\n';

export interface EnvelopeInput<Body extends Record<string, unknown>> {
  type: string;
  actor: string;
  body: Body;
  ts: Date | string;
  nonce: string;
  custody?: 'platform' | undefined;
}

export function createEnvelope<Body extends Record<string, unknown>>(
  input: EnvelopeInput<Body>,
): UnsignedEnvelope<Body> {
  const envelope: UnsignedEnvelope<Body> = {
    v: 1,
    type: input.type,
    actor: input.actor,
    ts: typeof input.ts === 'string' ? input.ts : input.ts.toISOString(),
    nonce: input.nonce,
    body: input.body,
  };
  if (input.custody !== undefined) envelope.custody = input.custody;
  return envelope;
}

/** A fresh nonce: 16 random bytes, base64url (22 characters). */
export const newNonce = (crypto: CryptoProvider): string => toBase64Url(crypto.randomBytes(16));

/** "concord/v1\n" ‖ RFC 8785 JSON of the envelope without `sig`. */
export function signingBytes(envelope: UnsignedEnvelope | Envelope): Uint8Array {
  const { sig: _sig, ...unsigned } = envelope as Envelope;
  return utf8Encode(SIGNING_PREFIX + canonicalize(unsigned, { safeIntegersOnly: true }));
}

export function signEnvelope<Body extends Record<string, unknown>>(
  envelope: UnsignedEnvelope<Body>,
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): Envelope<Body> {
  const sig = toBase64Url(crypto.ed25519.sign(signingBytes(envelope), secretKey));
  return { ...envelope, sig };
}

export type VerifyFailureCode = 'bad_actor' | 'bad_signature' | 'not_canonical';
export type VerifyResult = { ok: true } | { ok: false; code: VerifyFailureCode; message: string };

/** Checks that `sig` is the actor's signature over the envelope. Never throws. */
export function verifyEnvelope(envelope: Envelope, crypto: CryptoProvider): VerifyResult {
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyFromDidKey(envelope.actor);
  } catch (error) {
    return { ok: false, code: 'bad_actor', message: `actor is not an Ed25519 did:key: ${(error as Error).message}` };
  }
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(envelope.sig);
  } catch {
    return { ok: false, code: 'bad_signature', message: 'sig is not base64url' };
  }
  let message: Uint8Array;
  try {
    message = signingBytes(envelope);
  } catch (error) {
    if (error instanceof CanonicalError) return { ok: false, code: 'not_canonical', message: error.message };
    throw error;
  }
  if (signature.length !== 64 || !crypto.ed25519.verify(signature, message, publicKey)) {
    return { ok: false, code: 'bad_signature', message: "sig is not the actor's signature over this envelope" };
  }
  return { ok: true };
}
