-- Points spent at checkout (issue 6): the buyer pays part of an order with points, at the
-- policy's rate. The order's total stays what the goods cost (its split is on the whole total);
-- the platform puts the fen the points cover into the escrow when the order is paid, and takes
-- them back, with the points to the buyer, when the order is refunded.
alter table orders
  add column points_spent int8 not null default 0 check (points_spent >= 0),
  add column points_fen int8 not null default 0 check (points_fen >= 0),
  add constraint orders_points_within_total check (points_fen <= total_fen);
