-- The sandbox clock (CONCORD_SANDBOX_CLOCK): how far the server's time runs ahead of the real
-- time. Kept in the database so a restart does not take the platform's time back behind what the
-- log already holds.
create table sandbox_clock (
  id smallint primary key check (id = 1),
  offset_ms int8 not null check (offset_ms >= 0),
  moved_at timestamptz not null
);
