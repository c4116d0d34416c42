import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { bytesParameter } from '../../db/connection.js';

export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: bytesParameter,
  fromDriver: (value) => new Uint8Array(value),
});

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    nonce: text('nonce').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
    custodial: boolean('custodial').notNull().default(false),
    envelope: jsonb('envelope').notNull(),
    canonical: bytea('canonical').notNull(),
    leafHash: bytea('leaf_hash').notNull(),
    logIndex: bigint('log_index', { mode: 'bigint' }),
    result: jsonb('result'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [unique('events_actor_nonce_key').on(t.actor, t.nonce)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: bytea('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);
