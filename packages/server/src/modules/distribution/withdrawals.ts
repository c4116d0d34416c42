import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { shardKey } from '../accounting/hot-accounts.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import type { TransferInput } from '../accounting/types.js';
import { createPayout } from '../payments/payouts.js';
import { available, earningsAccount } from './accounts.js';

/**
 * Withdrawals of earnings (issue 6): a promoter takes released commission out of `earnings:<did>`
 * through the payment provider, with a minimum amount, a fee, and an operator's review above a
 * threshold (config CONCORD_WITHDRAWAL_*).
 *
 * Money never waits unguarded:
 * - at or below the threshold the payout starts at once: the fee is held (earnings → the fee
 *   revenue account, pending) and the rest paid out (`createPayout`, which holds it into the
 *   provider's clearing account);
 * - above it the whole amount is held at once (earnings → the review hold account, pending), so
 *   it cannot be spent or withdrawn twice, nor clawed back from under the review; approval voids
 *   that hold and starts the payout in the same transaction, rejection voids it.
 * The provider's webhook posts or voids the payout's hold (payments/payouts.ts: a failed payout
 * returns its amount to the earnings). The withdrawal's status follows its payout when read, and
 * `settleWithdrawals` then settles the fee: posted to revenue when the money arrived, voided (the
 * fee returns too) when the payout failed. So a failed withdrawal costs nothing.
 */

export type WithdrawalStatus = 'review' | 'paying' | 'paid' | 'failed' | 'rejected';
export const WITHDRAWAL_STATUSES: readonly WithdrawalStatus[] = ['review', 'paying', 'paid', 'failed', 'rejected'];
export type Simulate = 'succeed' | 'fail' | 'timeout';

const LEDGER = 'CNY';
/** Where the fees go: platform revenue, sharded (every withdrawal credits it). */
const FEE_ACCOUNT = `revenue:withdrawal_fees:${LEDGER}`;
const FEE_SHARDS = 16;
/** Where an amount under review is held. */
const REVIEW_HOLD_ACCOUNT = `withdrawal_review:${LEDGER}`;

const reviewHoldId = (id: string) => `withdrawal:${id}:review-hold`;
const feeHoldId = (id: string) => `withdrawal:${id}:fee`;
const payoutIdOf = (id: string) => `withdrawal:${id}`;

/** The fee on `amountFen` at `feeBps`, rounded up to a whole fen. */
export const withdrawalFeeFen = (amountFen: bigint, feeBps: number): bigint =>
  (amountFen * BigInt(feeBps) + 9_999n) / 10_000n;

interface WithdrawalRow {
  id: string;
  did: string;
  amount_fen: string;
  fee_fen: string;
  status: WithdrawalStatus;
  destination: string;
  payout_id: string | null;
  created_at: Date | string;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
  settled_at: Date | string | null;
  seq: string | number;
  /** The status as its payout has it now (see STATUS_NOW). */
  status_now: WithdrawalStatus;
}

/** 'paying' becomes 'paid' or 'failed' as soon as the payout has its outcome, settled or not. */
const STATUS_NOW = sql`case when w.status = 'paying' and p.status = 'succeeded' then 'paid'
                            when w.status = 'paying' and p.status = 'failed' then 'failed'
                            else w.status end`;
const SELECT = sql`select w.*, ${STATUS_NOW} as status_now from distribution_withdrawals w left join payouts p on p.id = w.payout_id`;

/** Only the end of a destination is ever shown back: it is personal data (a card or wallet id). */
const maskDestination = (destination: string) => (destination.length <= 4 ? '****' : `****${destination.slice(-4)}`);

export const withdrawalView = (row: WithdrawalRow) => ({
  id: row.id,
  did: row.did,
  amountFen: String(row.amount_fen),
  feeFen: String(row.fee_fen),
  netFen: (BigInt(row.amount_fen) - BigInt(row.fee_fen)).toString(),
  status: row.status_now,
  destination: maskDestination(row.destination),
  payoutId: row.payout_id,
  createdAt: new Date(row.created_at).toISOString(),
  decidedBy: row.decided_by,
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  note: row.decision_note,
});
export type WithdrawalView = ReturnType<typeof withdrawalView>;

export async function findWithdrawal(executor: Executor, id: string): Promise<WithdrawalRow | undefined> {
  const [row] = await rows<WithdrawalRow>(executor, sql`${SELECT} where w.id = ${id}`);
  return row;
}

/** One account's withdrawals, newest first, before the cursor `beforeSeq`. */
export async function myWithdrawals(
  executor: Executor,
  did: string,
  page: { beforeSeq?: bigint | undefined; limit: number },
): Promise<{ items: WithdrawalRow[]; lastSeq: bigint | null }> {
  const items = await rows<WithdrawalRow>(
    executor,
    sql`${SELECT} where w.did = ${did}
        ${page.beforeSeq === undefined ? sql`` : sql`and w.seq < ${page.beforeSeq.toString()}::int8`}
        order by w.seq desc limit ${page.limit}`,
  );
  const last = items.at(-1);
  return { items, lastSeq: last === undefined ? null : BigInt(last.seq) };
}

/** The withdrawals whose status is `status` now, oldest first (a queue), after the cursor `afterSeq`. */
export async function withdrawalsByStatus(
  executor: Executor,
  status: WithdrawalStatus,
  page: { afterSeq?: bigint | undefined; limit: number },
): Promise<{ items: WithdrawalRow[]; lastSeq: bigint | null }> {
  // The stored status narrows the search (it is indexed); the status now decides.
  const stored = status === 'paid' || status === 'failed' ? [status, 'paying'] : [status];
  const items = await rows<WithdrawalRow>(
    executor,
    sql`${SELECT} where w.status in ${stored} and ${STATUS_NOW} = ${status}
        ${page.afterSeq === undefined ? sql`` : sql`and w.seq > ${page.afterSeq.toString()}::int8`}
        order by w.seq limit ${page.limit}`,
  );
  const last = items.at(-1);
  return { items, lastSeq: last === undefined ? null : BigInt(last.seq) };
}

/** The ledger refuses to overdraw earnings under any concurrency; say so in the withdrawal's words. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.code === 'exceeds_credits') {
      throw conflict('exceeds_available', 'The amount is more than your available earnings.', 'body.amountFen');
    }
    throw error;
  }
}

/** Holds the fee and starts the payout of the rest (from the owner's earnings, on their behalf). */
async function startPayout(
  ctx: AppContext,
  tx: Tx,
  withdrawal: { id: string; did: string; amountFen: bigint; feeFen: bigint; destination: string },
  simulate: Simulate | undefined,
  now: Date,
): Promise<string> {
  const earnings = earningsAccount(withdrawal.did);
  if (withdrawal.feeFen > 0n) {
    const feeShard = shardKey(FEE_ACCOUNT, FEE_SHARDS, feeHoldId(withdrawal.id));
    await createAccounts(tx, [{ key: feeShard, ledger: LEDGER, code: 'revenue' }]);
    await createTransfers(
      tx,
      [
        {
          id: feeHoldId(withdrawal.id),
          debitAccount: earnings,
          creditAccount: feeShard,
          amount: withdrawal.feeFen,
          code: 'withdrawal_fee',
          reference: withdrawal.id,
          pending: true,
        },
      ],
      now,
    );
  }
  const payout = await createPayout(ctx, tx, {
    id: payoutIdOf(withdrawal.id),
    account: earnings,
    amount: withdrawal.amountFen - withdrawal.feeFen,
    destination: withdrawal.destination,
    requestedBy: withdrawal.did,
    operator: false,
    simulate,
  });
  return payout.id;
}

export interface WithdrawalRequest {
  id: string;
  did: string;
  amountFen: bigint;
  destination: string;
  simulate?: Simulate | undefined;
}

/**
 * A withdrawal of `amountFen` from the requester's earnings, in the request's transaction: 422
 * below_minimum, 409 exceeds_available (more than the earnings can give now), 409
 * withdrawal_exists (the id is taken); on any refusal nothing is written. At or below the review
 * threshold its payout starts now ('paying'), above it the amount is held for the operator ('review').
 */
export async function requestWithdrawal(ctx: AppContext, tx: Tx, input: WithdrawalRequest): Promise<WithdrawalView> {
  const { withdrawalMinFen, withdrawalFeeBps, withdrawalReviewAboveFen } = ctx.config;
  if (input.amountFen < withdrawalMinFen) {
    throw unprocessable(
      'below_minimum',
      `The smallest withdrawal is ${withdrawalMinFen} fen; you asked for ${input.amountFen}.`,
      'body.amountFen',
    );
  }
  const feeFen = withdrawalFeeFen(input.amountFen, withdrawalFeeBps);
  if (feeFen >= input.amountFen) {
    throw unprocessable('below_fee', `The fee of ${feeFen} fen would take the whole withdrawal.`, 'body.amountFen');
  }
  const earnings = earningsAccount(input.did);
  const availableFen = await available(tx, earnings);
  if (input.amountFen > availableFen) {
    throw new AppError(
      409,
      'exceeds_available',
      `You can withdraw at most ${availableFen > 0n ? availableFen : 0n} fen now; you asked for ${input.amountFen}.`,
      'body.amountFen',
      { availableFen: (availableFen > 0n ? availableFen : 0n).toString() },
    );
  }
  const now = ctx.clock();
  const review = input.amountFen > withdrawalReviewAboveFen;
  const [inserted] = await rows<{ id: string }>(
    tx,
    sql`insert into distribution_withdrawals (id, did, amount_fen, fee_fen, status, destination, created_at)
        values (${input.id}, ${input.did}, ${input.amountFen.toString()}::int8, ${feeFen.toString()}::int8,
                ${review ? 'review' : 'paying'}, ${input.destination}, ${now.toISOString()}::timestamptz)
        on conflict (id) do nothing returning id`,
  );
  if (inserted === undefined) throw conflict('withdrawal_exists', `Withdrawal ${input.id} exists.`, 'body.id');
  await guarded(async () => {
    if (review) {
      await createAccounts(tx, [{ key: REVIEW_HOLD_ACCOUNT, ledger: LEDGER, code: 'withdrawal_hold' }]);
      await createTransfers(
        tx,
        [
          {
            id: reviewHoldId(input.id),
            debitAccount: earnings,
            creditAccount: REVIEW_HOLD_ACCOUNT,
            amount: input.amountFen,
            code: 'withdrawal_review',
            reference: input.id,
            pending: true,
          },
        ],
        now,
      );
    } else {
      const payoutId = await startPayout(ctx, tx, { ...input, feeFen }, input.simulate, now);
      await tx.execute(sql`update distribution_withdrawals set payout_id = ${payoutId} where id = ${input.id}`);
    }
  });
  return withdrawalView((await findWithdrawal(tx, input.id)) as WithdrawalRow);
}

/**
 * The operator's decision on a withdrawal in review: approval voids the review hold and starts
 * the payout, rejection voids it (the money is available again). 404 for no such withdrawal, 409
 * not_in_review once decided.
 */
export async function decideWithdrawal(
  ctx: AppContext,
  tx: Tx,
  input: {
    id: string;
    operator: string;
    decision: 'approve' | 'reject';
    note?: string | undefined;
    simulate?: Simulate;
  },
): Promise<WithdrawalView> {
  const [row] = await rows<WithdrawalRow>(
    tx,
    sql`select * from distribution_withdrawals where id = ${input.id} for update`,
  );
  if (row === undefined) throw notFound(`Withdrawal ${input.id}`, 'id');
  if (row.status !== 'review') {
    throw conflict('not_in_review', `Withdrawal ${input.id} is ${row.status}, not waiting for review.`, 'id');
  }
  const now = ctx.clock();
  await createTransfers(
    tx,
    [
      {
        id: `${reviewHoldId(row.id)}:void`,
        voidPending: reviewHoldId(row.id),
        code: 'withdrawal_review',
        reference: row.id,
      },
    ],
    now,
  );
  let payoutId: string | null = null;
  if (input.decision === 'approve') {
    payoutId = await guarded(() =>
      startPayout(
        ctx,
        tx,
        {
          id: row.id,
          did: row.did,
          amountFen: BigInt(row.amount_fen),
          feeFen: BigInt(row.fee_fen),
          destination: row.destination,
        },
        input.simulate,
        now,
      ),
    );
  }
  await tx.execute(
    sql`update distribution_withdrawals
           set status = ${input.decision === 'approve' ? 'paying' : 'rejected'}, payout_id = ${payoutId},
               decided_by = ${input.operator}, decided_at = ${now.toISOString()}::timestamptz,
               decision_note = ${input.note ?? null},
               settled_at = ${input.decision === 'reject' ? now.toISOString() : null}::timestamptz
         where id = ${row.id}`,
  );
  return withdrawalView((await findWithdrawal(tx, row.id)) as WithdrawalRow);
}

/**
 * Settles withdrawals whose payout has its outcome: the fee hold is posted to revenue (the money
 * arrived: 'paid') or voided (the payout failed and returned its amount; the fee returns too:
 * 'failed'). Each in its own transaction; a job runs it, and it is idempotent.
 */
export async function settleWithdrawals(ctx: AppContext, limit = 200): Promise<number> {
  const due = await rows<{ id: string }>(
    ctx.database.db,
    sql`select w.id from distribution_withdrawals w join payouts p on p.id = w.payout_id
         where w.status = 'paying' and p.status <> 'created' order by w.seq limit ${limit}`,
  );
  let settled = 0;
  for (const { id } of due) {
    const done = await transaction(ctx.database.db, async (tx) => {
      const [row] = await rows<{ id: string; fee_fen: string; payout_status: string }>(
        tx,
        sql`select w.id, w.fee_fen, p.status as payout_status
              from distribution_withdrawals w join payouts p on p.id = w.payout_id
             where w.id = ${id} and w.status = 'paying' and p.status <> 'created'
             for update of w skip locked`,
      );
      if (row === undefined) return false;
      const paid = row.payout_status === 'succeeded';
      const now = ctx.clock();
      if (BigInt(row.fee_fen) > 0n) {
        const fee: TransferInput = paid
          ? { id: `${feeHoldId(id)}:post`, postPending: feeHoldId(id), code: 'withdrawal_fee', reference: id }
          : { id: `${feeHoldId(id)}:void`, voidPending: feeHoldId(id), code: 'withdrawal_fee', reference: id };
        await createTransfers(tx, [fee], now);
      }
      await tx.execute(
        sql`update distribution_withdrawals set status = ${paid ? 'paid' : 'failed'}, settled_at = ${now.toISOString()}::timestamptz
             where id = ${id}`,
      );
      return true;
    });
    if (done) settled++;
  }
  return settled;
}
