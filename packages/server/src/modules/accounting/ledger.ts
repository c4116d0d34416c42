import { sql } from 'drizzle-orm';
import {
  type Db,
  type Executor,
  preparedRows,
  rows,
  SerializationConflict,
  sqlState,
  type Tx,
  transaction,
} from '../../db/connection.js';
import { AppError } from '../../errors.js';
import type { AccountInput, LedgerAccount, TransferInput, TransferKind, TransferResult } from './types.js';

/** Largest single amount: 10^15 fen (10 trillion yuan) keeps every sum far inside int8. */
export const AMOUNT_MAX = 10n ** 15n;
export const BATCH_MAX = 10_000;

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
    // "do nothing" and a read, not "do update … returning": an update would lock the existing
    // row until commit, and every payment ensures the provider's one clearing account.
    const [inserted] = await rows<AccountRow>(
      tx,
      sql`insert into ledger_accounts (key, ledger, code, owner, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
          values (${input.key}, ${input.ledger}, ${input.code}, ${input.owner ?? null},
                  ${input.debitsMustNotExceedCredits ?? false}, ${input.creditsMustNotExceedDebits ?? false})
          on conflict (key) do nothing
          returning *`,
    );
    const row =
      inserted ?? (await rows<AccountRow>(tx, sql`select * from ledger_accounts where key = ${input.key}`))[0];
    const account = toAccount(row as AccountRow);
    if (!sameDefinition(account, input))
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

const sameDefinition = (account: LedgerAccount, input: AccountInput): boolean =>
  account.ledger === input.ledger &&
  account.code === input.code &&
  account.owner === (input.owner ?? null) &&
  account.debitsMustNotExceedCredits === (input.debitsMustNotExceedCredits ?? false) &&
  account.creditsMustNotExceedDebits === (input.creditsMustNotExceedDebits ?? false);

/**
 * As createAccounts, for accounts that nearly always exist already and are written all the time
 * (a hot account's shard): a plain read first, which never waits, and createAccounts only when
 * one is missing or differs. An insert that finds the key waits for every open transaction that
 * updated the row (its new index entry for the key must commit or abort first): every payment
 * used to queue behind the webhooks posting to its clearing shard that way.
 */
export async function ensureAccounts(tx: Tx, inputs: readonly AccountInput[]): Promise<LedgerAccount[]> {
  const read = await getAccounts(
    tx,
    inputs.map((input) => input.key),
  );
  const found = new Map(read.map((account) => [account.key, account]));
  const existing = inputs.map((input) => found.get(input.key));
  if (existing.every((account, i) => account !== undefined && sameDefinition(account, inputs[i] as AccountInput))) {
    return existing as LedgerAccount[];
  }
  return createAccounts(tx, inputs);
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

interface ExistingRow {
  id: string;
  kind: TransferKind;
  amount: string;
  reference: string | null;
  code: string;
  pending_id: string | null;
  debit_key: string;
  credit_key: string;
}

// The batch's ids that exist already, as one JSON array (amounts as text: int8 exceeds JSON numbers).
const EXISTING_TRANSFERS = `select jsonb_agg(jsonb_build_object('id', t.id, 'kind', t.kind, 'amount', t.amount::text,
    'reference', t.reference, 'code', t.code, 'pending_id', t.pending_id, 'debit_key', d.key, 'credit_key', c.key))
  from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id join ledger_accounts c on c.id = t.credit_account_id
  where t.id = any($1::text[])`;

// Constant texts, so that PostgreSQL plans each once per connection (see preparedRows).
const LOCK_HOLDS = `select id, debit_account_id, credit_account_id, ledger, amount, code, state, timeout_at
  from ledger_transfers where kind = 'pending' and id = any($1::text[]) order by seq for update`;
const LOCK_ACCOUNTS_AND_FIND_REPLAYS = `select a.*, (${EXISTING_TRANSFERS}) as existing from ledger_accounts a
  where a.key = any($2::text[]) or a.id = any($3::int8[]) order by a.id for update of a`;
const FIND_REPLAYS = `select (${EXISTING_TRANSFERS}) as existing`;
// One statement writes the balances, the resolved holds and the new transfers, while the
// accounts are locked. Data-modifying CTEs run whether or not the query reads them.
const WRITE_BATCH = `with balances as (
    update ledger_accounts a set debits_pending = v.dp, debits_posted = v.dq, credits_pending = v.cp, credits_posted = v.cq
    from unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[]) as v(id, dp, dq, cp, cq) where a.id = v.id),
  resolutions as (
    update ledger_transfers t set state = v.state from unnest($6::text[], $7::text[]) as v(id, state) where t.id = v.id)
  insert into ledger_transfers (id, debit_account_id, credit_account_id, ledger, amount, code, reference, kind, pending_id, timeout_at, state)
  select * from unnest($8::text[], $9::int8[], $10::int8[], $11::text[], $12::int8[], $13::text[], $14::text[], $15::text[],
                       $16::text[], $17::timestamptz[], $18::text[])`;

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
  const planned = planTransfers(inputs);
  return applyPlanned(tx, inputs, planned, now);
}

/** What the one-statement path leaves to the full path: anything it refused. */
const FULL_PATH_STATES = new Set(['CL001', '23505', '23514', '40001', '40P01']);
const POST_TRANSFERS =
  'select ledger_post_transfers($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[])';

/**
 * Applies a batch in a transaction of its own — what a caller with nothing else to write does
 * (the ledger's HTTP API, a sale's settlement legs). A batch of plain transfers between known
 * accounts with fresh ids, the common case, is one call to the database (migration 0019's
 * ledger_post_transfers, one round trip); anything else — holds, replays, a crossed limit, an
 * unknown account — runs the full path, which answers it exactly as createTransfers does.
 */
export async function createTransfersNow(
  db: Db,
  inputs: readonly TransferInput[],
  now: Date,
): Promise<TransferResult[]> {
  if (inputs.length === 0) return [];
  const planned = planTransfers(inputs);
  if (planned.every((p) => p.kind === 'single')) {
    const column = (pick: (input: TransferInput) => unknown) => planned.map((p) => pick(p.input));
    try {
      await preparedRows(db, 'ledger_post_transfers', POST_TRANSFERS, [
        column((t) => t.id),
        column((t) => t.debitAccount),
        column((t) => t.creditAccount),
        column((t) => (t.amount as bigint).toString()),
        column((t) => t.code),
        column((t) => t.reference ?? null),
      ]);
      return planned.map(({ input }) => ({
        id: input.id,
        status: 'created',
        kind: 'single',
        amount: input.amount as bigint,
      }));
    } catch (error) {
      if (!FULL_PATH_STATES.has(sqlState(error) ?? '')) throw error;
    }
  }
  return transaction(db, (tx) => applyPlanned(tx, inputs, planned, now));
}

/** Checks a batch's fields (nothing read yet): each transfer with its kind and its field name. */
function planTransfers(inputs: readonly TransferInput[]): Planned[] {
  if (inputs.length > BATCH_MAX)
    throw invalid('batch_too_large', `a batch holds at most ${BATCH_MAX} transfers`, 'transfers');
  const seen = new Set<string>();
  return inputs.map((input, i) => {
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
}

async function applyPlanned(
  tx: Tx,
  inputs: readonly TransferInput[],
  planned: readonly Planned[],
  now: Date,
): Promise<TransferResult[]> {
  // The holds this batch resolves, locked so that a hold resolves at most once. A replayed
  // post or void finds its hold resolved already; the replay check below answers it first.
  const pendingIds = planned.flatMap((p) =>
    p.kind === 'post' || p.kind === 'void' ? [(p.input.postPending ?? p.input.voidPending) as string] : [],
  );
  const holds = new Map<string, PendingRow>();
  if (pendingIds.length > 0) {
    const found = await preparedRows<PendingRow>(tx, 'ledger_lock_holds', LOCK_HOLDS, [pendingIds]);
    for (const row of found) holds.set(row.id, row);
  }

  // Every account touched, locked in id order (the same order in every transaction), and in the
  // same statement the ids of this batch that exist already (replays). No lock guards the ids:
  // a concurrent copy of this batch that commits first makes our insert fail on the unique id,
  // which is answered as a serialization failure, so the transaction reruns and replays it.
  const keys = [
    ...new Set(
      planned.flatMap((p) =>
        p.kind === 'single' || p.kind === 'pending'
          ? [p.input.debitAccount as string, p.input.creditAccount as string]
          : [],
      ),
    ),
  ];
  const holdAccountIds = [...holds.values()].flatMap((h) => [String(h.debit_account_id), String(h.credit_account_id)]);
  const ids = planned.map((p) => p.input.id);
  const locked = await preparedRows<AccountRow & { existing: ExistingRow[] | null }>(
    tx,
    'ledger_lock_accounts',
    LOCK_ACCOUNTS_AND_FIND_REPLAYS,
    [ids, keys, holdAccountIds],
  );
  const existing =
    (locked.length > 0
      ? locked[0]?.existing
      : (await preparedRows<{ existing: ExistingRow[] | null }>(tx, 'ledger_find_replays', FIND_REPLAYS, [ids]))[0]
          ?.existing) ?? [];
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

  if (inserts.length === 0) return inputs.map((input) => results.get(input.id) as TransferResult);
  try {
    await writeBatch(
      tx,
      [...byId.values()].filter((a) => a.changed),
      [...resolved],
      inserts,
    );
  } catch (error) {
    // A concurrent batch with one of our ids committed after our replay check: rerun the
    // transaction, which then finds that transfer and answers it as a replay.
    if (sqlState(error) === '23505') throw new SerializationConflict('transfer ids of this batch were taken meanwhile');
    throw error;
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

async function writeBatch(
  tx: Tx,
  accounts: readonly WorkingAccount[],
  resolutions: readonly (readonly [string, string])[],
  inserts: readonly TransferRow[],
): Promise<void> {
  const column = <T>(list: readonly T[], pick: (item: T) => unknown) => list.map(pick);
  await preparedRows(tx, 'ledger_write_batch', WRITE_BATCH, [
    column(accounts, (a) => a.id),
    column(accounts, (a) => a.debitsPending.toString()),
    column(accounts, (a) => a.debitsPosted.toString()),
    column(accounts, (a) => a.creditsPending.toString()),
    column(accounts, (a) => a.creditsPosted.toString()),
    column(resolutions, (r) => r[0]),
    column(resolutions, (r) => r[1]),
    column(inserts, (t) => t.id),
    column(inserts, (t) => t.debit),
    column(inserts, (t) => t.credit),
    column(inserts, (t) => t.ledger),
    column(inserts, (t) => t.amount.toString()),
    column(inserts, (t) => t.code),
    column(inserts, (t) => t.reference),
    column(inserts, (t) => t.kind),
    column(inserts, (t) => t.pendingId),
    column(inserts, (t) => t.timeoutAt?.toISOString() ?? null),
    column(inserts, (t) => t.state),
  ]);
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
  await writeBatch(
    tx,
    [...byId.values()],
    holds.map((h) => [h.id, 'expired'] as const),
    [],
  );
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
