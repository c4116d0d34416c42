import { allocate, type CycleEntry, isMoneyEntry, settleOrder, sumEntries } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { rows, type Tx } from '../../db/connection.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import { available, transferIdOf } from '../distribution/accounts.js';
import type { Order } from '../orders/store.js';
import { clearingAccount, settlementCycleAt } from './cycles.js';
import { settledOrders } from './settled-orders.js';

/**
 * A refund of an order that a cycle settled already (DESIGN §6: "a refund after it reverses the
 * splits"): called in the refund's transaction after the commissions gave back their part, it
 * brings into the escrow what the refund still lacks, taken from the order's settled legs — net
 * of earlier reversals — in proportion (`allocate`), so that reversals of one order never take
 * more than a leg held. Pool shares included: the money comes out of the clearing account of the
 * cycle open now, and the reversals are that cycle's (negative) entries, so its close pays each
 * party that much less (or takes it back). Does nothing for an order no cycle settled.
 */
export async function reverseSettlement(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  now: Date,
): Promise<void> {
  const [settled] = await settledOrders(tx, sql`s.order_id = ${order.id}`, 1);
  if (settled === undefined) return;
  const need = refundFen - (await available(tx, order.escrowAccount));
  if (need <= 0n) return;

  const platform = ctx.platformSigner.did;
  const legs = settleOrder(settled, platform).entries.filter(isMoneyEntry);
  const earlier = await rows<{ kind: CycleEntry['kind']; party: string; amount_fen: string }>(
    tx,
    sql`select kind, party, amount_fen::text from settlement_adjustments where order_id = ${order.id}`,
  );
  const net = sumEntries([
    ...legs,
    ...earlier.map((row) => ({ kind: row.kind, party: row.party, amountFen: BigInt(row.amount_fen) })),
  ]).filter((leg) => leg.amountFen > 0n);
  const left = net.reduce((sum, leg) => sum + leg.amountFen, 0n);
  if (need > left)
    throw new Error(`settlement: refund ${refundId} of ${order.id} needs ${need} fen; its settled legs hold ${left}`);
  const taken = allocate(
    need,
    net.map((leg) => leg.amountFen),
  );

  // The cycle open now takes the reversal; one whose close has begun is past, so the next one.
  let cycle = settlementCycleAt(ctx.config, now);
  const begun = new Set(
    (
      await rows<{ cycle: number }>(tx, sql`select cycle from settlement_cycles where cycle >= ${cycle} order by cycle`)
    ).map((row) => Number(row.cycle)),
  );
  while (begun.has(cycle)) cycle++;

  for (const [i, leg] of net.entries()) {
    const amount = taken[i]!;
    if (amount === 0n) continue;
    await tx.execute(
      sql`insert into settlement_adjustments (cycle, order_id, refund_id, kind, party, amount_fen, created_at)
          values (${cycle}, ${order.id}, ${refundId}, ${leg.kind}, ${leg.party}, ${(-amount).toString()}::int8,
                  ${now.toISOString()}::timestamptz)`,
    );
  }
  await createAccounts(tx, [{ key: clearingAccount(cycle), ledger: 'CNY', code: 'settlement' }]);
  await createTransfers(
    tx,
    [
      {
        id: transferIdOf(ctx.crypto, 'unsettle', order.id, refundId),
        debitAccount: clearingAccount(cycle),
        creditAccount: order.escrowAccount,
        amount: need,
        code: 'settlement_reversal',
        reference: order.id,
      },
    ],
    now,
  );
}
