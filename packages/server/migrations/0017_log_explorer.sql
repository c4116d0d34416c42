-- The log explorer (GET /v1/log/entries, /v1/log/witnesses). Entries are listed newest first by
-- log index, which is assigned at commit and so does not follow `id`: filtering by type or actor
-- needs the log index beside them to walk a page backwards without reading the whole table.
create index events_type_log_index_idx on events (type, log_index);
create index events_actor_log_index_idx on events (actor, log_index);

-- A witness's newest cosignature, whether it is in step or fell silent long ago.
create index log_cosignatures_witness_idx on log_cosignatures (witness, size);
