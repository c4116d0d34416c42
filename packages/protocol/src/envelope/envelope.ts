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

const SIGNING_PREFIX_BYTES = utf8Encode(SIGNING_PREFIX);

/**
 * The signing bytes of an envelope cut from its canonical bytes (what the log stores) instead of
 * serialized again, for verifiers that hold both. RFC 8785 sorts members, so the envelope without
 * its sig is its canonical text with the `"sig"` member taken out; that member is the last
 * `,"sig":"` in the text, since only ts, type and v (strings without quotes, a number) come after
 * it. Undefined when the text does not hold `sig` so (then call signingBytes).
 */
export function signingBytesOfCanonical(canonical: Uint8Array, sig: string): Uint8Array | undefined {
  const member = utf8Encode(`,"sig":"${sig}"`);
  const at = lastIndexOf(canonical, member);
  if (at < 0) return undefined;
  const end = at + member.length;
  const next = canonical[end];
  if (next !== 0x2c && next !== 0x7d) return undefined; // ',' or '}': the member ends there
  const out = new Uint8Array(SIGNING_PREFIX_BYTES.length + canonical.length - member.length);
  out.set(SIGNING_PREFIX_BYTES, 0);
  out.set(canonical.subarray(0, at), SIGNING_PREFIX_BYTES.length);
  out.set(canonical.subarray(end), SIGNING_PREFIX_BYTES.length + at);
  return out;
}

function lastIndexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export type VerifyFailureCode = 'bad_actor' | 'bad_signature' | 'not_canonical';
export type VerifyResult = { ok: true } | { ok: false; code: VerifyFailureCode; message: string };

/**
 * Checks that `sig` is the actor's signature over the envelope. Never throws. A verifier that has
 * the envelope's signing bytes already (signingBytesOfCanonical) passes them as `message`.
 */
export function verifyEnvelope(envelope: Envelope, crypto: CryptoProvider, message?: Uint8Array): VerifyResult {
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
  let signed: Uint8Array;
  try {
    signed = message ?? signingBytes(envelope);
  } catch (error) {
    if (error instanceof CanonicalError) return { ok: false, code: 'not_canonical', message: error.message };
    throw error;
  }
  if (signature.length !== 64 || !crypto.ed25519.verify(signature, signed, publicKey)) {
    return { ok: false, code: 'bad_signature', message: "sig is not the actor's signature over this envelope" };
  }
  return { ok: true };
}
