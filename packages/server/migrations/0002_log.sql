-- Transparency log (RFC 9162). Every accepted envelope's canonical bytes are one entry; the
-- log index is gapless and assigned in the accepting transaction.

-- One row: the next log index. Its row lock orders sequencing across server processes.
create table log_sequencer (
  singleton boolean primary key default true check (singleton),
  next_index bigint not null
);
insert into log_sequencer (singleton, next_index) values (true, 0);

-- The stored subtree hashes of the Merkle tree, in Go tlog's storage order (index → hash).
create table log_hashes (
  idx bigint primary key,
  hash bytea not null
);

-- Checkpoints the integrator signed, newest last; `note` is the signed note as served.
create table log_checkpoints (
  size bigint primary key,
  root bytea not null,
  note text not null,
  created_at timestamptz not null default now()
);

-- How far the integrator got: entries [0, integrated_size) are in log_hashes.
create table log_integration (
  singleton boolean primary key default true check (singleton),
  integrated_size bigint not null
);
insert into log_integration (singleton, integrated_size) values (true, 0);

-- Witness cosignatures of our checkpoints (C2SP tlog-cosignature lines).
create table log_cosignatures (
  size bigint not null references log_checkpoints (size),
  witness text not null,
  line text not null,
  created_at timestamptz not null default now(),
  primary key (size, witness)
);
