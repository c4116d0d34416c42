-- Settlement cycles (issue 8, DESIGN §7 and §11). A cycle is closed by a resumable job: batches
-- of completed orders are settled (escrow → the cycle's clearing account), their legs summed as
-- they go, then the pools are divided and everything in the clearing account is paid out by
-- leaf, and the result is published as an operator-signed envelope with the leaves' Merkle root.
create table settlement_cycles (
  cycle int primary key,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  status text not null check (status in ('closing', 'closed')),
  orders int not null default 0,
  paid_fen int8 not null default 0,
  leaves int,
  root text,
  inputs_digest text,
  totals jsonb,
  -- What the result was computed with, as it was at the close (the inputs document repeats them).
  policy jsonb,
  witnesses jsonb,
  event_id bigint,
  started_at timestamptz not null,
  closed_at timestamptz
);

-- Every order as it was settled: the inputs of its legs (no personal data), and the record that
-- it was settled at all (an order is settled once, in one cycle).
create table settlement_orders (
  order_id text primary key,
  cycle int not null,
  paid_fen int8 not null check (paid_fen >= 0),
  held_fen int8 not null check (held_fen >= 0),
  policy_hash text not null,
  supplier text not null,
  buyer text not null,
  promoter text,
  upline text,
  -- [{amountFen, expert?}]: what each line paid and whose model its product uses.
  lines jsonb not null,
  -- The order's line of the inputs document, as the close wrote it (so the digest is a read).
  input_line text not null
);
create index settlement_orders_cycle on settlement_orders (cycle, order_id);
create index settlement_orders_supplier on settlement_orders (supplier, cycle);

-- The running sums of a cycle being closed, by (kind, party): legs, pool intake, experts' fees.
create table settlement_entries (
  cycle int not null,
  kind text not null,
  party text not null,
  amount_fen int8 not null,
  primary key (cycle, kind, party)
);

-- A refund after settlement reverses the order's legs out of the cycle open at the time.
create table settlement_adjustments (
  cycle int not null,
  order_id text not null,
  refund_id text not null,
  kind text not null,
  party text not null,
  amount_fen int8 not null check (amount_fen < 0),
  created_at timestamptz not null,
  primary key (order_id, refund_id, kind, party)
);
create index settlement_adjustments_cycle on settlement_adjustments (cycle);

-- A closed cycle's result: one amount per (party, kind), in Merkle leaf order.
create table settlement_leaves (
  cycle int not null,
  position int not null,
  party text not null,
  kind text not null,
  amount_fen int8 not null,
  primary key (cycle, position)
);
create index settlement_leaves_party on settlement_leaves (party, cycle);

-- The rounds whose testers a cycle paid, and what.
create table settlement_rounds (
  round_id text primary key,
  cycle int not null,
  pool_fen int8 not null,
  paid_fen int8 not null
);

-- Which cycle settled an order (the orders module marks it for the close): the close reads the
-- completed orders no cycle settled yet, in sequence, by an index that holds only those, so a
-- close costs the same whatever the history before it.
alter table orders add column settled_cycle int;
create index orders_unsettled on orders (seq) where status = 'completed' and settled_cycle is null;
