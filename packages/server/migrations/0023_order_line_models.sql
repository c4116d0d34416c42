-- An order line keeps the model version its product claimed against when the order was placed,
-- so that model's expert earns from the sale (DESIGN §7, §11: the experts' part of the
-- experience pool is pro rata to sales under their models), even when the product is
-- republished under another expert's model before the cycle closes. A checkout always records
-- both (a product always names a model version); they are null only on a line whose product
-- does not exist, which no checkout makes (the settlement tests' seeded orders may): such a line
-- pays no expert.
alter table order_lines add column model_id text;
alter table order_lines add column model_version int;
alter table order_lines add constraint order_lines_model_whole check ((model_id is null) = (model_version is null));
-- Lines placed before this take the product's current model version: the best information there
-- is (a product republished under another model since cannot be told apart from one that was not).
update order_lines l set model_id = p.model_id, model_version = p.model_version
  from catalog_products p where p.id = l.product_id;
