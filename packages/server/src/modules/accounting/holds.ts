import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';

export const HOLD_STATES = ['pending', 'posted', 'voided', 'expired'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

/** A hold into an escrow account, as the custodian sees it: no party, only the money and its order. */
export interface EscrowHold {
  seq: string;
  transferId: string;
  escrowAccount: string;
  /** The order whose money this is, for order escrows; null for other escrows (e.g. appeal bonds). */
  orderId: string | null;
  /** The transfer's reference: for payments, the payment id. */
  reference: string | null;
  ledger: string;
  amount: bigint;
  status: HoldState;
  /** What the post moved into escrow: less than `amount` when a refund before it took the rest. */
  postedAmount: bigint | null;
  createdAt: string;
  expiresAt: string | null;
  resolvedAt: string | null;
}

export interface HeldTotal {
  ledger: string;
  count: number;
  amount: bigint;
}

// The key orders give their escrow account (orders/events-placement.ts `escrowAccountOf`); read
// back here rather than imported, so that the ledger does not depend on the orders module.
const ORDER_ESCROW_PREFIX = 'escrow:order:';

/**
 * Holds into escrow accounts in one state, by seq. Pending ones come oldest first (the longest
 * waiting lead); resolved ones newest first, since the custodian looks at what just happened.
 * `after` is the seq of the last hold of the previous page, in that order.
 */
export async function escrowHolds(
  executor: Executor,
  options: { status: HoldState; after?: string | undefined; limit: number },
): Promise<EscrowHold[]> {
  const oldestFirst = options.status === 'pending';
  const cursor =
    options.after === undefined
      ? sql``
      : oldestFirst
        ? sql`and t.seq > ${options.after}::int8`
        : sql`and t.seq < ${options.after}::int8`;
  const found = await rows<{
    seq: string;
    id: string;
    escrow_account: string;
    reference: string | null;
    ledger: string;
    amount: string;
    state: HoldState;
    timeout_at: Date | string | null;
    created_at: Date | string;
    resolution_kind: 'post' | 'void' | null;
    resolution_amount: string | null;
    resolved_at: Date | string | null;
  }>(
    executor,
    sql`select t.seq::text, t.id, c.key as escrow_account, t.reference, t.ledger, t.amount::text, t.state,
               t.timeout_at, t.created_at, r.kind as resolution_kind, r.amount::text as resolution_amount,
               r.created_at as resolved_at
        from ledger_transfers t
        join ledger_accounts c on c.id = t.credit_account_id
        left join ledger_transfers r on r.pending_id = t.id
        where t.kind = 'pending' and c.code = 'escrow' and t.state = ${options.status} ${cursor}
        order by t.seq ${oldestFirst ? sql`asc` : sql`desc`} limit ${options.limit}`,
  );
  return found.map((row) => ({
    seq: row.seq,
    transferId: row.id,
    escrowAccount: row.escrow_account,
    orderId: row.escrow_account.startsWith(ORDER_ESCROW_PREFIX)
      ? row.escrow_account.slice(ORDER_ESCROW_PREFIX.length)
      : null,
    reference: row.reference,
    ledger: row.ledger,
    amount: BigInt(row.amount),
    status: row.state,
    postedAmount:
      row.resolution_kind === 'post' && row.resolution_amount !== null ? BigInt(row.resolution_amount) : null,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: row.timeout_at === null ? null : new Date(row.timeout_at).toISOString(),
    // An expired hold has no resolving transfer: the expiry job only marks it.
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
  }));
}

/** Per ledger, how many holds into escrow are pending and what they hold together. */
export async function pendingEscrowTotals(executor: Executor): Promise<HeldTotal[]> {
  const found = await rows<{ ledger: string; count: string | number; amount: string }>(
    executor,
    sql`select t.ledger, count(*)::int8::text as count, sum(t.amount)::text as amount
        from ledger_transfers t join ledger_accounts c on c.id = t.credit_account_id
        where t.kind = 'pending' and t.state = 'pending' and c.code = 'escrow'
        group by t.ledger order by t.ledger`,
  );
  return found.map((row) => ({ ledger: row.ledger, count: Number(row.count), amount: BigInt(row.amount) }));
}
