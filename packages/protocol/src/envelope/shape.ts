import { isPlainObject } from '../encoding/plain-object.js';
import type { Envelope } from './envelope.js';

/** The envelope is not shaped as DESIGN §4 says; `field` names the offending member. */
export class EnvelopeShapeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeShapeError';
  }
}

export const ENVELOPE_FIELDS = ['v', 'type', 'actor', 'ts', 'nonce', 'body', 'custody', 'sig'] as const;
const KNOWN = new Set<string>(ENVELOPE_FIELDS);

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][a-z0-9_]*){1,4}$/;
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const TS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/**
 * Checks, without cryptography, that `value` has exactly the envelope's members with the right
 * forms, and returns it typed. Cheap: run it before anything that costs.
 */
export function checkEnvelopeShape(value: unknown): Envelope {
  if (!isPlainObject(value)) throw new EnvelopeShapeError('', 'An envelope is a JSON object');
  for (const key of Object.keys(value)) {
    if (!KNOWN.has(key)) throw new EnvelopeShapeError(key, `Unknown envelope member "${key}"`);
  }
  const { v, type, actor, ts, nonce, body, custody, sig } = value;
  if (v !== 1) throw new EnvelopeShapeError('v', 'v must be 1');
  if (typeof type !== 'string' || type.length > 64 || !EVENT_TYPE_PATTERN.test(type)) {
    throw new EnvelopeShapeError('type', 'type is a dotted lower-case event name such as identity.role.applied');
  }
  if (typeof actor !== 'string' || actor.length > 128 || !actor.startsWith('did:key:z')) {
    throw new EnvelopeShapeError('actor', 'actor is the did:key of the signer');
  }
  if (
    typeof ts !== 'string' ||
    !TS_PATTERN.test(ts) ||
    Number.isNaN(Date.parse(ts)) ||
    new Date(ts).toISOString() !== ts
  ) {
    throw new EnvelopeShapeError('ts', 'ts is an ISO 8601 UTC time with milliseconds, e.g. 2026-11-22T10:00:00.000Z');
  }
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
    throw new EnvelopeShapeError('nonce', 'nonce is 16 to 64 base64url characters');
  }
  if (!isPlainObject(body)) throw new EnvelopeShapeError('body', 'body is a JSON object');
  if (custody !== undefined && custody !== 'platform') {
    throw new EnvelopeShapeError('custody', 'custody, when present, is "platform"');
  }
  if (typeof sig !== 'string' || !SIG_PATTERN.test(sig)) {
    throw new EnvelopeShapeError('sig', 'sig is a 64-byte Ed25519 signature in base64url (86 characters)');
  }
  return value as unknown as Envelope;
}
