-- What a payment is for, so the module that started it can follow its outcome (an order's
-- checkout, a producer's deposit); payouts (withdrawals) through the same providers.

alter table payments add column purpose text not null default 'manual' check (purpose ~ '^[a-z][a-z0-9_]{0,31}$');
alter table payments add column reference text;
-- Refunds made so far: each has its own transfer and provider refund id.
alter table payments add column refunds int not null default 0;
create index payments_open on payments (created_at) where status = 'created';

create table payouts (
  id text primary key check (length(id) between 1 and 128),
  provider text not null,
  provider_ref text not null unique,
  -- The ledger account paid out from, and the provider's clearing account it goes to.
  account text not null,
  clearing_account text not null,
  ledger text not null,
  amount int8 not null check (amount > 0),
  -- Where the provider sends the money (a bank card, a wallet id): personal data, never logged.
  destination text not null check (length(destination) between 1 and 200),
  requested_by text not null,
  status text not null check (status in ('created', 'succeeded', 'failed')),
  hold_transfer_id text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index payouts_open on payouts (created_at) where status = 'created';
create index payouts_account on payouts (account, created_at);
