import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { createTransfers, ensureAccounts, getAccounts } from '../accounting/ledger.js';
import type { LedgerAccount } from '../accounting/types.js';
import { applyPayoutEvent } from './payouts.js';
import { clearingAccount, type ProviderEvent, providerRefOf } from './provider.js';

export interface Payment {
  id: string;
  provider: string;
  providerRef: string;
  escrowAccount: string;
  ledger: string;
  amount: bigint;
  status: 'created' | 'succeeded' | 'failed' | 'timed_out';
  holdTransferId: string | null;
  refunded: bigint;
  /** What the payment is for ('order', 'deposit', …): the module that follows its outcome. */
  purpose: string;
  reference: string | null;
}

/**
 * A module that starts payments for a purpose learns their outcome here, in the transaction that
 * records it (a webhook, or the reconciler closing a payment that timed out).
 */
export type PaymentOutcomeHandler = (
  ctx: AppContext,
  tx: Tx,
  payment: Payment,
  outcome: 'succeeded' | 'failed' | 'timed_out',
) => Promise<void>;

interface PaymentRow {
  id: string;
  provider: string;
  provider_ref: string;
  escrow_account: string;
  ledger: string;
  amount: string;
  status: Payment['status'];
  hold_transfer_id: string | null;
  refunded: string;
  refunds: number | string;
  purpose: string;
  reference: string | null;
  hold_posted_at: Date | string | null;
}

const toPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  provider: row.provider,
  providerRef: row.provider_ref,
  escrowAccount: row.escrow_account,
  ledger: row.ledger,
  amount: BigInt(row.amount),
  status: row.status,
  holdTransferId: row.hold_transfer_id,
  refunded: BigInt(row.refunded),
  purpose: row.purpose,
  reference: row.reference,
});

export async function createPayment(
  ctx: AppContext,
  tx: Tx,
  input: {
    id: string;
    escrowAccount: string;
    /** The escrow account itself, when the caller has just created it: saves reading it again. */
    escrow?: LedgerAccount;
    amount: bigint;
    ledger: string;
    simulate?: string | undefined;
    provider?: string;
    purpose?: string;
    reference?: string;
  },
): Promise<Payment> {
  const provider = ctx.paymentProviders.chosen(input.provider);
  const clearing = clearingAccount(provider.name, input.ledger, input.id);
  await ensureAccounts(tx, [{ key: clearing, ledger: input.ledger, code: 'clearing' }]);
  const escrow =
    input.escrow?.key === input.escrowAccount ? input.escrow : (await getAccounts(tx, [input.escrowAccount]))[0];
  if (escrow === undefined) throw notFound('Escrow account', 'escrowAccount');
  if (escrow.ledger !== input.ledger)
    throw new AppError(422, 'ledger_mismatch', `${input.escrowAccount} is on ${escrow.ledger}.`, 'ledger');
  const providerRef = providerRefOf(provider, input.id);
  const [row] = await rows<PaymentRow>(
    tx,
    sql`insert into payments (id, provider, provider_ref, clearing_account, escrow_account, ledger, amount, status, purpose, reference, created_at)
        values (${input.id}, ${provider.name}, ${providerRef}, ${clearing}, ${input.escrowAccount}, ${input.ledger}, ${input.amount.toString()}::int8, 'created',
                ${input.purpose ?? 'manual'}, ${input.reference ?? null}, ${ctx.clock().toISOString()}::timestamptz)
        on conflict (id) do nothing returning *`,
  );
  if (row === undefined) throw new AppError(409, 'payment_exists', `Payment ${input.id} exists.`, 'id');
  await provider.charge(tx, { providerRef, amount: input.amount, simulate: input.simulate }, ctx.clock());
  return toPayment(row);
}

export async function findPayment(executor: Executor, id: string): Promise<Payment | undefined> {
  const [row] = await rows<PaymentRow>(executor, sql`select * from payments where id = ${id}`);
  return row === undefined ? undefined : toPayment(row);
}

/**
 * Applies a verified webhook event once: a success puts the money on hold in escrow, a failure
 * marks the payment. A duplicate delivery of the same event id changes nothing.
 */
export async function applyWebhookEvent(
  ctx: AppContext,
  tx: Tx,
  provider: string,
  event: ProviderEvent,
): Promise<'applied' | 'duplicate' | 'ignored'> {
  const [fresh] = await rows<{ event_id: string }>(
    tx,
    sql`insert into payment_webhook_events (provider, event_id) values (${provider}, ${event.id}) on conflict do nothing returning event_id`,
  );
  if (fresh === undefined) return 'duplicate';
  if (event.type === 'payout.succeeded' || event.type === 'payout.failed') {
    return applyPayoutEvent(ctx, tx, provider, event);
  }
  const [row] = await rows<PaymentRow & { clearing_account: string }>(
    tx,
    sql`select * from payments where provider = ${provider} and provider_ref = ${event.providerRef} for update`,
  );
  if (row === undefined) throw notFound('Payment', 'data.providerRef');
  if (row.status !== 'created') return 'ignored';
  if (event.amount !== BigInt(row.amount)) {
    throw new AppError(
      422,
      'amount_mismatch',
      `The provider reports ${event.amount}, the payment is ${row.amount}.`,
      'data.amount',
    );
  }
  if (event.type === 'payment.failed') {
    await settlePayment(ctx, tx, row, 'failed');
    return 'applied';
  }
  await settlePayment(ctx, tx, row, 'succeeded');
  return 'applied';
}

/** Records a payment's outcome (a success puts the money on hold in escrow) and tells its purpose. */
async function settlePayment(
  ctx: AppContext,
  tx: Tx,
  row: PaymentRow & { clearing_account: string },
  outcome: 'succeeded' | 'failed' | 'timed_out',
): Promise<void> {
  if (outcome !== 'succeeded') {
    const [updated] = await rows<PaymentRow>(
      tx,
      sql`update payments set status = ${outcome}, updated_at = now() where id = ${row.id} returning *`,
    );
    await ctx.paymentOutcomes.get(row.purpose)?.(ctx, tx, toPayment(updated as PaymentRow), outcome);
    return;
  }
  const holdId = `payment:${row.id}:hold`;
  await createTransfers(
    tx,
    [
      {
        id: holdId,
        debitAccount: row.clearing_account,
        creditAccount: row.escrow_account,
        amount: BigInt(row.amount),
        code: 'payment',
        reference: row.id,
        pending: true,
      },
    ],
    ctx.clock(),
  );
  const [updated] = await rows<PaymentRow>(
    tx,
    sql`update payments set status = 'succeeded', hold_transfer_id = ${holdId}, updated_at = now() where id = ${row.id} returning *`,
  );
  await ctx.paymentOutcomes.get(row.purpose)?.(ctx, tx, toPayment(updated as PaymentRow), 'succeeded');
}

/**
 * Posts a succeeded payment's hold into its escrow in full (an order that completed): from then
 * on the escrow holds the money and refunds move it back out. After a partial refund the hold is
 * posted already (for the rest); either way this marks it so. Idempotent.
 */
export async function postPaymentHold(ctx: AppContext, tx: Tx, id: string): Promise<void> {
  const [row] = await rows<PaymentRow>(tx, sql`select * from payments where id = ${id} for update`);
  if (row === undefined) throw notFound('Payment');
  if (row.status !== 'succeeded' || row.hold_transfer_id === null || row.hold_posted_at !== null) return;
  if (row.refunded === '0') {
    await createTransfers(
      tx,
      [{ id: `${row.hold_transfer_id}:post`, postPending: row.hold_transfer_id, code: 'payment', reference: id }],
      ctx.clock(),
    );
  }
  await tx.execute(sql`update payments set hold_posted_at = now(), updated_at = now() where id = ${id}`);
}

/**
 * Closes payments that have had no outcome for `timeoutSeconds`: the provider closes each (so it
 * can no longer succeed) and says what it knows; a success whose webhook was lost is applied as
 * if the webhook had come. Returns how many payments it settled.
 */
export async function reconcileOpenPayments(
  ctx: AppContext,
  tx: Tx,
  timeoutSeconds: number,
  limit = 100,
): Promise<number> {
  const cutoff = new Date(ctx.clock().getTime() - timeoutSeconds * 1000);
  const open = await rows<PaymentRow & { clearing_account: string }>(
    tx,
    sql`select * from payments where status = 'created' and created_at <= ${cutoff.toISOString()}::timestamptz
        order by created_at limit ${limit} for update skip locked`,
  );
  for (const row of open) {
    const provider = ctx.paymentProviders.stored(row.provider, `payment ${row.id}`);
    const known = await provider.close(tx, row.provider_ref, ctx.clock());
    await settlePayment(ctx, tx, row, known === 'closed' ? 'timed_out' : known);
  }
  return open.length;
}

/**
 * Refunds a paid order whose money is in escrow. The first refund resolves the hold: in full it
 * voids it; in part it posts the rest into escrow and returns the refund. Later refunds move
 * money back out of escrow. Refunds never exceed what was paid. Once the escrow is settled,
 * refunds reverse the settlement instead (the settlement issue).
 */
export async function refundPayment(ctx: AppContext, tx: Tx, id: string, amount: bigint): Promise<Payment> {
  const [row] = await rows<PaymentRow & { clearing_account: string }>(
    tx,
    sql`select * from payments where id = ${id} for update`,
  );
  if (row === undefined) throw notFound('Payment');
  if (row.status !== 'succeeded' || row.hold_transfer_id === null) {
    throw new AppError(
      409,
      'not_refundable',
      `Payment ${id} is ${row.status}; only a succeeded payment can be refunded.`,
    );
  }
  const paid = BigInt(row.amount);
  const left = paid - BigInt(row.refunded);
  if (left === 0n) throw new AppError(409, 'not_refundable', `Payment ${id} was refunded in full already.`);
  if (amount <= 0n || amount > left) {
    throw new AppError(422, 'invalid_refund', `Refund between 1 and ${left}.`, 'amount');
  }
  const refundKey = String(Number(row.refunds) + 1);
  const transferId = `payment:${id}:refund:${refundKey}`;
  const transfer =
    row.refunded !== '0' || row.hold_posted_at !== null
      ? {
          id: transferId,
          debitAccount: row.escrow_account,
          creditAccount: row.clearing_account,
          amount,
          code: 'refund',
          reference: id,
        }
      : amount === paid
        ? { id: transferId, voidPending: row.hold_transfer_id, code: 'refund', reference: id }
        : { id: transferId, postPending: row.hold_transfer_id, amount: paid - amount, code: 'refund', reference: id };
  await createTransfers(tx, [transfer], ctx.clock());
  const provider = ctx.paymentProviders.stored(row.provider, `payment ${id}`);
  await provider.refund(tx, { providerRef: row.provider_ref, refundId: `${id}-${refundKey}`, amount }, ctx.clock());
  const [updated] = await rows<PaymentRow>(
    tx,
    sql`update payments set refunded = refunded + ${amount.toString()}::int8, refunds = refunds + 1, updated_at = now() where id = ${id} returning *`,
  );
  return toPayment(updated as PaymentRow);
}
