import {
  type CommissionEntry,
  computeCommission,
  type OrderAttribution,
  recoverDebt,
  reverseCommission,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx, transaction } from '../../db/connection.js';
import { createTransfers } from '../accounting/ledger.js';
import type { Order } from '../orders/store.js';
import { available, debtAccount, earningsAccount, ensureEarnings, owed, transferIdOf } from './accounts.js';
import { distributionPolicy } from './policy.js';
import { bumpStats } from './promoters.js';

interface CommissionRow {
  id: string;
  order_id: string;
  earner_did: string;
  kind: 'direct' | 'override';
  level: string;
  rate_bps: number;
  amount_fen: string;
  cancelled_fen: string;
  clawed_back_fen: string;
  status: 'frozen' | 'released' | 'cancelled';
  hold_transfer_id: string;
  frozen_until: Date | string;
  created_at: Date | string;
  released_at: Date | string | null;
}

const held = (row: CommissionRow) => BigInt(row.amount_fen) - BigInt(row.cancelled_fen) - BigInt(row.clawed_back_fen);

const toEntry = (row: CommissionRow): CommissionEntry => ({
  orderId: row.order_id,
  kind: row.kind,
  beneficiary: row.earner_did,
  level: row.level as CommissionEntry['level'],
  rateBps: row.rate_bps,
  amountFen: held(row),
  freezeUntilMs: new Date(row.frozen_until).getTime(),
  status: row.status === 'released' ? 'released' : 'frozen',
});

export const commissionView = (row: CommissionRow) => ({
  id: row.id,
  orderId: row.order_id,
  earner: row.earner_did,
  kind: row.kind,
  level: row.level,
  rateBps: row.rate_bps,
  amountFen: row.amount_fen,
  cancelledFen: row.cancelled_fen,
  clawedBackFen: row.clawed_back_fen,
  status: row.status,
  frozenUntil: new Date(row.frozen_until).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
  releasedAt: row.released_at === null ? null : new Date(row.released_at).toISOString(),
});

export async function earnerCommissions(executor: Executor, did: string, limit: number): Promise<CommissionRow[]> {
  return rows<CommissionRow>(
    executor,
    sql`select * from distribution_commissions where earner_did = ${did} order by created_at desc, id limit ${limit}`,
  );
}

/**
 * At completion: the direct commission and the upline's override (protocol `computeCommission`,
 * from the levels snapshotted at checkout), each a hold from the order's escrow into the earner's
 * earnings, frozen until delivery + freeze + return window. Sales count toward levels.
 */
export async function createCommissions(ctx: AppContext, tx: Tx, order: Order, now: Date): Promise<void> {
  const attribution = order.attribution as OrderAttribution | null;
  if (attribution === null || order.deliveredAt === null) return;
  const policy = distributionPolicy(ctx);
  const paidFen = order.totalFen - order.refundedFen;
  const result = computeCommission(
    { orderId: order.id, paidFen, buyer: order.buyerDid, attribution, deliveredAtMs: order.deliveredAt.getTime() },
    order.policy,
    policy,
  );
  await bumpStats(tx, attribution.promoter, { ownSalesFen: paidFen });
  if (attribution.upline !== undefined) await bumpStats(tx, attribution.upline, { teamSalesFen: paidFen });
  for (const entry of result.entries) {
    const id = `commission:${order.id}:${entry.kind}`;
    await ensureEarnings(tx, entry.beneficiary);
    await createTransfers(
      tx,
      [
        {
          id,
          debitAccount: order.escrowAccount,
          creditAccount: earningsAccount(entry.beneficiary),
          amount: entry.amountFen,
          code: 'commission',
          reference: order.id,
          pending: true,
        },
      ],
      now,
    );
    await tx.execute(
      sql`insert into distribution_commissions (id, order_id, earner_did, kind, level, rate_bps, amount_fen, status,
                                                hold_transfer_id, frozen_until, created_at)
          values (${id}, ${order.id}, ${entry.beneficiary}, ${entry.kind}, ${entry.level}, ${entry.rateBps},
                  ${entry.amountFen.toString()}::int8, 'frozen', ${id},
                  ${new Date(entry.freezeUntilMs).toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)`,
    );
  }
}

/**
 * Makes one due commission available: its hold is posted into the earnings, and any clawback
 * debt of the earner is repaid from it first (protocol `recoverDebt`).
 */
async function releaseOne(ctx: AppContext, tx: Tx, row: CommissionRow, now: Date): Promise<void> {
  const amount = held(row);
  await createTransfers(
    tx,
    [
      {
        id: transferIdOf(ctx.crypto, row.hold_transfer_id, 'release'),
        postPending: row.hold_transfer_id,
        code: 'commission',
        reference: row.order_id,
      },
    ],
    now,
  );
  const recovery = recoverDebt(amount, await owed(tx, row.earner_did));
  if (recovery.recoveredFen > 0n) {
    await createTransfers(
      tx,
      [
        {
          id: transferIdOf(ctx.crypto, row.id, 'repays-debt'),
          debitAccount: earningsAccount(row.earner_did),
          creditAccount: debtAccount(row.earner_did),
          amount: recovery.recoveredFen,
          code: 'debt_recovery',
          reference: row.order_id,
        },
      ],
      now,
    );
  }
  await tx.execute(
    sql`update distribution_commissions set status = 'released', released_at = ${now.toISOString()}::timestamptz where id = ${row.id}`,
  );
}

/**
 * The release job: every frozen commission whose freeze has ended (of one order, when given),
 * each in its own transaction.
 */
export async function releaseDueCommissions(ctx: AppContext, limit = 200, orderId?: string): Promise<number> {
  const now = ctx.clock();
  const due = await rows<{ id: string }>(
    ctx.database.db,
    sql`select id from distribution_commissions where status = 'frozen' and frozen_until <= ${now.toISOString()}::timestamptz
          and (${orderId ?? null}::text is null or order_id = ${orderId ?? null})
        order by frozen_until limit ${limit}`,
  );
  let released = 0;
  for (const { id } of due) {
    const done = await transaction(ctx.database.db, async (tx) => {
      const [row] = await rows<CommissionRow>(
        tx,
        sql`select * from distribution_commissions where id = ${id} and status = 'frozen' for update skip locked`,
      );
      if (row === undefined) return false;
      await releaseOne(ctx, tx, row, now);
      return true;
    });
    if (done) released++;
  }
  return released;
}

/**
 * A refund of `refundFen` out of what the order still had paid: each commission gives back its
 * share (protocol `reverseCommission`). A frozen one is cancelled — its hold voided and, if some
 * remains, held again for the rest; a released one is clawed back from the earnings, and what
 * the earnings cannot cover becomes a debt. Runs before the money goes back to the buyer, in the
 * refund's transaction, so the escrow has it.
 */
export async function reverseCommissions(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  paidBeforeFen: bigint,
  now: Date,
): Promise<void> {
  const stored = await rows<CommissionRow>(
    tx,
    sql`select * from distribution_commissions where order_id = ${order.id} and status <> 'cancelled' order by kind for update`,
  );
  if (stored.length === 0) return;
  const { reversals, remaining } = reverseCommission(stored.map(toEntry), refundFen, paidBeforeFen, now.getTime());
  for (const reversal of reversals) {
    const row = stored.find((r) => r.kind === reversal.kind) as CommissionRow;
    const left = remaining.find((r) => r.kind === reversal.kind)?.amountFen ?? 0n;
    const idOf = (step: string) => transferIdOf(ctx.crypto, row.id, 'refund', refundId, step);
    if (reversal.action === 'cancel') {
      const transfers = [
        { id: idOf('void'), voidPending: row.hold_transfer_id, code: 'commission_cancel', reference: order.id },
      ];
      const nextHold = idOf('hold');
      await createTransfers(
        tx,
        left > 0n
          ? [
              ...transfers,
              {
                id: nextHold,
                debitAccount: order.escrowAccount,
                creditAccount: earningsAccount(row.earner_did),
                amount: left,
                code: 'commission',
                reference: order.id,
                pending: true,
              },
            ]
          : transfers,
        now,
      );
      await tx.execute(
        sql`update distribution_commissions set cancelled_fen = cancelled_fen + ${reversal.amountFen.toString()}::int8,
              hold_transfer_id = ${left > 0n ? nextHold : row.hold_transfer_id},
              status = ${left > 0n ? 'frozen' : 'cancelled'}
            where id = ${row.id}`,
      );
    } else {
      const balance = await available(tx, earningsAccount(row.earner_did));
      const covered = balance >= reversal.amountFen ? reversal.amountFen : balance > 0n ? balance : 0n;
      const owedNow = reversal.amountFen - covered;
      const transfers = [];
      if (covered > 0n)
        transfers.push({
          id: idOf('clawback'),
          debitAccount: earningsAccount(row.earner_did),
          creditAccount: order.escrowAccount,
          amount: covered,
          code: 'commission_clawback',
          reference: order.id,
        });
      if (owedNow > 0n)
        transfers.push({
          id: idOf('debt'),
          debitAccount: debtAccount(row.earner_did),
          creditAccount: order.escrowAccount,
          amount: owedNow,
          code: 'commission_clawback',
          reference: order.id,
        });
      await createTransfers(tx, transfers, now);
      await tx.execute(
        sql`update distribution_commissions set clawed_back_fen = clawed_back_fen + ${reversal.amountFen.toString()}::int8
            where id = ${row.id}`,
      );
    }
  }
}
