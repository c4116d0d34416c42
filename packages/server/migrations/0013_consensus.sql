-- Experience consensus (issue 7, DESIGN §8): candidates and nominated stake, panels elected per
-- cycle and category, test rounds per lot with their drawn testers, commits and reveals, and the
-- published results. Every row names the event that made it: the log is the record, these tables
-- are its index. Stake is in points (the POINTS ledger holds the locked amounts).

-- A tester who stands for a category's panel, with the commission they keep of their rewards
-- before their nominators share the rest.
create table consensus_candidates (
  did text not null,
  category text not null,
  commission_bps int not null check (commission_bps between 0 and 10000),
  declared_event_id bigint not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (did, category)
);
create index consensus_candidates_category on consensus_candidates (category, did);

-- A nominator's current nomination: up to 16 targets (testers; experts for juries) and the points
-- locked behind them (all of them behind every target, as in Polkadot's NPoS).
create table consensus_nominations (
  nominator_did text primary key,
  targets jsonb not null,
  stake_points int8 not null check (stake_points >= 0),
  set_event_id bigint not null,
  updated_at timestamptz not null
);

-- Points leaving stake: they stay locked until the cool-down ends, then return to the nominator.
create table consensus_unlocks (
  id text primary key,
  nominator_did text not null,
  amount_points int8 not null check (amount_points > 0),
  unlock_at timestamptz not null,
  status text not null check (status in ('cooling', 'released')),
  requested_event_id bigint not null,
  released_at timestamptz,
  created_at timestamptz not null
);
create index consensus_unlocks_due on consensus_unlocks (unlock_at) where status = 'cooling';
create index consensus_unlocks_nominator on consensus_unlocks (nominator_did, created_at);

-- The panel of a category for a cycle (cycle numbers as distribution/supplier-tokens cycleOf):
-- the Phragmén result as published, and one row per elected tester.
create table consensus_panels (
  cycle int not null,
  category text not null,
  seats int not null check (seats > 0),
  result jsonb not null,
  digest text not null check (digest ~ '^[0-9a-f]{64}$'),
  elected_event_id bigint not null,
  created_at timestamptz not null,
  primary key (cycle, category)
);
create table consensus_panel_members (
  cycle int not null,
  category text not null,
  tester_did text not null,
  backed_points int8 not null check (backed_points >= 0),
  primary key (cycle, category, tester_did),
  foreign key (cycle, category) references consensus_panels (cycle, category)
);
create index consensus_panel_members_tester on consensus_panel_members (tester_did, cycle);

-- A test round of one product lot. `stage` counts extensions (0: the first draw).
create table consensus_rounds (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  product_id text not null,
  lot_id text not null,
  producer_did text not null,
  category text not null,
  model_id text not null,
  model_version int not null,
  cycle int not null,
  status text not null check (status in ('open', 'decided', 'inconclusive')),
  stage int not null default 0 check (stage >= 0),
  -- The published checkpoint whose root seeds the draw.
  checkpoint_size bigint not null,
  checkpoint_root text not null check (checkpoint_root ~ '^[0-9a-f]{64}$'),
  commit_deadline timestamptz not null,
  reveal_deadline timestamptz not null,
  verdict text check (verdict in ('pass', 'fail', 'inconclusive')),
  opened_event_id bigint not null,
  decided_event_id bigint,
  appeal_until timestamptz,
  created_at timestamptz not null,
  decided_at timestamptz
);
create index consensus_rounds_product on consensus_rounds (product_id, created_at);
create index consensus_rounds_due on consensus_rounds (reveal_deadline) where status = 'open';

-- A drawn tester of a round: their weight when drawn, the purchase that enrols them, their
-- commit and reveal, and (once tallied) how their reveal counted and how accurate it was.
create table consensus_round_testers (
  round_id text not null references consensus_rounds (id),
  tester_did text not null,
  stage int not null,
  ep double precision not null,
  stake_points int8 not null,
  weight double precision not null,
  order_id text,
  commit text check (commit ~ '^[0-9a-f]{64}$'),
  committed_at timestamptz,
  committed_event_id bigint,
  report jsonb,
  salt text,
  revealed_at timestamptz,
  revealed_event_id bigint,
  reveal_status text check (reveal_status in ('valid', 'mismatch', 'early', 'late', 'missing')),
  accuracy double precision,
  primary key (round_id, tester_did)
);
create index consensus_round_testers_tester on consensus_round_testers (tester_did, round_id);

-- Each completed test counts towards the tester's experience power (protocol experiencePower):
-- its accuracy, any penalty, and when. A tester approved by the operator starts with one
-- qualification entry (round_id 'genesis'), so that a new platform can draw anyone at all.
create table consensus_tests (
  tester_did text not null,
  round_id text not null,
  accuracy double precision not null check (accuracy >= 0 and accuracy <= 1),
  penalty double precision not null default 0 check (penalty >= 0),
  completed_at timestamptz not null,
  primary key (tester_did, round_id)
);

-- Every result the operator published (election, draw, tally, rewards, ruling): the JSON the
-- protocol function returned and its digest, so `concord verify` can recompute and compare.
create table consensus_results (
  kind text not null check (kind in ('election', 'draw', 'tally', 'rewards', 'ruling')),
  subject text not null,
  stage int not null default 0,
  result jsonb not null,
  digest text not null check (digest ~ '^[0-9a-f]{64}$'),
  event_id bigint not null,
  created_at timestamptz not null,
  primary key (kind, subject, stage)
);

-- A decided round's consequences: the badge a passing product carries, and the refunds offered
-- to the buyers of a failed lot.
create table consensus_badges (
  product_id text not null,
  round_id text not null references consensus_rounds (id),
  lot_id text not null,
  awarded_at timestamptz not null,
  revoked_at timestamptz,
  primary key (product_id, round_id)
);
create table consensus_refund_offers (
  round_id text not null references consensus_rounds (id),
  order_id text not null,
  buyer_did text not null,
  status text not null check (status in ('offered', 'taken', 'withdrawn')),
  created_at timestamptz not null,
  primary key (round_id, order_id)
);
create index consensus_refund_offers_order on consensus_refund_offers (order_id);
