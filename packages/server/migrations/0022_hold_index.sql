-- The custodian's holds (GET /v1/custodian/holds: by state, in seq order; and the pending totals)
-- read only holds in the asked state, not every transfer the ledger ever made.
create index ledger_transfers_holds on ledger_transfers (state, seq) where kind = 'pending';
