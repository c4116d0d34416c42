-- Arbitration (issue 7, DESIGN §8.5): an appeal of a decided round is a case; each instance of it
-- has an appellant who posts a bond, a jury drawn by sortition, and votes by commit–reveal. An
-- instance's ruling may itself be appealed, at double the bond and about double the jury, up to
-- the last instance. Case id: 'appeal-' || round id.

create table consensus_appeals (
  case_id text not null,
  instance int not null check (instance >= 0),
  round_id text not null references consensus_rounds (id),
  appellant_did text not null,
  -- Why the appellant says the verdict is wrong (public, on the log).
  grounds text not null,
  -- The verdict this instance may overturn: the round's, or the previous instance's ruling.
  verdict_appealed text not null check (verdict_appealed in ('pass', 'fail')),
  bond_fen int8 not null check (bond_fen > 0),
  payment_id text not null,
  status text not null check (status in ('awaiting_bond', 'voting', 'ruled', 'lapsed')),
  checkpoint_size bigint,
  checkpoint_root text,
  commit_deadline timestamptz,
  reveal_deadline timestamptz,
  ruling text check (ruling in ('uphold', 'overturn')),
  -- Until when this instance's ruling may be appealed (null: final, or not ruled yet).
  appeal_until timestamptz,
  filed_event_id bigint not null,
  drawn_event_id bigint,
  ruled_event_id bigint,
  created_at timestamptz not null,
  ruled_at timestamptz,
  primary key (case_id, instance)
);
create index consensus_appeals_round on consensus_appeals (round_id, instance);
create index consensus_appeals_due on consensus_appeals (reveal_deadline) where status = 'voting';

create table consensus_jurors (
  case_id text not null,
  instance int not null,
  juror_did text not null,
  weight double precision not null,
  commit text check (commit ~ '^[0-9a-f]{64}$'),
  committed_at timestamptz,
  vote text check (vote in ('uphold', 'overturn')),
  salt text,
  revealed_at timestamptz,
  reveal_status text check (reveal_status in ('valid', 'mismatch', 'early', 'late', 'missing')),
  coherent boolean,
  reward_fen int8,
  primary key (case_id, instance, juror_did),
  foreign key (case_id, instance) references consensus_appeals (case_id, instance)
);
create index consensus_jurors_juror on consensus_jurors (juror_did, case_id);
