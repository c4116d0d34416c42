-- A verdict proves the claims it tested, not whatever the product claims later (DESIGN §8.4).
-- claims_event_id names the publication that set the product's current model version and claims:
-- a republish that changes either starts a new one (the product is untested again); one that
-- changes only texts, images or SKUs keeps it. A round records the claims it tests, and only the
-- rounds of the current claims make the product's verdict, its badge and its trust panel.
alter table catalog_products add column claims_event_id bigint;
-- Products published before this: their latest publication is the best information there is
-- (one republished with other claims since cannot be told apart from one that was not).
update catalog_products set claims_event_id = published_event_id;
alter table catalog_products alter column claims_event_id set not null;

alter table consensus_rounds add column claims_event_id bigint;
update consensus_rounds r set claims_event_id = p.claims_event_id
  from catalog_products p where p.id = r.product_id;
-- A round whose product is gone keeps a null: it makes no product's verdict.
create index consensus_rounds_claims on consensus_rounds (product_id, claims_event_id, status);
