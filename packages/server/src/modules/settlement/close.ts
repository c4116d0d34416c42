import {
  byId,
  type CycleEntry,
  type CycleEntryKind,
  type CycleLeaf,
  type CycleRound,
  CycleTree,
  type CycleWitness,
  closeCycle,
  MoneyError,
  orderLine,
  parseCosignatureVerifierKey,
  type RewardTesterJson,
  recoverDebt,
  rewardTesterFromJson,
  type SettlementKind,
  type SplitPolicy,
  settleOrder,
  sumEntries,
  toHex,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, preparedRows, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict } from '../../errors.js';
import { BATCH_MAX, createAccounts, createTransfers, getAccounts } from '../accounting/ledger.js';
import type { TransferInput } from '../accounting/types.js';
import { DEFAULT_CONSENSUS_POLICY } from '../consensus/policy.js';
import { availableOf, debtAccount, earningsAccount, owedOf, transferIdOf } from '../distribution/accounts.js';
import { releaseDueCommissions } from '../distribution/commissions.js';
import { platformAct } from '../orders/platform-acts.js';
import { markSettled } from '../orders/store.js';
import { ensureLeafAccounts, leafAccount } from './accounts.js';
import { clearingAccount, cycleWindow } from './cycles.js';
import { cycleInputsDigest } from './inputs.js';

/**
 * Closing a settlement cycle (DESIGN §11), as a durable job that any number of runs may share
 * and a crash may interrupt at any point:
 *
 * 1. frozen commissions that came due are released (distribution's job, each in its own
 *    transaction);
 * 2. the orders completed before the cycle's end and never settled are settled in batches, each
 *    batch one transaction: its escrows emptied into the cycle's clearing account (ledger ids
 *    `settle:<order>`, so no order is ever settled twice), the orders recorded with the inputs of
 *    their legs, and the legs added to the cycle's running sums;
 * 3. one transaction divides the pools (protocol `closeCycle`), pays every leaf out of the
 *    clearing account (which must then be empty), stores the leaves and publishes the result as
 *    the operator-signed `settlement.cycle.closed` with the leaves' Merkle root and the digest of
 *    the inputs document.
 *
 * Every batch and the final step lock the cycle's row first, so runs that overlap take turns and
 * each finds what the other left; a run killed mid-way leaves whole batches only, and the next
 * run carries on from them.
 */

export interface CloseProgress {
  phase: 'commissions' | 'orders' | 'payouts';
  done: number;
  total: number;
}

export interface CloseOptions {
  /** Orders per transaction (default 5,000; at most the ledger's batch of 10,000). */
  batchSize?: number;
  onProgress?: (progress: CloseProgress) => void;
  /** Stop after this many order batches without publishing (the crash tests' and benchmark's hook). */
  stopAfterBatches?: number;
}

export interface CycleSummary {
  cycle: number;
  status: 'closing' | 'closed';
  startsAt: string;
  endsAt: string;
  orders: number;
  paidFen: string;
  leaves: number | null;
  root: string | null;
  inputsDigest: string | null;
  logIndex: string | null;
  totals: Record<string, string> | null;
}

interface CycleRow {
  cycle: number;
  starts_at: Date | string;
  ends_at: Date | string;
  status: 'closing' | 'closed';
  orders: number;
  paid_fen: string;
  leaves: number | null;
  root: string | null;
  inputs_digest: string | null;
  totals: Record<string, string> | string | null;
  event_id: string | null;
  log_index?: string | null;
}

const toSummary = (row: CycleRow): CycleSummary => ({
  cycle: Number(row.cycle),
  status: row.status,
  startsAt: new Date(row.starts_at).toISOString(),
  endsAt: new Date(row.ends_at).toISOString(),
  orders: Number(row.orders),
  paidFen: String(row.paid_fen),
  leaves: row.leaves === null ? null : Number(row.leaves),
  root: row.root,
  inputsDigest: row.inputs_digest,
  logIndex: row.log_index ?? null,
  totals: row.totals === null ? null : fromJsonb(row.totals),
});

const CYCLES = sql`select c.*, e.log_index::text as log_index from settlement_cycles c left join events e on e.id = c.event_id`;

export async function findCycle(executor: Executor, cycle: number): Promise<CycleSummary | undefined> {
  const [row] = await rows<CycleRow>(executor, sql`${CYCLES} where c.cycle = ${cycle}`);
  return row === undefined ? undefined : toSummary(row);
}

/** Cycles closed or being closed, newest first, those before `before` when given. */
export async function listCycles(
  executor: Executor,
  before: number | undefined,
  limit: number,
): Promise<CycleSummary[]> {
  const found = await rows<CycleRow>(
    executor,
    sql`${CYCLES} where (${before ?? null}::int is null or c.cycle < ${before ?? null}) order by c.cycle desc limit ${limit}`,
  );
  return found.map(toSummary);
}

/** A closed (or publishing) cycle's leaves, in Merkle order. */
export async function storedLeaves(executor: Executor, cycle: number): Promise<CycleLeaf[]> {
  return (
    await rows<{ party: string; kind: SettlementKind; amount_fen: string }>(
      executor,
      sql`select party, kind, amount_fen::text from settlement_leaves where cycle = ${cycle} order by position`,
    )
  ).map((row) => ({ party: row.party, kind: row.kind, amountFen: BigInt(row.amount_fen) }));
}

const DEFAULT_BATCH = 5_000;

export async function closeSettlementCycle(
  ctx: AppContext,
  cycle: number,
  options: CloseOptions = {},
): Promise<CycleSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isSafeInteger(cycle) || cycle < 0)
    throw new AppError(400, 'invalid_cycle', 'A cycle is a whole number from 0.', 'cycle');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > BATCH_MAX)
    throw new AppError(400, 'invalid_batch', `A batch holds 1 to ${BATCH_MAX} orders.`, 'batchSize');
  const { startsAt, endsAt } = cycleWindow(ctx.config, cycle);
  const now = ctx.clock();
  if (endsAt.getTime() > now.getTime())
    throw conflict(
      'cycle_open',
      `Cycle ${cycle} runs until ${endsAt.toISOString()}; it can be closed after that.`,
      'cycle',
    );
  const db = ctx.database.db;
  const closed = await findCycle(db, cycle);
  if (closed?.status === 'closed') return closed;

  await transaction(db, async (tx) => {
    await tx.execute(
      sql`insert into settlement_cycles (cycle, starts_at, ends_at, status, started_at)
          values (${cycle}, ${startsAt.toISOString()}::timestamptz, ${endsAt.toISOString()}::timestamptz, 'closing',
                  ${now.toISOString()}::timestamptz)
          on conflict (cycle) do nothing`,
    );
    await createAccounts(tx, [{ key: clearingAccount(cycle), ledger: 'CNY', code: 'settlement' }]);
  });

  // Commissions whose freeze ended by the close become available (their own transactions).
  let released = 0;
  for (let batch = BATCH_MAX; batch === BATCH_MAX; ) {
    batch = await releaseDueCommissions(ctx, BATCH_MAX);
    released += batch;
    options.onProgress?.({ phase: 'commissions', done: released, total: released });
  }

  const [{ count } = { count: '0' }] = await rows<{ count: string }>(
    db,
    sql`select count(*)::text as count from orders o
         where o.status = 'completed' and o.settled_cycle is null and o.completed_at < ${endsAt.toISOString()}::timestamptz`,
  );
  const total = Number(count);
  options.onProgress?.({ phase: 'orders', done: 0, total });
  const policies = new Map<string, SplitPolicy>();
  let done = 0;
  let batches = 0;
  for (let after = '0'; ; ) {
    if (options.stopAfterBatches !== undefined && batches >= options.stopAfterBatches) {
      return (await findCycle(db, cycle)) as CycleSummary;
    }
    const result = await transaction(db, (tx) => settleBatch(ctx, tx, cycle, endsAt, after, batchSize, policies));
    if (result === 'closed') return (await findCycle(db, cycle)) as CycleSummary;
    batches++;
    done += result.settled;
    options.onProgress?.({ phase: 'orders', done, total: Math.max(total, done) });
    if (result.lastSeq === undefined) break;
    after = result.lastSeq;
  }

  options.onProgress?.({ phase: 'payouts', done: 0, total: 1 });
  await transaction(db, (tx) => publishCycle(ctx, tx, cycle));
  options.onProgress?.({ phase: 'payouts', done: 1, total: 1 });
  return (await findCycle(db, cycle)) as CycleSummary;
}

interface OrderRow {
  seq: string;
  id: string;
  paid_fen: string;
  available_fen: string;
  policy_hash: string;
  producer_did: string;
  buyer_did: string;
  escrow_account: string;
  attribution: { promoter?: string; upline?: string } | string | null;
  lines: [string, string | null][] | string;
}

// Each line pays the expert of the model version its product claimed against when the order was
// placed (recorded on the line), not the product's model now: a product republished under another
// expert's model since does not take the earlier sales' fees with it.
const DUE_ORDERS = `
  select o.seq::text as seq, o.id, (o.total_fen - o.refunded_fen)::text as paid_fen,
         (a.credits_posted - a.debits_posted - a.debits_pending)::text as available_fen,
         o.policy_hash, o.producer_did, o.buyer_did, o.escrow_account, o.attribution,
         (select json_agg(json_build_array(((l.quantity - l.refunded_quantity) * l.unit_price_fen)::text, v.expert_did)
                          order by l.position)
            from order_lines l
            left join catalog_model_versions v on v.model_id = l.model_id and v.version = l.model_version
           where l.order_id = o.id) as lines
    from orders o
    join ledger_accounts a on a.key = o.escrow_account
   where o.status = 'completed' and o.settled_cycle is null and o.seq > $1::int8 and o.completed_at < $2::timestamptz
   order by o.seq
   limit $3
   for update of o`;

const INSERT_ORDERS = `
  insert into settlement_orders (order_id, cycle, paid_fen, held_fen, policy_hash, supplier, buyer, promoter, upline, lines,
                                 input_line)
  select o, $2::int, p, h, ph, s, b, pr, u, l::jsonb, il
    from unnest($1::text[], $3::int8[], $4::int8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                $11::text[])
         as t(o, p, h, ph, s, b, pr, u, l, il)`;

const ADD_ENTRIES = `
  insert into settlement_entries (cycle, kind, party, amount_fen)
  select $1::int, k, p, a from unnest($2::text[], $3::text[], $4::int8[]) as t(k, p, a)
  on conflict (cycle, kind, party) do update set amount_fen = settlement_entries.amount_fen + excluded.amount_fen`;

/** One batch of due orders settled, in the caller's transaction. */
async function settleBatch(
  ctx: AppContext,
  tx: Tx,
  cycle: number,
  endsAt: Date,
  after: string,
  batchSize: number,
  policies: Map<string, SplitPolicy>,
): Promise<'closed' | { settled: number; lastSeq: string | undefined }> {
  const [state] = await rows<{ status: string }>(
    tx,
    sql`select status from settlement_cycles where cycle = ${cycle} for update`,
  );
  if (state?.status !== 'closing') return 'closed';
  const due = await preparedRows<OrderRow>(tx, 'settlement_due_orders', DUE_ORDERS, [
    after,
    endsAt.toISOString(),
    batchSize,
  ]);
  if (due.length === 0) return { settled: 0, lastSeq: undefined };
  const missing = [...new Set(due.map((o) => o.policy_hash))].filter((hash) => !policies.has(hash));
  if (missing.length > 0) {
    for (const row of await rows<{ policy_hash: string; policy: SplitPolicy | string }>(
      tx,
      sql`select distinct on (policy_hash) policy_hash, policy from orders where policy_hash in ${missing}`,
    ))
      policies.set(row.policy_hash, fromJsonb(row.policy));
  }

  const platform = ctx.platformSigner.did;
  const entries: CycleEntry[] = [];
  const transfers: TransferInput[] = [];
  // The settled orders' rows, column by column (one unnest insert).
  const settled = {
    ids: [] as string[],
    paid: [] as string[],
    held: [] as string[],
    hashes: [] as string[],
    suppliers: [] as string[],
    buyers: [] as string[],
    promoters: [] as (string | null)[],
    uplines: [] as (string | null)[],
    lines: [] as string[],
    inputLines: [] as string[],
  };
  for (const row of due) {
    const paidFen = BigInt(row.paid_fen);
    const movedFen = BigInt(row.available_fen);
    const heldFen = paidFen - movedFen;
    // The escrow holds what was paid less the commissions on it; anything else is a broken ledger.
    if (heldFen < 0n)
      throw new Error(`settlement: escrow of ${row.id} holds ${movedFen} fen, more than ${paidFen} paid`);
    const attribution = fromJsonb(row.attribution);
    const lines = fromJsonb(row.lines) ?? [];
    const input = {
      orderId: row.id,
      paidFen,
      heldFen,
      policy: policies.get(row.policy_hash) as SplitPolicy,
      supplier: row.producer_did,
      buyer: row.buyer_did,
      promoter: attribution?.promoter,
      upline: attribution?.promoter === undefined ? undefined : attribution.upline,
      lines: lines.map(([amount, expert]) => ({ amountFen: BigInt(amount), expert: expert ?? undefined })),
    };
    let legs: ReturnType<typeof settleOrder>;
    try {
      legs = settleOrder(input, platform);
    } catch (error) {
      // A snapshotted policy that cuts more than the order paid (or a broken order) stops the
      // close before anything of the batch is written; the cycle stays closing until it is fixed.
      if (!(error instanceof MoneyError)) throw error;
      throw new AppError(
        422,
        'unsettleable_order',
        `Order ${row.id} cannot be settled: ${error.message}. Nothing of this batch was written.`,
        `orders.${row.id}.${error.field}`,
      );
    }
    entries.push(...legs.entries);
    if (movedFen > 0n)
      transfers.push({
        id: `settle:${row.id}`,
        debitAccount: row.escrow_account,
        creditAccount: clearingAccount(cycle),
        amount: movedFen,
        code: 'settlement',
        reference: row.id,
      });
    settled.ids.push(row.id);
    settled.paid.push(paidFen.toString());
    settled.held.push(heldFen.toString());
    settled.hashes.push(row.policy_hash);
    settled.suppliers.push(row.producer_did);
    settled.buyers.push(row.buyer_did);
    settled.promoters.push(input.promoter ?? null);
    settled.uplines.push(input.upline ?? null);
    settled.lines.push(
      JSON.stringify(
        input.lines.map((l) => ({ amountFen: l.amountFen.toString(), ...(l.expert ? { expert: l.expert } : {}) })),
      ),
    );
    settled.inputLines.push(orderLine({ ...input, policyHash: row.policy_hash }));
  }
  await createTransfers(tx, transfers, ctx.clock());
  await preparedRows(tx, 'settlement_insert_orders', INSERT_ORDERS, [
    settled.ids,
    cycle,
    settled.paid,
    settled.held,
    settled.hashes,
    settled.suppliers,
    settled.buyers,
    settled.promoters,
    settled.uplines,
    settled.lines,
    settled.inputLines,
  ]);
  await markSettled(tx, settled.ids, cycle);
  const sums = sumEntries(entries);
  await preparedRows(tx, 'settlement_add_entries', ADD_ENTRIES, [
    cycle,
    sums.map((e) => e.kind),
    sums.map((e) => e.party),
    sums.map((e) => e.amountFen.toString()),
  ]);
  const paidTotal = due.reduce((sum, row) => sum + BigInt(row.paid_fen), 0n);
  await tx.execute(
    sql`update settlement_cycles set orders = orders + ${due.length}, paid_fen = paid_fen + ${paidTotal.toString()}::int8
         where cycle = ${cycle}`,
  );
  return { settled: due.length, lastSeq: due[due.length - 1]!.seq };
}

/**
 * The decided rounds a cycle pays: decided before its end and paid by no other cycle. A cycle
 * with no experience pool pays none (protocol `closeCycle` records no round then), so its rounds
 * wait for the next cycle that has one, rather than be paid nothing.
 */
export async function cycleRounds(executor: Executor, cycle: number, endsAt: Date): Promise<CycleRound[]> {
  const found = await rows<{ subject: string; result: unknown }>(
    executor,
    sql`select distinct on (r.subject) r.subject, r.result from consensus_results r
         where r.kind = 'rewards' and r.created_at < ${endsAt.toISOString()}::timestamptz
           and not exists (select 1 from settlement_rounds s where s.round_id = r.subject and s.cycle <> ${cycle})
         order by r.subject, r.stage desc`,
  );
  return found.map((row) => ({
    roundId: row.subject,
    // The inputs the round's rewards were decided with (consensus rewards.ts stores them).
    testers: (fromJsonb(row.result) as { inputs: { testers: RewardTesterJson[] } }).inputs.testers.map(
      rewardTesterFromJson,
    ),
  }));
}

/** The witnesses' cosignatures of checkpoints in the cycle, each witness named by its payee. */
export async function cycleWitnesses(
  ctx: AppContext,
  executor: Executor,
  window: { startsAt: Date; endsAt: Date },
): Promise<CycleWitness[]> {
  const payees = new Map<string, string>();
  for (const witness of ctx.config.witnesses) {
    if (witness.payee !== undefined)
      payees.set(parseCosignatureVerifierKey(ctx.crypto, witness.verifierKey).name, witness.payee);
  }
  const counts = await rows<{ witness: string; count: string }>(
    executor,
    sql`select witness, count(*)::text as count from log_cosignatures
         where created_at >= ${window.startsAt.toISOString()}::timestamptz and created_at < ${window.endsAt.toISOString()}::timestamptz
         group by witness`,
  );
  const byParty = new Map<string, number>();
  for (const row of counts) {
    // A witness that named no payee is paid into an account of its key name, for the operator to pay out.
    const party = payees.get(row.witness) ?? `witness:${row.witness}`;
    byParty.set(party, (byParty.get(party) ?? 0) + Number(row.count));
  }
  return [...byParty].map(([party, cosignatures]) => ({ party, cosignatures })).sort((a, b) => byId(a.party, b.party));
}

/** The cycle's running sums and the reversals taken out of it. */
async function cycleEntries(executor: Executor, cycle: number): Promise<CycleEntry[]> {
  const found = await rows<{ kind: CycleEntryKind; party: string; amount_fen: string }>(
    executor,
    sql`select kind, party, amount_fen::text from settlement_entries where cycle = ${cycle}
        union all
        select kind, party, amount_fen::text from settlement_adjustments where cycle = ${cycle}`,
  );
  return found.map((row) => ({ kind: row.kind, party: row.party, amountFen: BigInt(row.amount_fen) }));
}

/** Divides the pools, pays every leaf, stores the result and publishes it, in one transaction. */
async function publishCycle(ctx: AppContext, tx: Tx, cycle: number): Promise<void> {
  const [state] = await rows<{ status: string; starts_at: Date | string; ends_at: Date | string }>(
    tx,
    sql`select status, starts_at, ends_at from settlement_cycles where cycle = ${cycle} for update`,
  );
  if (state?.status !== 'closing') return;
  const window = { startsAt: new Date(state.starts_at), endsAt: new Date(state.ends_at) };
  const platform = ctx.platformSigner.did;
  const rounds = await cycleRounds(tx, cycle, window.endsAt);
  const witnesses = await cycleWitnesses(ctx, tx, window);
  const result = closeCycle({
    entries: await cycleEntries(tx, cycle),
    rounds,
    witnesses,
    platform,
    policy: ctx.config.settlementPolicy,
    rewardPolicy: DEFAULT_CONSENSUS_POLICY.reward,
  });
  const now = ctx.clock();
  await payLeaves(ctx, tx, cycle, result.leaves, now);

  await preparedRows(
    tx,
    'settlement_insert_leaves',
    `insert into settlement_leaves (cycle, position, party, kind, amount_fen)
     select $1::int, ord - 1, p, k, a from unnest($2::text[], $3::text[], $4::int8[]) with ordinality as t(p, k, a, ord)`,
    [
      cycle,
      result.leaves.map((l) => l.party),
      result.leaves.map((l) => l.kind),
      result.leaves.map((l) => l.amountFen.toString()),
    ],
  );
  for (const round of result.rounds) {
    await tx.execute(
      sql`insert into settlement_rounds (round_id, cycle, pool_fen, paid_fen)
          values (${round.roundId}, ${cycle}, ${round.poolFen.toString()}::int8, ${round.paidFen.toString()}::int8)`,
    );
  }
  await tx.execute(
    sql`update settlement_cycles set policy = ${JSON.stringify(ctx.config.settlementPolicy)}::jsonb,
               witnesses = ${JSON.stringify(witnesses)}::jsonb
         where cycle = ${cycle}`,
  );
  const root = toHex(new CycleTree(ctx.crypto, result.leaves).root);
  const inputsDigest = await cycleInputsDigest(ctx, tx, cycle);
  const totals = Object.fromEntries(Object.entries(result.totals).map(([key, value]) => [key, value.toString()]));
  const [counts] = await rows<{ orders: number; paid_fen: string }>(
    tx,
    sql`update settlement_cycles set leaves = ${result.leaves.length}, root = ${root}, inputs_digest = ${inputsDigest},
               totals = ${JSON.stringify(totals)}::jsonb
         where cycle = ${cycle}
        returning orders, paid_fen::text`,
  );
  await platformAct(ctx, tx, 'settlement.cycle.closed', {
    cycle,
    startsAt: window.startsAt.toISOString(),
    endsAt: window.endsAt.toISOString(),
    orders: Number(counts?.orders ?? 0),
    paidFen: String(counts?.paid_fen ?? '0'),
    leaves: result.leaves.length,
    root,
    inputsDigest,
    totals,
  });
  // Everything the orders put in went out by leaf: the clearing account is empty, or nothing commits.
  const [clearing] = await getAccounts(tx, [clearingAccount(cycle)]);
  const balance = clearing === undefined ? 0n : clearing.creditsPosted - clearing.debitsPosted;
  if (balance !== 0n || (clearing?.debitsPending ?? 0n) !== 0n)
    throw new Error(`settlement: cycle ${cycle}'s clearing account holds ${balance} fen after its payouts`);
}

/**
 * Every leaf moves between the clearing account and its party's account. A party's positive
 * leaves pay into its earnings; its negative ones (reversals beyond what it earned) take back
 * from those earnings — the cycle's credits first, then what it held before — and what they
 * cannot cover becomes a debt. A party that owed a debt from before repays it first out of the
 * cycle's credits, as a released commission does (protocol `recoverDebt`).
 */
async function payLeaves(ctx: AppContext, tx: Tx, cycle: number, leaves: readonly CycleLeaf[], now: Date) {
  const platform = ctx.platformSigner.did;
  const parties = [...new Set(leaves.map((l) => l.party))];
  await ensureLeafAccounts(tx, platform, parties);
  const others = parties.filter((party) => party !== platform);
  const accounts = new Map(
    (await getAccounts(tx, [...others.map(earningsAccount), ...others.map(debtAccount)])).map((a) => [a.key, a]),
  );
  const clearing = clearingAccount(cycle);
  const base = { code: 'settlement', reference: `cycle:${cycle}` };
  const idOf = (...parts: string[]) => transferIdOf(ctx.crypto, 'cycle', String(cycle), ...parts);
  const transfers: TransferInput[] = [];
  const credited = new Map<string, bigint>();
  for (const leaf of leaves) {
    if (leaf.amountFen <= 0n) continue;
    const account = leafAccount(platform, leaf.party, leaf.kind);
    transfers.push({
      id: idOf(leaf.kind, leaf.party),
      debitAccount: clearing,
      creditAccount: account,
      amount: leaf.amountFen,
      ...base,
    });
    credited.set(leaf.party, (credited.get(leaf.party) ?? 0n) + leaf.amountFen);
  }
  const spendable = new Map(
    others.map((party) => [party, availableOf(accounts.get(earningsAccount(party))) + (credited.get(party) ?? 0n)]),
  );
  for (const leaf of leaves) {
    if (leaf.amountFen >= 0n) continue;
    const account = leafAccount(platform, leaf.party, leaf.kind);
    const owed = -leaf.amountFen;
    const covered = leaf.party === platform ? owed : minFen(owed, spendable.get(leaf.party) ?? 0n);
    if (leaf.party !== platform) spendable.set(leaf.party, (spendable.get(leaf.party) ?? 0n) - covered);
    if (covered > 0n)
      transfers.push({
        id: idOf(leaf.kind, leaf.party),
        debitAccount: account,
        creditAccount: clearing,
        amount: covered,
        ...base,
      });
    if (owed > covered)
      transfers.push({
        id: idOf(leaf.kind, leaf.party, 'debt'),
        debitAccount: debtAccount(leaf.party),
        creditAccount: clearing,
        amount: owed - covered,
        ...base,
      });
  }
  for (const party of others) {
    // Only this cycle's credits repay, and only what its own reversals left of them.
    const repayable = minFen(credited.get(party) ?? 0n, spendable.get(party) ?? 0n);
    const { recoveredFen } = recoverDebt(repayable, owedOf(accounts.get(debtAccount(party))));
    if (recoveredFen > 0n)
      transfers.push({
        id: idOf('repays-debt', party),
        debitAccount: earningsAccount(party),
        creditAccount: debtAccount(party),
        amount: recoveredFen,
        code: 'debt_recovery',
        reference: `cycle:${cycle}`,
      });
  }
  for (let i = 0; i < transfers.length; i += BATCH_MAX) {
    await createTransfers(tx, transfers.slice(i, i + BATCH_MAX), now);
  }
}

const minFen = (a: bigint, b: bigint) => (a < b ? a : b > 0n ? b : 0n);
