import { z } from 'zod';
import { APPLICABLE_ROLES, ROLES } from './roles.js';

export const DID_SCHEMA = z
  .string()
  .max(128)
  .regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'must be a did:key')
  .describe('An Ed25519 did:key.');

/** Personal data: stored in the database only, never on the log. */
export const PROFILE_SCHEMA = z
  .object({
    displayName: z.string().trim().min(1).max(64).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 -]{6,20}$/, 'must be a phone number')
      .optional(),
    email: z.email().max(254).optional(),
  })
  .strict();
export type Profile = z.infer<typeof PROFILE_SCHEMA>;

export const ROLE_SCHEMA = z.enum(ROLES);
export const APPLICABLE_ROLE_SCHEMA = z.enum(APPLICABLE_ROLES);

export const ACCOUNT_SCHEMA = z.object({
  did: DID_SCHEMA,
  custodial: z.boolean().describe('True when the platform holds this account key.'),
  roles: z.array(ROLE_SCHEMA),
  registeredAt: z.string().describe('ISO 8601'),
});

export const ME_SCHEMA = ACCOUNT_SCHEMA.extend({ profile: PROFILE_SCHEMA });

export const SESSION_SCHEMA = z.object({
  token: z.string().describe('Send as "Authorization: Bearer <token>".'),
  did: DID_SCHEMA,
  expiresAt: z.string(),
});

export const APPLICATION_SCHEMA = z.object({
  id: z.string(),
  did: DID_SCHEMA,
  role: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  appliedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
