-- The distribution side of a settlement cycle, computed in one pass over the cycle's completed
-- orders (issue 6's benchmark; the settlement issue builds statements on it): every commission
-- and points entry, recomputable from the orders at any time.
create table distribution_cycle_entries (
  cycle_key text not null,
  order_id text not null,
  kind text not null check (kind in ('direct', 'override', 'cashback', 'referral')),
  party text not null,
  amount_fen int8 not null check (amount_fen >= 0),
  points int8 not null default 0 check (points >= 0),
  primary key (cycle_key, order_id, kind)
);
create index distribution_cycle_entries_party on distribution_cycle_entries (cycle_key, party);
create index orders_completed on orders (completed_at) where status = 'completed';
