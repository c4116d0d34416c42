import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import type { AccountInput, LedgerAccount, TransferInput, TransferKind, TransferResult } from './types.js';

/** Largest single amount: 10^15 fen (10 trillion yuan) keeps every sum far inside int8. */
export const AMOUNT_MAX = 10n ** 15n;
export const BATCH_MAX = 10_000;
// Advisory lock class for transfer ids (the two-key form keeps it apart from other locks).
const TRANSFER_ID_LOCK_CLASS = 1819;

const KEY_PATTERN = /^[A-Za-z0-9_.:@+-]{1,128}$/;

interface AccountRow {
  id: string;
  key: string;
  ledger: string;
  code: string;
  owner: string | null;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_pending: string;
  debits_posted: string;
  credits_pending: string;
  credits_posted: string;
}

interface WorkingAccount extends LedgerAccount {
  id: string;
  changed: boolean;
}

const toAccount = (row: AccountRow): WorkingAccount => ({
  id: String(row.id),
  key: row.key,
  ledger: row.ledger,
  code: row.code,
  owner: row.owner,
  debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
  creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
  debitsPending: BigInt(row.debits_pending),
  debitsPosted: BigInt(row.debits_posted),
  creditsPending: BigInt(row.credits_pending),
  creditsPosted: BigInt(row.credits_posted),
  changed: false,
});

const publicAccount = ({ id: _id, changed: _changed, ...account }: WorkingAccount): LedgerAccount => account;

const invalid = (code: string, message: string, field: string) => new AppError(400, code, message, field);

/** Creates accounts; an existing key with the same definition is returned as it is. */
export async function createAccounts(tx: Tx, inputs: readonly AccountInput[]): Promise<LedgerAccount[]> {
  inputs.forEach((input, i) => {
    const field = `accounts[${i}]`;
    if (!KEY_PATTERN.test(input.key))
      throw invalid('invalid_key', 'key: 1–128 of A–Z a–z 0–9 _ . : @ + -', `${field}.key`);
    if (!/^[A-Z][A-Z0-9_]{1,15}$/.test(input.ledger))
      throw invalid('invalid_ledger', 'ledger: e.g. CNY or POINTS', `${field}.ledger`);
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(input.code))
      throw invalid('invalid_code', 'code: the account kind, e.g. escrow', `${field}.code`);
    if (input.debitsMustNotExceedCredits && input.creditsMustNotExceedDebits) {
      throw invalid('invalid_flags', 'an account limits its debits or its credits, not both', field);
    }
  });
  const created: LedgerAccount[] = [];
  for (const [i, input] of inputs.entries()) {
    const [row] = await rows<AccountRow>(
      tx,
      sql`insert into ledger_accounts (key, ledger, code, owner, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
          values (${input.key}, ${input.ledger}, ${input.code}, ${input.owner ?? null},
                  ${input.debitsMustNotExceedCredits ?? false}, ${input.creditsMustNotExceedDebits ?? false})
          on conflict (key) do update set key = excluded.key
          returning *`,
    );
    const account = toAccount(row as AccountRow);
    const same =
      account.ledger === input.ledger &&
      account.code === input.code &&
      account.owner === (input.owner ?? null) &&
      account.debitsMustNotExceedCredits === (input.debitsMustNotExceedCredits ?? false) &&
      account.creditsMustNotExceedDebits === (input.creditsMustNotExceedDebits ?? false);
    if (!same)
      throw new AppError(
        409,
        'account_key_conflict',
        `Account ${input.key} exists with another definition.`,
        `accounts[${i}].key`,
      );
    created.push(publicAccount(account));
  }
  return created;
}

export async function getAccounts(executor: Executor, keys: readonly string[]): Promise<LedgerAccount[]> {
  if (keys.length === 0) return [];
  const found = await rows<AccountRow>(executor, sql`select * from ledger_accounts where key in ${keys}`);
  return found.map((row) => publicAccount(toAccount(row)));
}

interface PendingRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  ledger: string;
  amount: string;
  code: string;
  state: 'pending' | 'posted' | 'voided' | 'expired';
  timeout_at: Date | string | null;
}

interface Planned {
  input: TransferInput;
  kind: TransferKind;
  field: string;
}

function kindOf(input: TransferInput, field: string): TransferKind {
  const chosen = [
    input.pending ? 'pending' : undefined,
    input.postPending !== undefined ? 'post' : undefined,
    input.voidPending !== undefined ? 'void' : undefined,
  ].filter((k) => k !== undefined);
  if (chosen.length > 1) throw invalid('invalid_flags', 'choose one of pending, postPending, voidPending', field);
  return (chosen[0] as TransferKind | undefined) ?? 'single';
}

function checkAmount(amount: bigint | undefined, field: string, required: boolean): void {
  if (amount === undefined) {
    if (required) throw invalid('invalid_amount', 'amount is required', `${field}.amount`);
    return;
  }
  if (typeof amount !== 'bigint' || amount <= 0n)
    throw invalid('invalid_amount', 'amount must be a positive whole number of minor units', `${field}.amount`);
  if (amount > AMOUNT_MAX)
    throw invalid('amount_too_large', `amount is above the maximum of ${AMOUNT_MAX} minor units`, `${field}.amount`);
}

/**
 * Applies a batch of transfers atomically (a linked batch: all or none), in the caller's
 * transaction. Accounts are locked in id order, so concurrent batches never deadlock; every
 * limit is checked before anything is written. Ids already used with the same fields are
 * answered 'exists' and change nothing; the same id with other fields is refused.
 */
export async function createTransfers(tx: Tx, inputs: readonly TransferInput[], now: Date): Promise<TransferResult[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > BATCH_MAX)
    throw invalid('batch_too_large', `a batch holds at most ${BATCH_MAX} transfers`, 'transfers');
  const seen = new Set<string>();
  const planned: Planned[] = inputs.map((input, i) => {
    const field = `transfers[${i}]`;
    if (!KEY_PATTERN.test(input.id)) throw invalid('invalid_id', 'id: 1–128 of A–Z a–z 0–9 _ . : @ + -', `${field}.id`);
    if (seen.has(input.id)) throw invalid('duplicate_id', `id ${input.id} appears twice in the batch`, `${field}.id`);
    seen.add(input.id);
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(input.code))
      throw invalid('invalid_code', 'code: e.g. sale or refund', `${field}.code`);
    const kind = kindOf(input, field);
    checkAmount(input.amount, field, kind === 'single' || kind === 'pending');
    if (kind === 'void' && input.amount !== undefined)
      throw invalid('invalid_amount', 'a void cancels the whole hold; leave amount out', `${field}.amount`);
    if (kind === 'single' || kind === 'pending') {
      if (input.debitAccount === undefined)
        throw invalid('invalid_account', 'debitAccount is required', `${field}.debitAccount`);
      if (input.creditAccount === undefined)
        throw invalid('invalid_account', 'creditAccount is required', `${field}.creditAccount`);
      if (input.debitAccount === input.creditAccount)
        throw invalid('same_account', 'debit and credit accounts must differ', field);
    }
    if (
      input.timeoutSeconds !== undefined &&
      (kind !== 'pending' || !Number.isInteger(input.timeoutSeconds) || input.timeoutSeconds <= 0)
    ) {
      throw invalid(
        'invalid_timeout',
        'timeoutSeconds is a positive whole number, for holds only',
        `${field}.timeoutSeconds`,
      );
    }
    return { input, kind, field };
  });

  // Concurrent copies of a batch take turns here (ids locked in sorted order, before any
  // account), so the second one finds the first one's transfers and replays them.
  const sortedIds = [...seen].sort();
  await tx.execute(
    sql`select pg_advisory_xact_lock(${TRANSFER_ID_LOCK_CLASS}, hashtext(x))
        from (select x from unnest(array[${sql.join(
          sortedIds.map((id) => sql`${id}`),
          sql`, `,
        )}]::text[]) as x order by x) ids`,
  );

  // Replays: ids that exist already.
  const existing = await rows<{
    id: string;
    kind: TransferKind;
    amount: string;
    reference: string | null;
    code: string;
    pending_id: string | null;
    debit_key: string;
    credit_key: string;
  }>(
    tx,
    sql`select t.id, t.kind, t.amount, t.reference, t.code, t.pending_id, d.key as debit_key, c.key as credit_key
        from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id join ledger_accounts c on c.id = t.credit_account_id
        where t.id in ${inputs.map((t) => t.id)}`,
  );
  const existingById = new Map(existing.map((row) => [row.id, row]));
  const results = new Map<string, TransferResult>();
  for (const plan of planned) {
    const row = existingById.get(plan.input.id);
    if (row === undefined) continue;
    const input = plan.input;
    const same =
      row.kind === plan.kind &&
      row.code === input.code &&
      row.reference === (input.reference ?? null) &&
      (input.amount === undefined || BigInt(row.amount) === input.amount) &&
      (plan.kind === 'post' || plan.kind === 'void'
        ? row.pending_id === (input.postPending ?? input.voidPending)
        : row.debit_key === input.debitAccount && row.credit_key === input.creditAccount);
    if (!same)
      throw new AppError(
        409,
        'transfer_id_conflict',
        `Transfer ${input.id} exists with other fields.`,
        `${plan.field}.id`,
      );
    results.set(input.id, { id: input.id, status: 'exists', kind: plan.kind, amount: BigInt(row.amount) });
  }
  const fresh = planned.filter((plan) => !results.has(plan.input.id));

  // The holds this batch resolves, locked so that a hold resolves at most once.
  const pendingIds = fresh.flatMap((p) =>
    p.kind === 'post' || p.kind === 'void' ? [(p.input.postPending ?? p.input.voidPending) as string] : [],
  );
  const holds = new Map<string, PendingRow>();
  if (pendingIds.length > 0) {
    const found = await rows<PendingRow>(
      tx,
      sql`select id, debit_account_id, credit_account_id, ledger, amount, code, state, timeout_at from ledger_transfers
          where kind = 'pending' and id in ${pendingIds} order by seq for update`,
    );
    for (const row of found) holds.set(row.id, row);
  }

  // Every account touched, locked in id order (the same order in every transaction).
  const keys = [
    ...new Set(
      fresh.flatMap((p) =>
        p.kind === 'single' || p.kind === 'pending'
          ? [p.input.debitAccount as string, p.input.creditAccount as string]
          : [],
      ),
    ),
  ];
  const holdAccountIds = [...holds.values()].flatMap((h) => [String(h.debit_account_id), String(h.credit_account_id)]);
  const locked = await rows<AccountRow>(
    tx,
    sql`select * from ledger_accounts
        where ${keys.length > 0 ? sql`key in ${keys}` : sql`false`}
           or ${holdAccountIds.length > 0 ? sql`id in ${holdAccountIds}` : sql`false`}
        order by id for update`,
  );
  const byKey = new Map<string, WorkingAccount>();
  const byId = new Map<string, WorkingAccount>();
  for (const row of locked) {
    const account = toAccount(row);
    byKey.set(account.key, account);
    byId.set(account.id, account);
  }

  const inserts: TransferRow[] = [];
  const resolved = new Map<string, 'posted' | 'voided'>();
  for (const { input, kind, field } of fresh) {
    if (kind === 'single' || kind === 'pending') {
      const debit = byKey.get(input.debitAccount as string);
      const credit = byKey.get(input.creditAccount as string);
      if (debit === undefined)
        throw new AppError(404, 'unknown_account', `No account ${input.debitAccount}.`, `${field}.debitAccount`);
      if (credit === undefined)
        throw new AppError(404, 'unknown_account', `No account ${input.creditAccount}.`, `${field}.creditAccount`);
      if (debit.ledger !== credit.ledger) {
        throw new AppError(
          422,
          'ledger_mismatch',
          `${debit.key} is on ${debit.ledger}, ${credit.key} on ${credit.ledger}.`,
          field,
        );
      }
      const amount = input.amount as bigint;
      if (kind === 'single') {
        debit.debitsPosted += amount;
        credit.creditsPosted += amount;
      } else {
        debit.debitsPending += amount;
        credit.creditsPending += amount;
      }
      debit.changed = credit.changed = true;
      checkLimits(debit, field);
      checkLimits(credit, field);
      inserts.push({
        id: input.id,
        debit: debit.id,
        credit: credit.id,
        ledger: debit.ledger,
        amount,
        code: input.code,
        reference: input.reference ?? null,
        kind,
        pendingId: null,
        timeoutAt:
          kind === 'pending' && input.timeoutSeconds !== undefined
            ? new Date(now.getTime() + input.timeoutSeconds * 1000)
            : null,
        state: kind === 'pending' ? 'pending' : null,
      });
      continue;
    }
    const pendingId = (input.postPending ?? input.voidPending) as string;
    const hold = holds.get(pendingId);
    const pendingField = `${field}.${kind === 'post' ? 'postPending' : 'voidPending'}`;
    if (hold === undefined) throw new AppError(404, 'pending_not_found', `No hold ${pendingId}.`, pendingField);
    const state = resolved.get(pendingId) ?? hold.state;
    if (state !== 'pending')
      throw new AppError(409, `pending_already_${state}`, `Hold ${pendingId} is already ${state}.`, pendingField);
    if (hold.timeout_at !== null && new Date(hold.timeout_at).getTime() <= now.getTime()) {
      throw new AppError(
        409,
        'pending_expired',
        `Hold ${pendingId} expired at ${new Date(hold.timeout_at).toISOString()}.`,
        pendingField,
      );
    }
    const held = BigInt(hold.amount);
    const amount = kind === 'post' ? (input.amount ?? held) : held;
    if (amount > held)
      throw new AppError(
        422,
        'exceeds_pending_amount',
        `Hold ${pendingId} is ${held}; cannot post ${amount}.`,
        `${field}.amount`,
      );
    const debit = byId.get(String(hold.debit_account_id)) as WorkingAccount;
    const credit = byId.get(String(hold.credit_account_id)) as WorkingAccount;
    debit.debitsPending -= held;
    credit.creditsPending -= held;
    if (kind === 'post') {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    }
    debit.changed = credit.changed = true;
    checkLimits(debit, field);
    checkLimits(credit, field);
    resolved.set(pendingId, kind === 'post' ? 'posted' : 'voided');
    inserts.push({
      id: input.id,
      debit: debit.id,
      credit: credit.id,
      ledger: hold.ledger,
      amount,
      code: input.code,
      reference: input.reference ?? null,
      kind,
      pendingId,
      timeoutAt: null,
      state: null,
    });
  }

  // One statement writes the balances, the resolved holds and the transfers: fewer round trips
  // while the accounts are locked. Large batches insert the rest of their transfers after it.
  const INSERT_CHUNK = 1000;
  const resolutions = [...resolved];
  const resolutionSql =
    resolutions.length === 0
      ? sql`select 1`
      : sql`update ledger_transfers t set state = v.state from (values ${sql.join(
          resolutions.map(([id, state]) => sql`(${id}, ${state})`),
          sql`, `,
        )}) as v(id, state) where t.id = v.id returning 1`;
  if (inserts.length === 0) return inputs.map((input) => results.get(input.id) as TransferResult);
  await tx.execute(
    sql`with balances as (${accountsUpdate([...byId.values()].filter((a) => a.changed))}),
        resolutions as (${resolutionSql})
        ${transfersInsert(inserts.slice(0, INSERT_CHUNK))}`,
  );
  for (let i = INSERT_CHUNK; i < inserts.length; i += INSERT_CHUNK) {
    await tx.execute(transfersInsert(inserts.slice(i, i + INSERT_CHUNK)));
  }
  for (const t of inserts) results.set(t.id, { id: t.id, status: 'created', kind: t.kind, amount: t.amount });
  return inputs.map((input) => results.get(input.id) as TransferResult);
}

function checkLimits(account: WorkingAccount, field: string): void {
  if (account.debitsMustNotExceedCredits && account.debitsPending + account.debitsPosted > account.creditsPosted) {
    throw new AppError(
      409,
      'exceeds_credits',
      `${account.key} would be overdrawn: debits ${account.debitsPending + account.debitsPosted} > credits ${account.creditsPosted}.`,
      field,
    );
  }
  if (account.creditsMustNotExceedDebits && account.creditsPending + account.creditsPosted > account.debitsPosted) {
    throw new AppError(
      409,
      'exceeds_debits',
      `${account.key} would exceed its debits: credits ${account.creditsPending + account.creditsPosted} > debits ${account.debitsPosted}.`,
      field,
    );
  }
}

interface TransferRow {
  id: string;
  debit: string;
  credit: string;
  ledger: string;
  amount: bigint;
  code: string;
  reference: string | null;
  kind: TransferKind;
  pendingId: string | null;
  timeoutAt: Date | null;
  state: string | null;
}

function transfersInsert(transfers: readonly TransferRow[]) {
  return sql`insert into ledger_transfers (id, debit_account_id, credit_account_id, ledger, amount, code, reference, kind, pending_id, timeout_at, state)
    values ${sql.join(
      transfers.map(
        (t) =>
          sql`(${t.id}, ${t.debit}::int8, ${t.credit}::int8, ${t.ledger}, ${t.amount.toString()}::int8, ${t.code}, ${t.reference}, ${t.kind}, ${t.pendingId}, ${t.timeoutAt?.toISOString() ?? null}::timestamptz, ${t.state})`,
      ),
      sql`, `,
    )}`;
}

function accountsUpdate(accounts: readonly WorkingAccount[]) {
  if (accounts.length === 0) return sql`select 1`;
  return sql`update ledger_accounts a set debits_pending = v.dp, debits_posted = v.dq, credits_pending = v.cp, credits_posted = v.cq
    from (values ${sql.join(
      accounts.map(
        (a) =>
          sql`(${a.id}::int8, ${a.debitsPending.toString()}::int8, ${a.debitsPosted.toString()}::int8, ${a.creditsPending.toString()}::int8, ${a.creditsPosted.toString()}::int8)`,
      ),
      sql`, `,
    )}) as v(id, dp, dq, cp, cq)
    where a.id = v.id returning 1`;
}

/** Voids holds whose timeout has passed (at most `limit`); what the expiry job runs. */
export async function expireHolds(tx: Tx, now: Date, limit = 1000): Promise<number> {
  const holds = await rows<PendingRow>(
    tx,
    sql`select id, debit_account_id, credit_account_id, ledger, amount, code, state, timeout_at from ledger_transfers
        where state = 'pending' and timeout_at <= ${now.toISOString()}::timestamptz
        order by timeout_at limit ${limit} for update skip locked`,
  );
  if (holds.length === 0) return 0;
  const ids = [...new Set(holds.flatMap((h) => [String(h.debit_account_id), String(h.credit_account_id)]))];
  const locked = await rows<AccountRow>(
    tx,
    sql`select * from ledger_accounts where id in ${ids} order by id for update`,
  );
  const byId = new Map(locked.map((row) => [String(row.id), toAccount(row)]));
  for (const hold of holds) {
    const amount = BigInt(hold.amount);
    const debit = byId.get(String(hold.debit_account_id)) as WorkingAccount;
    const credit = byId.get(String(hold.credit_account_id)) as WorkingAccount;
    debit.debitsPending -= amount;
    credit.creditsPending -= amount;
  }
  await tx.execute(accountsUpdate([...byId.values()]));
  await tx.execute(sql`update ledger_transfers set state = 'expired' where id in ${holds.map((h) => h.id)}`);
  return holds.length;
}

/**
 * The ledger's invariants, recomputed from scratch: per ledger, debits equal credits (posted and
 * pending); every balance equals the sum of its transfers; no limit is crossed. Empty when all hold.
 */
export async function ledgerViolations(executor: Executor): Promise<string[]> {
  const violations: string[] = [];
  const totals = await rows<{ ledger: string; dp: string; dq: string; cp: string; cq: string }>(
    executor,
    sql`select ledger, sum(debits_pending)::text dp, sum(debits_posted)::text dq, sum(credits_pending)::text cp, sum(credits_posted)::text cq
        from ledger_accounts group by ledger`,
  );
  for (const t of totals) {
    if (t.dq !== t.cq) violations.push(`${t.ledger}: posted debits ${t.dq} ≠ posted credits ${t.cq}`);
    if (t.dp !== t.cp) violations.push(`${t.ledger}: pending debits ${t.dp} ≠ pending credits ${t.cp}`);
  }
  const mismatched = await rows<{ key: string }>(
    executor,
    sql`with moves as (
          select debit_account_id as account, amount as d_posted, 0::int8 as c_posted,
                 0::int8 as d_pending, 0::int8 as c_pending from ledger_transfers where kind in ('single', 'post')
          union all select credit_account_id, 0, amount, 0, 0 from ledger_transfers where kind in ('single', 'post')
          union all select debit_account_id, 0, 0, amount, 0 from ledger_transfers where kind = 'pending' and state = 'pending'
          union all select credit_account_id, 0, 0, 0, amount from ledger_transfers where kind = 'pending' and state = 'pending'
        ), sums as (
          select account, sum(d_posted) dq, sum(c_posted) cq, sum(d_pending) dp, sum(c_pending) cp from moves group by account
        )
        select a.key from ledger_accounts a left join sums s on s.account = a.id
        where a.debits_posted <> coalesce(s.dq, 0) or a.credits_posted <> coalesce(s.cq, 0)
           or a.debits_pending <> coalesce(s.dp, 0) or a.credits_pending <> coalesce(s.cp, 0)`,
  );
  for (const m of mismatched) violations.push(`${m.key}: balance differs from the sum of its transfers`);
  const crossed = await rows<{ key: string }>(
    executor,
    sql`select key from ledger_accounts
        where (debits_must_not_exceed_credits and debits_pending + debits_posted > credits_posted)
           or (credits_must_not_exceed_debits and credits_pending + credits_posted > debits_posted)`,
  );
  for (const c of crossed) violations.push(`${c.key}: balance limit crossed`);
  return violations;
}
