-- Distribution (issue 6), continued: withdrawals of earnings with their operator review, the
-- anti-abuse review queue, and the monthly re-evaluation of promoter levels. The tables are in
-- 0008; this adds what their workflows need.

-- Withdrawals: the operator's note on an approval or rejection, when a paid-out withdrawal was
-- settled (its fee hold posted, or voided when the payout failed), and an insertion order for
-- cursor pagination.
alter table distribution_withdrawals add column decision_note text;
alter table distribution_withdrawals add column settled_at timestamptz;
alter table distribution_withdrawals add column seq bigserial;
create unique index distribution_withdrawals_seq on distribution_withdrawals (seq);
create index distribution_withdrawals_status on distribution_withdrawals (status, seq);
create index distribution_withdrawals_did_seq on distribution_withdrawals (did, seq);
create unique index distribution_withdrawals_payout on distribution_withdrawals (payout_id) where payout_id is not null;

-- Reviews of orders held by the anti-abuse checks, in the order they were opened.
alter table distribution_reviews add column seq bigserial;
create index distribution_reviews_status on distribution_reviews (status, seq);

-- One row per monthly level evaluation (the month in Beijing time, UTC+8), so the job runs once
-- a month however often it is started. A run resumes from its cursor after a crash; the lease
-- keeps two processes from running it at once.
create table distribution_level_runs (
  month text primary key check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  started_at timestamptz not null,
  lease_until timestamptz,
  cursor_did text,
  evaluated int not null default 0,
  changed int not null default 0,
  finished_at timestamptz
);
