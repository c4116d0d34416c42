-- Consumer points and supplier incentives (issue 6), beside 0008: the points side of each
-- completed order, points lots by age, transfers between members, the monthly retirement runs,
-- supplier tokens earned and redeemed, and the order of ratings for the deposit-cut rule. Points
-- and tokens themselves live in the ledger (ledgers POINTS and TOKENS); these rows say why.

-- The points side of a completed order, once per order: the tier its cashback was paid at and
-- whether it was the buyer's first completed order (the referral). Completing twice (a replay, a
-- review approved after completion) finds the row and awards nothing again.
create table distribution_points_orders (
  order_id text primary key references orders (id),
  buyer_did text not null,
  paid_fen int8 not null check (paid_fen >= 0),
  refunded_fen int8 not null default 0 check (refunded_fen >= 0 and refunded_fen <= paid_fen),
  tier text not null,
  first_order boolean not null,
  created_at timestamptz not null
);
create index distribution_points_orders_buyer on distribution_points_orders (buyer_did, created_at);

-- What a member holds, by the UTC day it was earned (protocol `PointsLot`): points leave oldest
-- first, and a transfer hands its lots' days to the recipient, so 'expiry' mode knows the age of
-- every point held. The ledger is the truth of the amount; lots are trimmed to it lazily.
create table distribution_points_lots (
  did text not null,
  earned_on date not null,
  amount_points int8 not null check (amount_points > 0),
  primary key (did, earned_on)
);

-- A transfer of points between members, with its fee (protocol `transferPoints`).
create table distribution_points_transfers (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  seq bigserial not null unique,
  from_did text not null,
  to_did text not null,
  debit_points int8 not null check (debit_points > 0),
  credit_points int8 not null check (credit_points > 0),
  fee_points int8 not null check (fee_points >= 0),
  created_at timestamptz not null,
  check (from_did <> to_did),
  check (debit_points = credit_points + fee_points)
);
create index distribution_points_transfers_from on distribution_points_transfers (from_did, seq desc);
create index distribution_points_transfers_to on distribution_points_transfers (to_did, seq desc);

-- One scheduled retirement (burn or expiry) per calendar month (UTC), so a month never burns
-- twice: the job pages through the holders by ledger account id and keeps its place here, in
-- the transaction of each page, so a crash resumes where it stopped.
create table distribution_points_retirements (
  period text primary key check (period ~ '^[0-9]{4}-[0-9]{2}$'),
  mode text not null check (mode in ('burn', 'expiry')),
  status text not null check (status in ('running', 'done')),
  cursor_account_id int8 not null default 0,
  -- Holders that lost points in the run, and how many points they lost in all.
  holders int not null default 0,
  retired_points int8 not null default 0 check (retired_points >= 0),
  started_at timestamptz not null,
  finished_at timestamptz
);

-- Supplier tokens earned by a completed order's sales (protocol `supplierTokensEarned`).
create table distribution_token_awards (
  order_id text primary key references orders (id),
  producer_did text not null,
  sales_fen int8 not null check (sales_fen >= 0),
  tokens int8 not null check (tokens >= 0),
  reversed_tokens int8 not null default 0 check (reversed_tokens between 0 and tokens),
  created_at timestamptz not null
);
create index distribution_token_awards_producer on distribution_token_awards (producer_did, created_at desc);

-- Tokens redeemed for a lower platform fee in a later settlement cycle (protocol
-- `redeemSupplierTokens`). The settlement issue applies `reduction_bps` to the producer's
-- platform service fee in `effective_cycle` and sets `applied_at`.
create table distribution_token_redemptions (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  seq bigserial not null unique,
  producer_did text not null,
  tokens_offered int8 not null check (tokens_offered > 0),
  tokens_spent int8 not null check (tokens_spent > 0 and tokens_spent <= tokens_offered),
  reduction_bps int not null check (reduction_bps between 1 and 10000),
  fee_bps_before int not null check (fee_bps_before between 0 and 10000),
  fee_bps_after int not null check (fee_bps_after between 0 and 10000),
  cycle int8 not null check (cycle >= 0),
  effective_cycle int8 not null check (effective_cycle > cycle),
  effective_from timestamptz not null,
  effective_until timestamptz not null,
  applied_at timestamptz,
  created_at timestamptz not null,
  check (fee_bps_after = fee_bps_before - reduction_bps)
);
create index distribution_token_redemptions_producer on distribution_token_redemptions (producer_did, effective_cycle);
create index distribution_token_redemptions_producer_seq on distribution_token_redemptions (producer_did, seq desc);

-- The order in which a producer's ratings arrived (they are inserted under a per-producer lock,
-- so `seq` is that order), and the newest rating each deposit cut used: a rating counts toward
-- at most one cut.
alter table distribution_ratings add column seq bigserial;
create index distribution_ratings_producer_seq on distribution_ratings (producer_did, seq desc);
alter table distribution_deposit_cuts add column last_rating_seq int8;
create index distribution_deposit_cuts_producer on distribution_deposit_cuts (producer_did, id desc);
