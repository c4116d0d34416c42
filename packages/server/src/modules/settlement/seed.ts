import { DEFAULT_SPLIT_POLICY, splitPolicyHash } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { type Database, preparedRows, transaction } from '../../db/connection.js';

export interface SeedOptions {
  /** How many completed orders to add. */
  count: number;
  /** Order ids are `<prefix>-<n>` (n from `from`, default 0). */
  prefix: string;
  from?: number;
  /** Products that exist (their models name the experts); the orders cycle through them. */
  products: { productId: string; producer: string }[];
  buyers: number;
  completedAt: Date;
  /** Rows per statement. */
  page?: number;
  onProgress?: (done: number) => void;
}

const SOURCE = 'seed:payments';

/**
 * Completed, paid orders written straight into the tables, for the settlement benchmark and the
 * crash test: a real checkout costs a hundred statements, and a cycle of a million orders must be
 * set up in minutes. Each order's escrow holds its total, paid by one posted transfer from a
 * seed account, so the ledger's invariants hold as they would after real checkouts. Deterministic:
 * order n buys 1–3 units at 50–549 yuan from product n mod the products, by buyer n mod buyers.
 */
export async function seedCompletedOrders(database: Database, options: SeedOptions): Promise<bigint> {
  const page = options.page ?? 10_000;
  const policy = DEFAULT_SPLIT_POLICY;
  const policyHash = splitPolicyHash(nodeCrypto, policy);
  const at = options.completedAt.toISOString();
  let totalFen = 0n;
  await transaction(database.db, async (tx) => {
    await tx.execute(
      sql`insert into ledger_accounts (key, ledger, code) values (${SOURCE}, 'CNY', 'seed') on conflict (key) do nothing`,
    );
  });
  const start = options.from ?? 0;
  for (let offset = 0; offset < options.count; offset += page) {
    const n = Math.min(page, options.count - offset);
    const ids: string[] = [];
    const buyers: string[] = [];
    const producers: string[] = [];
    const products: string[] = [];
    const quantities: number[] = [];
    const prices: string[] = [];
    const totals: string[] = [];
    let batchFen = 0n;
    for (let i = 0; i < n; i++) {
      const k = start + offset + i;
      const product = options.products[k % options.products.length]!;
      const quantity = 1 + (k % 3);
      const price = 5_000n + BigInt((k * 7919) % 50_000) * 1n;
      const total = price * BigInt(quantity);
      ids.push(`${options.prefix}-${k}`);
      buyers.push(`did:key:zSeedBuyer${k % options.buyers}`);
      producers.push(product.producer);
      products.push(product.productId);
      quantities.push(quantity);
      prices.push(price.toString());
      totals.push(total.toString());
      batchFen += total;
    }
    totalFen += batchFen;
    await transaction(database.db, async (tx) => {
      await preparedRows(
        tx,
        'seed_orders',
        `insert into orders (id, buyer_did, producer_did, status, total_fen, currency, policy, policy_hash, escrow_account,
                             payment_id, placed_event_id, ship_recipient, ship_phone, ship_region, ship_detail, pay_by,
                             paid_at, shipped_at, delivered_at, complete_at, completed_at, created_at)
         select id, b, p, 'completed', t, 'CNY', $5::jsonb, $6, 'escrow:order:' || id, 'seed-payment:' || id, 0,
                '-', '-', '-', '-', $7::timestamptz, $7::timestamptz, $7::timestamptz, $7::timestamptz,
                $7::timestamptz, $7::timestamptz, $7::timestamptz
           from unnest($1::text[], $2::text[], $3::text[], $4::int8[]) as u(id, b, p, t)`,
        [ids, buyers, producers, totals, JSON.stringify(policy), policyHash, at],
      );
      await preparedRows(
        tx,
        'seed_lines',
        // Each line records its product's model version, as a checkout does (none when the product does not exist).
        `insert into order_lines (order_id, position, sku_id, product_id, title_zh, quantity, unit_price_fen, model_id, model_version)
         select t.id, 0, t.pr || ':bag', t.pr, '种子订单', t.q, t.u, p.model_id, p.model_version
           from unnest($1::text[], $2::text[], $3::int[], $4::int8[]) as t(id, pr, q, u)
           left join catalog_products p on p.id = t.pr`,
        [ids, products, quantities, prices],
      );
      await preparedRows(
        tx,
        'seed_escrows',
        `insert into ledger_accounts (key, ledger, code, credits_posted)
         select 'escrow:order:' || id, 'CNY', 'escrow', t from unnest($1::text[], $2::int8[]) as u(id, t)`,
        [ids, totals],
      );
      await preparedRows(
        tx,
        'seed_transfers',
        `insert into ledger_transfers (id, debit_account_id, credit_account_id, ledger, amount, code, reference, kind)
         select 'seed:' || u.id, s.id, a.id, 'CNY', u.t, 'payment', u.id, 'single'
           from unnest($1::text[], $2::int8[]) as u(id, t)
           join ledger_accounts a on a.key = 'escrow:order:' || u.id
           cross join (select id from ledger_accounts where key = $3) s`,
        [ids, totals, SOURCE],
      );
      await tx.execute(
        sql`update ledger_accounts set debits_posted = debits_posted + ${batchFen.toString()}::int8 where key = ${SOURCE}`,
      );
    });
    options.onProgress?.(offset + n);
  }
  return totalFen;
}
