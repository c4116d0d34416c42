-- Distribution and incentives (issue 6): promoters and their teams, share links, bindings, the
-- attribution of orders, commissions frozen until earned, points and tiers, supplier ratings and
-- tokens, and the anti-abuse review queue. Money and points themselves live in the ledger; these
-- tables say why each transfer was made and what state its rule is in.

-- An approved promoter (identity.role.approved 'promoter'); their level and the one who brought
-- them into the channel (the upline earns the team override on their sales).
create table distribution_promoters (
  did text primary key,
  level text not null,
  upline_did text,
  joined_at timestamptz not null,
  level_changed_at timestamptz not null,
  check (upline_did is null or upline_did <> did)
);
create index distribution_promoters_upline on distribution_promoters (upline_did);

-- A share link: an invitation (any account), a product or a shop (a producer's products) shared
-- by a promoter. The short code is what a QR code and a URL carry.
create table distribution_links (
  code text primary key check (code ~ '^[A-Za-z0-9]{6,16}$'),
  owner_did text not null,
  kind text not null check (kind in ('invite', 'product', 'shop')),
  product_id text,
  producer_did text,
  event_id bigint not null,
  created_at timestamptz not null,
  check ((kind = 'product') = (product_id is not null)),
  check ((kind = 'shop') = (producer_did is not null))
);
create index distribution_links_owner on distribution_links (owner_did, created_at desc);
-- One link per owner and target: sharing the same product twice gives the same code.
create unique index distribution_links_target on distribution_links (owner_did, kind, coalesce(product_id, ''), coalesce(producer_did, ''));

-- Who brought a consumer. The binding is to a promoter (commission); the inviter is whoever's
-- link brought a new account first (the referral reward), permanent.
create table distribution_bindings (
  consumer_did text primary key,
  promoter_did text not null,
  link_code text,
  bound_at timestamptz not null,
  -- 'last_click' mode: the binding lapses the policy's window after its last click.
  last_click_at timestamptz not null,
  event_id bigint not null,
  check (consumer_did <> promoter_did)
);
create index distribution_bindings_promoter on distribution_bindings (promoter_did, bound_at desc);

create table distribution_invites (
  invitee_did text primary key,
  inviter_did text not null,
  link_code text,
  invited_at timestamptz not null,
  event_id bigint not null,
  -- The invitee's first completed order, once it has paid the inviter's referral reward.
  rewarded_order_id text,
  check (invitee_did <> inviter_did)
);
create index distribution_invites_inviter on distribution_invites (inviter_did, invited_at desc);

-- What a promoter sold and brought, for their level; maintained as orders complete and refund.
create table distribution_member_stats (
  did text primary key,
  own_sales_fen int8 not null default 0,
  team_sales_fen int8 not null default 0,
  direct_members int not null default 0,
  spend_fen int8 not null default 0,
  invites int not null default 0,
  completed_orders int not null default 0,
  tier text not null default 'normal'
);

-- One commission of an order: the direct commission of the attributed promoter or the override
-- of their upline (never more). Its money is a hold from the order's escrow into the earner's
-- earnings account until `frozen_until`; then it is posted (released).
create table distribution_commissions (
  id text primary key,
  order_id text not null references orders (id),
  earner_did text not null,
  kind text not null check (kind in ('direct', 'override')),
  level text not null,
  rate_bps int not null check (rate_bps between 0 and 10000),
  amount_fen int8 not null check (amount_fen >= 0),
  -- Cancelled while frozen (the hold voided or partly posted back) and clawed back once released.
  cancelled_fen int8 not null default 0,
  clawed_back_fen int8 not null default 0,
  status text not null check (status in ('frozen', 'released', 'cancelled')),
  hold_transfer_id text not null,
  frozen_until timestamptz not null,
  created_at timestamptz not null,
  released_at timestamptz,
  check (cancelled_fen + clawed_back_fen <= amount_fen)
);
create index distribution_commissions_order on distribution_commissions (order_id);
create index distribution_commissions_earner on distribution_commissions (earner_did, created_at desc);
create index distribution_commissions_due on distribution_commissions (frozen_until) where status = 'frozen';

-- Points granted for an order (cashback to the buyer, the referral reward to the inviter), so a
-- refund can take back what the order gave.
create table distribution_points_awards (
  id text primary key,
  order_id text not null references orders (id),
  did text not null,
  kind text not null check (kind in ('cashback', 'referral')),
  rate_bps int not null,
  points int8 not null check (points >= 0),
  reversed_points int8 not null default 0 check (reversed_points between 0 and points),
  created_at timestamptz not null
);
create index distribution_points_awards_order on distribution_points_awards (order_id);
create index distribution_points_awards_did on distribution_points_awards (did, created_at desc);

-- Device and address of each checkout, for velocity limits. Personal data: never on the log.
create table distribution_order_signals (
  order_id text primary key references orders (id),
  buyer_did text not null,
  device_id text,
  ip text,
  created_at timestamptz not null
);
create index distribution_order_signals_device on distribution_order_signals (device_id, created_at) where device_id is not null;
create index distribution_order_signals_ip on distribution_order_signals (ip, created_at) where ip is not null;

-- Orders held for an operator before their commission and points are created.
create table distribution_reviews (
  order_id text primary key references orders (id),
  reasons jsonb not null,
  status text not null check (status in ('pending', 'approved', 'rejected')),
  created_at timestamptz not null,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  event_id bigint
);
create index distribution_reviews_pending on distribution_reviews (created_at) where status = 'pending';

-- A buyer's rating of the producer of a delivered order, once per order.
create table distribution_ratings (
  order_id text primary key references orders (id),
  producer_did text not null,
  buyer_did text not null,
  stars int not null check (stars between 1 and 5),
  event_id bigint not null,
  created_at timestamptz not null
);
create index distribution_ratings_producer on distribution_ratings (producer_did, created_at desc);

-- Deposit cuts for low ratings, with the ratings they used (the envelope names them too).
create table distribution_deposit_cuts (
  id bigserial primary key,
  producer_did text not null,
  amount_fen int8 not null check (amount_fen > 0),
  average_hundredths int not null,
  rating_orders jsonb not null,
  event_id bigint not null,
  created_at timestamptz not null
);

-- Withdrawals of earnings: minimum, fee, and operator review above a threshold before payout.
create table distribution_withdrawals (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  did text not null,
  amount_fen int8 not null check (amount_fen > 0),
  fee_fen int8 not null check (fee_fen >= 0),
  status text not null check (status in ('review', 'paying', 'paid', 'failed', 'rejected')),
  destination text not null,
  payout_id text,
  created_at timestamptz not null,
  decided_by text,
  decided_at timestamptz
);
create index distribution_withdrawals_did on distribution_withdrawals (did, created_at desc);

-- An order's payment hold is posted into its escrow when the order completes (its return window
-- passed): commissions are held out of money the escrow really has, and later refunds move money
-- out of escrow instead of voiding the hold.
alter table payments add column hold_posted_at timestamptz;
