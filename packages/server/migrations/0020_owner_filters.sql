-- A producer's test rounds (GET /v1/consensus/rounds?producer=) and an expert's models
-- (GET /v1/catalog/models?owner=), read by their consoles, without walking everyone's.
create index consensus_rounds_producer_idx on consensus_rounds (producer_did, created_at desc, id desc);
create index catalog_models_owner_idx on catalog_models (owner_did, id);
