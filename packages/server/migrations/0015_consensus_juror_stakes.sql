-- Juror stakes (issue 7, DESIGN §8.5): the points nominators locked behind each drawn juror, read
-- when the jury is drawn, and what the ruling slashed from them or paid them.
alter table consensus_jurors add column backing jsonb not null default '[]'::jsonb;
alter table consensus_jurors add column stake_points int8 not null default 0 check (stake_points >= 0);
alter table consensus_jurors add column slash_points int8;
alter table consensus_jurors add column reward_points int8;
