-- Double-entry ledger with TigerBeetle's semantics (DESIGN §6). Amounts are fen (or points) in
-- int8. Balances live on the account row and change only in the transaction of the transfer
-- that moves them; the checks below are the database's own backstop for the limits the
-- service enforces first.

create table ledger_accounts (
  id bigserial primary key,
  -- The client's name for the account, e.g. 'escrow:order:8f3a' or 'fee:platform:CNY'.
  key text not null unique check (length(key) between 1 and 128),
  ledger text not null check (ledger ~ '^[A-Z][A-Z0-9_]{1,15}$'),
  code text not null check (code ~ '^[a-z][a-z0-9_]{0,31}$'),
  owner text,
  debits_must_not_exceed_credits boolean not null default false,
  credits_must_not_exceed_debits boolean not null default false,
  debits_pending int8 not null default 0 check (debits_pending >= 0),
  debits_posted int8 not null default 0 check (debits_posted >= 0),
  credits_pending int8 not null default 0 check (credits_pending >= 0),
  credits_posted int8 not null default 0 check (credits_posted >= 0),
  created_at timestamptz not null default now(),
  check (not (debits_must_not_exceed_credits and credits_must_not_exceed_debits)),
  check (not debits_must_not_exceed_credits or debits_pending + debits_posted <= credits_posted),
  check (not credits_must_not_exceed_debits or credits_pending + credits_posted <= debits_posted)
);

create table ledger_transfers (
  seq bigserial primary key,
  -- Client-chosen id: the same id with the same fields is the same transfer.
  id text not null unique check (length(id) between 1 and 128),
  debit_account_id bigint not null references ledger_accounts (id),
  credit_account_id bigint not null references ledger_accounts (id),
  ledger text not null,
  amount int8 not null check (amount > 0),
  code text not null,
  reference text,
  -- 'single' (posted at once), 'pending' (a hold), 'post' or 'void' (resolving `pending_id`).
  kind text not null check (kind in ('single', 'pending', 'post', 'void')),
  pending_id text references ledger_transfers (id),
  timeout_at timestamptz,
  -- For kind = 'pending': what became of the hold.
  state text check (state in ('pending', 'posted', 'voided', 'expired')),
  created_at timestamptz not null default now(),
  check (debit_account_id <> credit_account_id),
  check ((kind = 'pending') = (state is not null)),
  check ((kind in ('post', 'void')) = (pending_id is not null))
);
create index ledger_transfers_debit on ledger_transfers (debit_account_id, seq);
create index ledger_transfers_credit on ledger_transfers (credit_account_id, seq);
create index ledger_transfers_expiring on ledger_transfers (timeout_at) where state = 'pending' and timeout_at is not null;
-- A hold resolves at most once.
create unique index ledger_transfers_one_resolution on ledger_transfers (pending_id) where pending_id is not null;
