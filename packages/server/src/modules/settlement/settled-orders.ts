import type { SettlementOrder, SplitPolicy } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';

interface SettledRow {
  order_id: string;
  paid_fen: string;
  held_fen: string;
  supplier: string;
  buyer: string;
  promoter: string | null;
  upline: string | null;
  lines: { amountFen: string; expert?: string }[] | string;
  policy: SplitPolicy | string;
}

/**
 * Orders as a cycle settled them (`where` over settlement_orders `s`), by id, at most `limit`:
 * the protocol's input, with the split policy the order snapshotted, so `settleOrder` gives back
 * the very legs the close moved.
 */
export async function settledOrders(
  executor: Executor,
  where: ReturnType<typeof sql>,
  limit: number,
): Promise<SettlementOrder[]> {
  const found = await rows<SettledRow>(
    executor,
    sql`select s.order_id, s.paid_fen::text, s.held_fen::text, s.supplier, s.buyer, s.promoter, s.upline, s.lines, o.policy
          from settlement_orders s join orders o on o.id = s.order_id
         where ${where} order by s.order_id limit ${limit}`,
  );
  return found.map((row) => ({
    orderId: row.order_id,
    paidFen: BigInt(row.paid_fen),
    heldFen: BigInt(row.held_fen),
    policy: fromJsonb(row.policy),
    supplier: row.supplier,
    buyer: row.buyer,
    promoter: row.promoter ?? undefined,
    upline: row.upline ?? undefined,
    lines: fromJsonb(row.lines).map((l) => ({ amountFen: BigInt(l.amountFen), expert: l.expert })),
  }));
}
