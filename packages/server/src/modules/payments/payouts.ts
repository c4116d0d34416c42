import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError, forbidden, notFound } from '../../errors.js';
import { createTransfers, ensureAccounts, getAccounts } from '../accounting/ledger.js';
import { clearingAccount, type ProviderEvent, providerRefOf } from './provider.js';

export interface Payout {
  id: string;
  provider: string;
  account: string;
  ledger: string;
  amount: bigint;
  status: 'created' | 'succeeded' | 'failed';
  holdTransferId: string;
  createdAt: string;
  requestedBy: string;
}

interface PayoutRow {
  id: string;
  provider: string;
  provider_ref: string;
  account: string;
  clearing_account: string;
  ledger: string;
  amount: string;
  status: Payout['status'];
  hold_transfer_id: string;
  created_at: Date | string;
  requested_by: string;
}

const toPayout = (row: PayoutRow): Payout => ({
  id: row.id,
  provider: row.provider,
  account: row.account,
  ledger: row.ledger,
  amount: BigInt(row.amount),
  status: row.status,
  holdTransferId: row.hold_transfer_id,
  createdAt: new Date(row.created_at).toISOString(),
  requestedBy: row.requested_by,
});

/**
 * Pays money out of a ledger account through a provider (a withdrawal). The amount is held at
 * once (account → the provider's clearing account), so it cannot be spent twice while the
 * provider works; the provider's webhook posts the hold when the money arrived, or voids it.
 * Only the account's owner (or the operator) withdraws, and only from an account that may not
 * be overdrawn: its limit is what makes "available balance" mean something.
 */
export async function createPayout(
  ctx: AppContext,
  tx: Tx,
  input: {
    id: string;
    account: string;
    amount: bigint;
    destination: string;
    requestedBy: string;
    operator: boolean;
    provider?: string;
    simulate?: string | undefined;
  },
): Promise<Payout> {
  const provider = ctx.paymentProviders.chosen(input.provider);
  const [account] = await getAccounts(tx, [input.account]);
  if (account === undefined) throw notFound('Account', 'account');
  if (!input.operator && account.owner !== input.requestedBy)
    throw forbidden('not_account_owner', `Only the owner of ${input.account} may withdraw from it.`);
  if (!account.debitsMustNotExceedCredits) {
    throw new AppError(
      422,
      'not_withdrawable',
      `${input.account} has no balance limit, so it has no available balance to withdraw.`,
      'account',
    );
  }
  const clearing = clearingAccount(provider.name, account.ledger, `payout:${input.id}`);
  await ensureAccounts(tx, [{ key: clearing, ledger: account.ledger, code: 'clearing' }]);
  const providerRef = providerRefOf(provider, `po_${input.id}`);
  const holdId = `payout:${input.id}:hold`;
  const [row] = await rows<PayoutRow>(
    tx,
    sql`insert into payouts (id, provider, provider_ref, account, clearing_account, ledger, amount, destination, requested_by, status, hold_transfer_id, created_at)
        values (${input.id}, ${provider.name}, ${providerRef}, ${input.account}, ${clearing}, ${account.ledger},
                ${input.amount.toString()}::int8, ${input.destination}, ${input.requestedBy}, 'created', ${holdId}, ${ctx.clock().toISOString()}::timestamptz)
        on conflict (id) do nothing returning *`,
  );
  if (row === undefined) throw new AppError(409, 'payout_exists', `Payout ${input.id} exists.`, 'id');
  // The ledger refuses an amount above the available balance (exceeds_credits), and the whole
  // request rolls back with it.
  await createTransfers(
    tx,
    [
      {
        id: holdId,
        debitAccount: input.account,
        creditAccount: clearing,
        amount: input.amount,
        code: 'payout',
        reference: input.id,
        pending: true,
      },
    ],
    ctx.clock(),
  );
  await provider.payout(
    tx,
    { providerRef, amount: input.amount, destination: input.destination, simulate: input.simulate },
    ctx.clock(),
  );
  return toPayout(row);
}

export async function findPayout(executor: Executor, id: string): Promise<Payout | undefined> {
  const [row] = await rows<PayoutRow>(executor, sql`select * from payouts where id = ${id}`);
  return row === undefined ? undefined : toPayout(row);
}

/** A payout's outcome from its provider: the hold is posted (money left) or voided (it returns). */
export async function applyPayoutEvent(
  ctx: AppContext,
  tx: Tx,
  provider: string,
  event: ProviderEvent,
): Promise<'applied' | 'ignored'> {
  const [row] = await rows<PayoutRow>(
    tx,
    sql`select * from payouts where provider = ${provider} and provider_ref = ${event.providerRef} for update`,
  );
  if (row === undefined) throw notFound('Payout', 'data.providerRef');
  if (row.status !== 'created') return 'ignored';
  if (event.amount !== BigInt(row.amount)) {
    throw new AppError(
      422,
      'amount_mismatch',
      `The provider reports ${event.amount}, the payout is ${row.amount}.`,
      'data.amount',
    );
  }
  await settlePayout(ctx, tx, row, event.type === 'payout.succeeded' ? 'succeeded' : 'failed');
  return 'applied';
}

/**
 * Records a payout's outcome, its row locked and still 'created': a success posts the hold (the
 * money left the account), a failure voids it (the money is available again). The webhook and
 * the reconciler both settle through here, so an outcome means the same whoever learned it.
 */
async function settlePayout(ctx: AppContext, tx: Tx, row: PayoutRow, outcome: 'succeeded' | 'failed'): Promise<void> {
  await createTransfers(
    tx,
    [
      outcome === 'succeeded'
        ? { id: `payout:${row.id}:post`, postPending: row.hold_transfer_id, code: 'payout', reference: row.id }
        : { id: `payout:${row.id}:void`, voidPending: row.hold_transfer_id, code: 'payout', reference: row.id },
    ],
    ctx.clock(),
  );
  await tx.execute(
    sql`update payouts set status = ${outcome}, updated_at = ${ctx.clock().toISOString()}::timestamptz where id = ${row.id}`,
  );
}

/**
 * Settles payouts that have had no outcome for `timeoutSeconds` (their webhook never came): the
 * provider cancels each, so it can no longer succeed, or says the outcome it had. A cancelled
 * payout failed: its hold is voided and the money returns to the account. A webhook that comes
 * after this finds the payout settled and is ignored. Returns how many payouts it settled.
 */
export async function reconcileOpenPayouts(
  ctx: AppContext,
  tx: Tx,
  timeoutSeconds: number,
  limit = 100,
): Promise<number> {
  const cutoff = new Date(ctx.clock().getTime() - timeoutSeconds * 1000);
  // Skip locked: a payout whose webhook is being applied right now is not waited for; if that
  // webhook fails, the next run picks the payout up.
  const open = await rows<PayoutRow>(
    tx,
    sql`select * from payouts where status = 'created' and created_at <= ${cutoff.toISOString()}::timestamptz
        order by created_at limit ${limit} for update skip locked`,
  );
  for (const row of open) {
    const provider = ctx.paymentProviders.stored(row.provider, `payout ${row.id}`);
    const known = await provider.cancelPayout(tx, row.provider_ref, ctx.clock());
    await settlePayout(ctx, tx, row, known === 'cancelled' ? 'failed' : known);
  }
  return open.length;
}
