-- An order line keeps the product's English title too, as it was when the order was placed, so
-- the English pages name what was bought (lines placed before this take today's title).
alter table order_lines add column title_en text;
update order_lines l set title_en = p.title_en from catalog_products p where p.id = l.product_id;
