import { z } from 'zod';

/**
 * The envelope of DESIGN §4, for the OpenAPI document and typed clients. The authority on its
 * shape is `checkEnvelopeShape` in @concord/protocol, which the pipeline runs on every request.
 */
export const ENVELOPE_SCHEMA = z
  .strictObject({
    v: z.literal(1),
    type: z.string().min(3).max(64).describe('Event type, e.g. identity.role.applied'),
    actor: z.string().max(128).describe('did:key of the signer'),
    ts: z.string().describe('ISO 8601 UTC with milliseconds; within ±5 minutes of the server clock'),
    nonce: z.string().min(16).max(64).describe('base64url; unique per actor; a replay returns the first result'),
    body: z.record(z.string(), z.unknown()),
    custody: z.literal('platform').optional().describe('Present when the platform holds the signing key'),
    sig: z.string().describe('base64url Ed25519 signature over "concord/v1\\n" + RFC 8785 JSON of the rest'),
  })
  .meta({ id: 'Envelope' });
