-- Payments through a provider adapter (DESIGN §6). A successful payment becomes a hold
-- (pending transfer) from the provider's clearing account into the order's escrow account.

create table payments (
  id text primary key check (length(id) between 1 and 128),
  provider text not null,
  provider_ref text not null unique,
  clearing_account text not null,
  escrow_account text not null,
  ledger text not null,
  amount int8 not null check (amount > 0),
  status text not null check (status in ('created', 'succeeded', 'failed', 'timed_out')),
  hold_transfer_id text,
  refunded int8 not null default 0 check (refunded >= 0 and refunded <= amount),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Webhook events already handled, so a duplicate delivery changes nothing.
create table payment_webhook_events (
  provider text not null,
  event_id text not null,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);

-- The sandbox provider's outgoing webhooks: written in the payment's transaction, delivered
-- (with retries) by a job, so none is lost and none is sent for a payment that rolled back.
create table sandbox_webhook_outbox (
  id bigserial primary key,
  event_id text not null unique,
  body text not null,
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  delivered_at timestamptz,
  last_error text
);
create index sandbox_webhook_outbox_due on sandbox_webhook_outbox (next_attempt_at) where delivered_at is null;
