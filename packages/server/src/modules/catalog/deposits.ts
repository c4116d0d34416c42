import { toHex } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { badRequest, conflict } from '../../errors.js';
import { AMOUNT_MAX, createAccounts, createTransfers, getAccounts } from '../accounting/ledger.js';
import { type StatementLine, statement } from '../accounting/statement.js';
import { availableOf, type LedgerAccount } from '../accounting/types.js';
import { createPayment, type Payment, postPaymentHold } from '../payments/service.js';
import { decodeCursor, pageOf } from './cursor.js';

/**
 * A producer's deposit (保证金): money paid into the ledger account `deposit:<did>` (CNY, code
 * 'deposit') through a payment. Listing a product needs the deposit of every category the
 * producer lists in; what is held counts pending and posted credits less every debit, since a
 * paid deposit stays on hold there until it is cut or returned.
 */

export const DEPOSIT_LEDGER = 'CNY';
export const depositAccountKey = (did: string) => `deposit:${did}`;

export async function ensureDepositAccount(tx: Tx, did: string): Promise<LedgerAccount> {
  const [account] = await createAccounts(tx, [
    { key: depositAccountKey(did), ledger: DEPOSIT_LEDGER, code: 'deposit', owner: did },
  ]);
  return account as LedgerAccount;
}

export const heldFen = (account: LedgerAccount | undefined): bigint =>
  account === undefined
    ? 0n
    : account.creditsPending + account.creditsPosted - account.debitsPending - account.debitsPosted;

export interface DepositRequirement {
  requiredFen: bigint;
  categories: { slug: string; depositFen: bigint }[];
}

/** The sum of the deposits of the distinct categories the producer lists in, plus `alsoCategory`. */
export async function depositRequirement(
  executor: Executor,
  did: string,
  alsoCategory?: string,
): Promise<DepositRequirement> {
  const found = await rows<{ slug: string; deposit_fen: string }>(
    executor,
    sql`select slug, deposit_fen from catalog_categories
        where slug in (select category from catalog_products where producer_did = ${did} and status = 'listed')
           or slug = ${alsoCategory ?? null}
        order by slug`,
  );
  const list = found.map((row) => ({ slug: row.slug, depositFen: BigInt(row.deposit_fen) }));
  return { requiredFen: list.reduce((sum, c) => sum + c.depositFen, 0n), categories: list };
}

export async function depositHeld(executor: Executor, did: string): Promise<bigint> {
  const [account] = await getAccounts(executor, [depositAccountKey(did)]);
  return heldFen(account);
}

/** Starts a payment of `amountFen` into the producer's deposit account (created if missing). */
export async function startDepositPayment(
  ctx: AppContext,
  tx: Tx,
  did: string,
  amountFen: bigint,
  simulate: 'succeed' | 'fail' | 'timeout' | undefined,
): Promise<Payment> {
  if (amountFen > AMOUNT_MAX)
    throw badRequest('amount_too_large', `A deposit is at most ${AMOUNT_MAX} fen.`, 'body.amount');
  const account = await ensureDepositAccount(tx, did);
  return createPayment(ctx, tx, {
    id: `deposit_${toHex(ctx.crypto.randomBytes(12))}`,
    escrowAccount: account.key,
    amount: amountFen,
    ledger: DEPOSIT_LEDGER,
    simulate,
    purpose: 'deposit',
    reference: did,
  });
}

export async function describeDeposit(executor: Executor, did: string) {
  const [account] = await getAccounts(executor, [depositAccountKey(did)]);
  const requirement = await depositRequirement(executor, did);
  const held = heldFen(account);
  return {
    account: depositAccountKey(did),
    ledger: DEPOSIT_LEDGER,
    heldFen: held.toString(),
    requiredFen: requirement.requiredFen.toString(),
    shortfallFen: (requirement.requiredFen > held ? requirement.requiredFen - held : 0n).toString(),
    balances: {
      creditsPending: (account?.creditsPending ?? 0n).toString(),
      creditsPosted: (account?.creditsPosted ?? 0n).toString(),
      debitsPending: (account?.debitsPending ?? 0n).toString(),
      debitsPosted: (account?.debitsPosted ?? 0n).toString(),
    },
    categories: requirement.categories.map((c) => ({ slug: c.slug, depositFen: c.depositFen.toString() })),
  };
}

// Advisory lock class of a producer's deposit cuts and ratings (6020–6029 are distribution's).
const PRODUCER_DEPOSIT_LOCK = 6021;

/**
 * Serialises what reads a producer's deposit to cut it (a rating cut, a verdict's cut or payback)
 * and the producer's ratings, within the transaction.
 */
export const lockProducerDeposit = (tx: Tx, producer: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(${PRODUCER_DEPOSIT_LOCK}, hashtext(${producer}))`);

/** Where cut deposits go: the platform's revenue. */
export const DEPOSIT_CUT_REVENUE = 'revenue:platform:deposit_cuts';

/**
 * Cuts `amountFen` of a producer's deposit to the platform (a rating cut, a failed verdict). The
 * deposit's received payments are still holds until something takes from them, so they are posted
 * first; a cut above what was received is refused (409 deposit_insufficient), nothing written.
 */
export async function cutDeposit(
  ctx: AppContext,
  tx: Tx,
  cut: { producer: string; amountFen: bigint; transferId: string; reference: string; now: Date },
): Promise<void> {
  const deposit = depositAccountKey(cut.producer);
  const held = await rows<{ id: string }>(
    tx,
    sql`select id from payments where escrow_account = ${deposit} and status = 'succeeded'
           and hold_transfer_id is not null and hold_posted_at is null order by id`,
  );
  for (const payment of held) await postPaymentHold(ctx, tx, payment.id);
  const [account] = await getAccounts(tx, [deposit]);
  const receivedFen = availableOf(account);
  if (receivedFen < cut.amountFen) {
    throw conflict('deposit_insufficient', `The deposit has ${receivedFen} fen received.`, 'body.amountFen');
  }
  await createAccounts(tx, [{ key: DEPOSIT_CUT_REVENUE, ledger: DEPOSIT_LEDGER, code: 'platform_revenue' }]);
  await createTransfers(
    tx,
    [
      {
        id: cut.transferId,
        debitAccount: deposit,
        creditAccount: DEPOSIT_CUT_REVENUE,
        amount: cut.amountFen,
        code: 'deposit_cut',
        reference: cut.reference,
      },
    ],
    cut.now,
  );
}

/** Pays a cut back from the platform's deposit-cut revenue into the producer's deposit. */
export async function restoreDeposit(
  tx: Tx,
  payback: { producer: string; amountFen: bigint; transferId: string; reference: string; now: Date },
): Promise<void> {
  await createTransfers(
    tx,
    [
      {
        id: payback.transferId,
        debitAccount: DEPOSIT_CUT_REVENUE,
        creditAccount: depositAccountKey(payback.producer),
        amount: payback.amountFen,
        code: 'deposit_restored',
        reference: payback.reference,
      },
    ],
    payback.now,
  );
}

/** What a movement of a deposit account was, from its ledger code and kind. */
export const DEPOSIT_MOVEMENT_TYPES = ['top_up', 'top_up_received', 'refund', 'cut', 'cut_restored', 'other'] as const;
export type DepositMovementType = (typeof DEPOSIT_MOVEMENT_TYPES)[number];

function movementType(line: StatementLine): DepositMovementType {
  if (line.code === 'payment') return line.kind === 'pending' ? 'top_up' : 'top_up_received';
  if (line.code === 'refund') return 'refund';
  if (line.code === 'deposit_cut') return 'cut';
  if (line.code === 'deposit_restored') return 'cut_restored';
  return 'other';
}

/**
 * One transfer of the deposit account as the producer sees it. `direction` is the side of the
 * account ('in' a credit, 'out' a debit), except for a void, which takes back the hold it cancels.
 */
function movementView(line: StatementLine) {
  const side = line.side === 'credit' ? 'in' : 'out';
  return {
    transferId: line.transferId,
    createdAt: line.createdAt,
    type: movementType(line),
    direction: line.kind === 'void' ? (side === 'in' ? 'out' : 'in') : side,
    amountFen: line.amount.toString(),
    kind: line.kind,
    code: line.code,
    state: line.state,
    reference: line.reference,
  } as const;
}

const SEQ = /^[0-9]{1,19}$/;

/**
 * The movements of the producer's deposit account, oldest first, by pages: the ledger's
 * statement of `deposit:<did>`, nothing else (an account not opened yet has none).
 */
export async function depositMovements(
  executor: Executor,
  did: string,
  query: { cursor?: string | undefined; limit: number },
) {
  const after = decodeCursor(query.cursor);
  if (after !== undefined && !SEQ.test(after.id))
    throw badRequest('invalid_cursor', 'cursor: pass back a nextCursor unchanged.', 'querystring.cursor');
  const lines = await statement(executor, depositAccountKey(did), { after: after?.id, limit: query.limit + 1 });
  const page = pageOf(lines, query.limit, (last) => ({ id: last.seq }));
  return { account: depositAccountKey(did), items: page.items.map(movementView), nextCursor: page.nextCursor };
}
