import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '../events/tables.js';

export const accounts = pgTable('accounts', {
  did: text('did').primaryKey(),
  custodial: boolean('custodial').notNull().default(false),
  registeredEventId: bigint('registered_event_id', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
});

export const accountProfiles = pgTable('account_profiles', {
  did: text('did').primaryKey(),
  displayName: text('display_name'),
  phone: text('phone'),
  email: text('email'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
});

export const accountRoles = pgTable(
  'account_roles',
  {
    did: text('did').notNull(),
    role: text('role').notNull(),
    source: text('source', { enum: ['event', 'config', 'default'] }).notNull(),
    grantedEventId: bigint('granted_event_id', { mode: 'bigint' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.did, t.role] })],
);

export const roleApplications = pgTable('role_applications', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  did: text('did').notNull(),
  role: text('role').notNull(),
  status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
  appliedEventId: bigint('applied_event_id', { mode: 'bigint' }).notNull(),
  decidedEventId: bigint('decided_event_id', { mode: 'bigint' }),
  decidedBy: text('decided_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
});

export const authChallenges = pgTable('auth_challenges', {
  challenge: text('challenge').primaryKey(),
  did: text('did').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
});

export const sessions = pgTable('sessions', {
  tokenHash: bytea('token_hash').primaryKey(),
  did: text('did').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const custodialKeys = pgTable('custodial_keys', {
  did: text('did').primaryKey(),
  secretCiphertext: bytea('secret_ciphertext').notNull(),
  secretIv: bytea('secret_iv').notNull(),
  secretTag: bytea('secret_tag').notNull(),
  passphraseHash: text('passphrase_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
});
