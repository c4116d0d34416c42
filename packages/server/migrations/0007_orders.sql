-- Carts, shipping addresses, orders and their refunds (issue 5). Addresses and tracking numbers
-- are personal data: they live here and never on the log, which carries DIDs, items and amounts.

create table order_carts (
  buyer_did text not null,
  sku_id text not null,
  quantity int not null check (quantity between 1 and 999),
  -- The price when the item was put in the cart: a later change is shown before checkout.
  unit_price_fen int8 not null check (unit_price_fen > 0),
  added_at timestamptz not null default now(),
  primary key (buyer_did, sku_id)
);

create table order_addresses (
  id bigserial primary key,
  buyer_did text not null,
  recipient text not null check (length(recipient) between 1 and 50),
  phone text not null check (length(phone) between 5 and 20),
  region text not null check (length(region) between 1 and 100),
  detail text not null check (length(detail) between 1 and 200),
  created_at timestamptz not null default now()
);
create index order_addresses_buyer on order_addresses (buyer_did, id);

create table orders (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{6,64}$'),
  seq bigserial not null unique,
  buyer_did text not null,
  producer_did text not null,
  status text not null check (status in ('created', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded')),
  total_fen int8 not null check (total_fen > 0),
  refunded_fen int8 not null default 0 check (refunded_fen >= 0 and refunded_fen <= total_fen),
  currency text not null,
  -- The split policy in force at checkout, and its hash as the buyer signed it.
  policy jsonb not null,
  policy_hash text not null,
  -- Who brought the buyer (the distribution issue fills it); null: nobody.
  attribution jsonb,
  escrow_account text not null,
  payment_id text not null,
  placed_event_id bigint not null,
  ship_recipient text not null,
  ship_phone text not null,
  ship_region text not null,
  ship_detail text not null,
  carrier text,
  tracking_number text,
  pay_by timestamptz not null,
  paid_at timestamptz,
  shipped_at timestamptz,
  deliver_by timestamptz,
  delivered_at timestamptz,
  complete_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  created_at timestamptz not null
);
create index orders_buyer on orders (buyer_did, seq desc);
create index orders_producer on orders (producer_did, seq desc);
create index orders_unpaid on orders (pay_by) where status = 'created';
create index orders_in_transit on orders (deliver_by) where status = 'shipped';
create index orders_delivered on orders (complete_at) where status = 'delivered';

create table order_lines (
  order_id text not null references orders (id),
  position int not null,
  sku_id text not null,
  product_id text not null,
  title_zh text not null,
  quantity int not null check (quantity between 1 and 999),
  unit_price_fen int8 not null check (unit_price_fen > 0),
  refunded_quantity int not null default 0,
  primary key (order_id, position),
  check (refunded_quantity between 0 and quantity)
);

create table order_refunds (
  order_id text not null references orders (id),
  refund_id text not null check (refund_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  status text not null check (status in ('requested', 'approved', 'refused', 'refunded')),
  amount_fen int8 not null check (amount_fen > 0),
  -- [{position, quantity}] of the lines refunded.
  lines jsonb not null,
  reason text not null,
  decision_reason text,
  requested_event_id bigint not null,
  decided_event_id bigint,
  decided_by text,
  created_at timestamptz not null,
  primary key (order_id, refund_id)
);
-- At most one refund request open per order.
create unique index order_refunds_open on order_refunds (order_id) where status = 'requested';
