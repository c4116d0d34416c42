import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { rows, transaction } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { platformAct } from './platform-acts.js';

const BATCH = 50;

/**
 * The order clocks, as platform acts: unpaid orders past their payment window expire, shipped
 * orders the buyer never confirmed are delivered, delivered orders past the return window (with
 * no refund open) complete. Each order moves in its own transaction, so one that cannot move
 * (say, a refund was asked meanwhile) does not hold the others back. Returns the orders moved.
 */
export async function runOrderTimers(ctx: AppContext): Promise<number> {
  const now = ctx.clock().toISOString();
  const due = await rows<{ id: string; status: string }>(
    ctx.database.db,
    sql`(select id, status from orders where status = 'created' and pay_by <= ${now}::timestamptz order by pay_by limit ${BATCH})
        union all
        (select id, status from orders where status = 'shipped' and deliver_by <= ${now}::timestamptz order by deliver_by limit ${BATCH})
        union all
        (select o.id, o.status from orders o where o.status = 'delivered' and o.complete_at <= ${now}::timestamptz
           and not exists (select 1 from order_refunds r where r.order_id = o.id and r.status = 'requested')
         order by o.complete_at limit ${BATCH})`,
  );
  let moved = 0;
  for (const order of due) {
    const [type, body] =
      order.status === 'created'
        ? ['orders.order.cancelled', { orderId: order.id, reason: 'expired' }]
        : order.status === 'shipped'
          ? ['orders.order.delivered', { orderId: order.id }]
          : ['orders.order.completed', { orderId: order.id }];
    try {
      await transaction(ctx.database.db, (tx) => platformAct(ctx, tx, type as string, body as Record<string, unknown>));
      moved++;
    } catch (error) {
      // Another process moved it first, or the buyer acted meanwhile: the next pass sees the truth.
      if (!(error instanceof AppError)) throw error;
    }
  }
  return moved;
}
