-- The lean order model's tables: what a checkout with payment into escrow must touch, shaped like
-- Concord's own (packages/server/migrations), without the columns and tables only other features
-- need. Names avoid ':' because pgbench reads ':word' in a script as a variable.
create sequence log_seq;
create table sessions (token_hash text primary key, did text not null, expires_at timestamptz not null, revoked_at timestamptz);
insert into sessions select 'tok' || i, 'did_key_buyer' || i, now() + interval '1 day' from generate_series(1, 16) i;
create table skus (id text primary key, product_id text not null, producer_did text not null, title text not null,
  price_fen int8 not null, stock int8 not null check (stock >= 0), status text not null);
insert into skus select 'sku' || i, 'prod' || i, 'did_key_producer' || (i % 20), '商品 product ' || i, 1000 + i, 1000000, 'listed'
  from generate_series(1, 10000) i;
create table carts (buyer_did text not null, sku_id text not null, quantity int not null, unit_price_fen int8 not null,
  added_at timestamptz not null default now(), primary key (buyer_did, sku_id));
create table idem (scope text not null, key text not null, request_hash text not null, status_code int, response jsonb,
  created_at timestamptz not null default now(), primary key (scope, key));
create table orders (id text primary key, seq bigserial unique, buyer_did text not null, producer_did text not null,
  status text not null, total_fen int8 not null, policy jsonb not null, policy_hash text not null,
  escrow_account text not null, payment_id text not null, created_at timestamptz not null default now(), paid_at timestamptz);
create index orders_buyer on orders (buyer_did, seq);
create index orders_producer on orders (producer_did, seq);
create table order_lines (order_id text not null references orders (id), position int not null, sku_id text not null,
  quantity int not null, unit_price_fen int8 not null, title text not null, model_id text, model_version int,
  primary key (order_id, position));
create table ledger_accounts (id bigserial primary key, key text not null unique, ledger text not null, code text not null,
  owner text, debits_pending int8 not null default 0, debits_posted int8 not null default 0,
  credits_pending int8 not null default 0, credits_posted int8 not null default 0, created_at timestamptz not null default now());
insert into ledger_accounts (key, ledger, code) select 'clearing_' || i, 'CNY', 'clearing' from generate_series(0, 15) i;
create table ledger_transfers (seq bigserial primary key, id text not null unique,
  debit_account_id bigint not null references ledger_accounts (id), credit_account_id bigint not null references ledger_accounts (id),
  ledger text not null, amount int8 not null, code text not null, kind text not null, created_at timestamptz not null default now());
create table payments (id text primary key, order_id text not null, amount int8 not null, status text not null,
  escrow_account text not null, created_at timestamptz not null default now());
create table webhook_outbox (id bigserial primary key, payment_id text not null, payload jsonb not null, delivered_at timestamptz);
create table events (id bigserial primary key, type text not null, actor text not null, nonce text not null, ts timestamptz not null,
  envelope jsonb not null, canonical bytea not null, leaf_hash bytea not null, log_index bigint, result jsonb,
  created_at timestamptz not null default now(), unique (actor, nonce));
create unique index events_log_index_key on events (log_index);
create index events_type_idx on events (type, id);
create index events_actor_idx on events (actor, id);
create table log_hashes (level int not null, idx int8 not null, hash bytea not null, primary key (level, idx));
vacuum analyze;
