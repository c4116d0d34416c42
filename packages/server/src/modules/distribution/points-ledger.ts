import { type PointsLot, takeFromLots } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import { available, ensurePoints, POINTS_ISSUANCE, POINTS_LEDGER, pointsAccount } from './accounts.js';

/**
 * Points on the POINTS ledger (DESIGN §9): every movement is a ledger transfer, so what was
 * minted always equals what is held plus what was spent, burned or taken as fees. Beside the
 * member accounts (`points:<did>`, never below zero) and the issuance account (its debit balance
 * is every point minted and not taken back), three sinks:
 * - `points:fees`   the platform's 1% of transfers between members;
 * - `points:burned` what the monthly retirement destroyed (burn or expiry);
 * - `points:spent`  what members paid with at checkout (the checkout side books there).
 *
 * Lots (protocol `PointsLot`) say how old the points held are, by UTC day: credits add a lot,
 * and since every debit takes the oldest points first, a debit needs no bookkeeping of its own —
 * `settledLots` trims the lots to the ledger balance, oldest first, whenever they are read. Only
 * a transfer between members moves lots on purpose: the recipient gets the sender's days.
 */

export const POINTS_FEES = 'points:fees';
export const POINTS_BURNED = 'points:burned';
export const POINTS_SPENT = 'points:spent';

export async function ensurePointSinks(tx: Tx): Promise<void> {
  await createAccounts(tx, [
    { key: POINTS_FEES, ledger: POINTS_LEDGER, code: 'points_fees' },
    { key: POINTS_BURNED, ledger: POINTS_LEDGER, code: 'points_burned' },
    { key: POINTS_SPENT, ledger: POINTS_LEDGER, code: 'points_spent' },
  ]);
}

// Advisory lock class of a holding's lots (6020–6029 are this file's and its neighbours': ratings,
// token redemptions).
const POINTS_LOTS_LOCK = 6020;

const DAY_MS = 86_400_000;
const dayOf = (atMs: number) => new Date(Math.floor(atMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** Adds lots to a holding, merged by UTC day (the protocol bounds the lots of one holding). */
export async function addLots(tx: Tx, did: string, lots: readonly PointsLot[]): Promise<void> {
  const byDay = new Map<string, bigint>();
  for (const lot of lots) {
    if (lot.amountPoints <= 0n) continue;
    const day = dayOf(lot.earnedAtMs);
    byDay.set(day, (byDay.get(day) ?? 0n) + lot.amountPoints);
  }
  for (const [day, amount] of byDay) {
    await tx.execute(
      sql`insert into distribution_points_lots as l (did, earned_on, amount_points)
          values (${did}, ${day}::date, ${amount.toString()}::int8)
          on conflict (did, earned_on) do update set amount_points = l.amount_points + excluded.amount_points`,
    );
  }
}

async function readLots(executor: Executor, did: string, lock: boolean): Promise<PointsLot[]> {
  const found = await rows<{ earned_on: string; amount_points: string }>(
    executor,
    lock
      ? sql`select earned_on::text as earned_on, amount_points from distribution_points_lots where did = ${did}
            order by earned_on for update`
      : sql`select earned_on::text as earned_on, amount_points from distribution_points_lots where did = ${did}
            order by earned_on`,
  );
  return found.map((row) => ({
    amountPoints: BigInt(row.amount_points),
    earnedAtMs: Date.parse(`${row.earned_on}T00:00:00.000Z`),
  }));
}

/** Replaces a holding's lots with `lots`. */
export async function replaceLots(tx: Tx, did: string, lots: readonly PointsLot[]): Promise<void> {
  await tx.execute(sql`delete from distribution_points_lots where did = ${did}`);
  await addLots(tx, did, lots);
}

const total = (lots: readonly PointsLot[]) => lots.reduce((sum, lot) => sum + lot.amountPoints, 0n);

/**
 * `lots` made to add up to `balance`: points that left since (any debit) are taken from the
 * oldest lots; points that arrived without a lot (a module that books credits on its own) count
 * as earned at `nowMs`.
 */
export function lotsForBalance(lots: readonly PointsLot[], balance: bigint, nowMs: number): PointsLot[] {
  const held = total(lots);
  const target = balance > 0n ? balance : 0n;
  if (held === target) return [...lots];
  if (held > target) return takeFromLots(lots, held - target).left;
  const last = lots[lots.length - 1];
  if (last !== undefined && dayOf(last.earnedAtMs) === dayOf(nowMs)) {
    return [...lots.slice(0, -1), { amountPoints: last.amountPoints + target - held, earnedAtMs: last.earnedAtMs }];
  }
  return [...lots, { amountPoints: target - held, earnedAtMs: Math.floor(nowMs / DAY_MS) * DAY_MS }];
}

/** The holding's lots, oldest first, locked and stored as they add up to the balance now (`lotsForBalance`). */
export async function settledLots(tx: Tx, did: string, now: Date): Promise<PointsLot[]> {
  // One reader-writer of a holding's lots at a time; taken before the reads, so they see the
  // lots and the balance as the previous holder of the lock left them.
  await tx.execute(sql`select pg_advisory_xact_lock(${POINTS_LOTS_LOCK}, hashtext(${did}))`);
  const lots = await readLots(tx, did, true);
  const settled = lotsForBalance(lots, await available(tx, pointsAccount(did)), now.getTime());
  if (total(settled) !== total(lots)) await replaceLots(tx, did, settled);
  return settled;
}

/** What a member's points account can give now. */
export const pointsBalance = (executor: Executor, did: string): Promise<bigint> =>
  available(executor, pointsAccount(did));

/** The lots of a holding as they stand now, for display (`lotsForBalance`, nothing written). */
export async function lotsOf(executor: Executor, did: string, now: Date): Promise<PointsLot[]> {
  return lotsForBalance(await readLots(executor, did, false), await pointsBalance(executor, did), now.getTime());
}

export interface PointsMove {
  /** The ledger transfer id: the same id twice is one transfer. */
  transferId: string;
  did: string;
  points: bigint;
  code: string;
  reference: string;
  now: Date;
}

/** Mints points to a member: points:issuance → points:<did>, a lot of today. */
export async function mintPoints(tx: Tx, move: PointsMove): Promise<void> {
  await ensurePoints(tx, move.did);
  const [result] = await createTransfers(
    tx,
    [
      {
        id: move.transferId,
        debitAccount: POINTS_ISSUANCE,
        creditAccount: pointsAccount(move.did),
        amount: move.points,
        code: move.code,
        reference: move.reference,
      },
    ],
    move.now,
  );
  if (result?.status === 'created')
    await addLots(tx, move.did, [{ amountPoints: move.points, earnedAtMs: move.now.getTime() }]);
}

/** Takes points back into issuance (a refund's reversal): points:<did> → points:issuance. */
export async function unmintPoints(tx: Tx, move: PointsMove): Promise<void> {
  await createTransfers(
    tx,
    [
      {
        id: move.transferId,
        debitAccount: pointsAccount(move.did),
        creditAccount: POINTS_ISSUANCE,
        amount: move.points,
        code: move.code,
        reference: move.reference,
      },
    ],
    move.now,
  );
}

export interface PointsMovement {
  seq: string;
  transferId: string;
  code: string;
  reference: string | null;
  /** Positive: points in; negative: points out. */
  points: bigint;
  counterparty: string;
  createdAt: string;
}

/** The movements of a member's points account, newest first, before the cursor `beforeSeq`. */
export async function pointsMovements(
  executor: Executor,
  did: string,
  options: { beforeSeq?: string | undefined; limit: number },
): Promise<PointsMovement[]> {
  const before = options.beforeSeq ?? '9223372036854775807';
  const found = await rows<{
    seq: string;
    id: string;
    code: string;
    reference: string | null;
    amount: string;
    side: 'debit' | 'credit';
    counterparty: string;
    created_at: Date | string;
  }>(
    executor,
    // Each side through its own (account, seq) index, newest first, then merged.
    sql`with account as (select id from ledger_accounts where key = ${pointsAccount(did)})
        select t.seq::text as seq, t.id, t.code, t.reference, t.amount::text as amount, t.created_at, t.side,
               o.key as counterparty
          from ((select seq, id, code, reference, amount, created_at, 'debit' as side, credit_account_id as other
                   from ledger_transfers where debit_account_id = (select id from account) and kind in ('single', 'post')
                    and seq < ${before}::int8 order by seq desc limit ${options.limit})
                union all
                (select seq, id, code, reference, amount, created_at, 'credit' as side, debit_account_id as other
                   from ledger_transfers where credit_account_id = (select id from account) and kind in ('single', 'post')
                    and seq < ${before}::int8 order by seq desc limit ${options.limit})) t
          join ledger_accounts o on o.id = t.other
         order by t.seq desc limit ${options.limit}`,
  );
  return found.map((row) => ({
    seq: row.seq,
    transferId: row.id,
    code: row.code,
    reference: row.reference,
    points: row.side === 'credit' ? BigInt(row.amount) : -BigInt(row.amount),
    counterparty: row.counterparty,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}
