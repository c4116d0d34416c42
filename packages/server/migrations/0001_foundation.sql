-- Foundation: the event journal, idempotency, identities, roles, sessions, custodial keys.

-- Every accepted envelope, once. (actor, nonce) is the replay key; the stored result is what a
-- replay is answered with.
create table events (
  id bigserial primary key,
  type text not null,
  actor text not null,
  nonce text not null,
  ts timestamptz not null,
  custodial boolean not null default false,
  envelope jsonb not null,
  canonical bytea not null,
  -- RFC 9162 leaf hash SHA-256(0x00 ‖ canonical); equal leaf hashes mean the same envelope.
  leaf_hash bytea not null,
  -- Gapless position in the transparency log, assigned in the accepting transaction just
  -- before it commits (so null is never visible to other transactions).
  log_index bigint,
  result jsonb,
  created_at timestamptz not null default now(),
  constraint events_actor_nonce_key unique (actor, nonce)
);
create unique index events_log_index_key on events (log_index);
create index events_type_idx on events (type, id);
create index events_actor_idx on events (actor, id);

-- Replay protection for POSTs that are not envelopes: same key, same request → same answer.
create table idempotency_keys (
  scope text not null,
  key text not null,
  request_hash bytea not null,
  status_code integer not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (scope, key)
);

create table accounts (
  did text primary key,
  custodial boolean not null default false,
  registered_event_id bigint not null references events (id),
  created_at timestamptz not null default now()
);

-- Personal data: only here, never on the log.
create table account_profiles (
  did text primary key references accounts (did),
  display_name text,
  phone text,
  email text,
  updated_at timestamptz not null default now()
);

create table account_roles (
  did text not null,
  role text not null,
  -- 'event' when granted by an envelope, 'config' for operator/custodian from configuration.
  source text not null check (source in ('event', 'config', 'default')),
  granted_event_id bigint references events (id),
  granted_at timestamptz not null default now(),
  primary key (did, role)
);

create table role_applications (
  id bigserial primary key,
  did text not null references accounts (did),
  role text not null,
  status text not null check (status in ('pending', 'approved', 'rejected')),
  applied_event_id bigint not null references events (id),
  decided_event_id bigint references events (id),
  decided_by text,
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create unique index role_applications_one_pending on role_applications (did, role) where status = 'pending';
create index role_applications_status_idx on role_applications (status, id);

create table auth_challenges (
  challenge text primary key,
  did text not null,
  expires_at timestamptz not null,
  used_at timestamptz
);

create table sessions (
  token_hash bytea primary key,
  did text not null references accounts (did),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_did_idx on sessions (did);

-- Keys held for accounts that chose custody: AES-256-GCM under the server's key-encryption key.
create table custodial_keys (
  did text primary key references accounts (did),
  secret_ciphertext bytea not null,
  secret_iv bytea not null,
  secret_tag bytea not null,
  passphrase_hash text not null,
  created_at timestamptz not null default now()
);
