import { type DistributionPolicy, type Holding, retirePointsForHolders } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { rows, transaction } from '../../db/connection.js';
import { createTransfers } from '../accounting/ledger.js';
import { POINTS_LEDGER, pointsAccount, transferIdOf } from './accounts.js';
import { ensurePointSinks, POINTS_BURNED, settledLots } from './points-ledger.js';
import { distributionPolicy } from './policy.js';

/**
 * The scheduled retirement of circulating points (seed `002_…`: 每月销毁5%流通通证; protocol
 * `retirePointsForHolders`): once per calendar month (UTC), every member's points account loses
 * `monthlyBurnBps` of what it holds ('burn', the default) or the lots earned `expiryMonths` or
 * more before ('expiry'), into points:burned.
 *
 * Durable and idempotent: the month's row in distribution_points_retirements is claimed first;
 * holders are processed in pages by ledger account id, each page in one transaction with the
 * row's cursor, so a crash resumes at the next page and a holder is never retired twice in a
 * month (the transfer ids name the month too). A month whose row is 'done' is never run again.
 */

/** Holders per transaction. */
export const RETIREMENT_PAGE = 500;

export interface RetirementRun {
  period: string;
  /** 'done': finished now or earlier; 'busy': another process holds the month's run. */
  status: 'done' | 'busy';
  /** Whether this call did the work (false: the month was done already, or busy). */
  ran: boolean;
  holders: number;
  retiredPoints: bigint;
}

/** The calendar month of `now`, UTC: '2026-11'. */
export const retirementPeriod = (now: Date) => now.toISOString().slice(0, 7);

interface RunRow {
  status: 'running' | 'done';
  cursor_account_id: string;
  holders: number | string;
  retired_points: string;
}

/** Retires the points of the month of `now`, unless that month was retired already. */
export async function runPointsRetirement(
  ctx: AppContext,
  now: Date,
  options: { pageSize?: number; policy?: DistributionPolicy } = {},
): Promise<RetirementRun> {
  const period = retirementPeriod(now);
  // The server's policy; tests and tools may pass another (e.g. in 'expiry' mode).
  const policy = options.policy ?? distributionPolicy(ctx);
  const pageSize = options.pageSize ?? RETIREMENT_PAGE;
  let ran = false;
  for (;;) {
    const step = await transaction(ctx.database.db, async (tx) => {
      await tx.execute(
        sql`insert into distribution_points_retirements (period, mode, status, started_at)
            values (${period}, ${policy.points.retirementMode}, 'running', ${now.toISOString()}::timestamptz)
            on conflict (period) do nothing`,
      );
      const [run] = await rows<RunRow>(
        tx,
        sql`select status, cursor_account_id, holders, retired_points from distribution_points_retirements
             where period = ${period} for update skip locked`,
      );
      if (run === undefined) return { status: 'busy' as const, run };
      if (run.status === 'done') return { status: 'done' as const, run };
      await ensurePointSinks(tx);
      // Every member account with points it can give, after the cursor. In 'burn' mode they are
      // locked in id order (the ledger's own order), so the amounts read are the amounts moved;
      // 'expiry' reads each holding under its lots lock instead (settledLots).
      const burn = policy.points.retirementMode === 'burn';
      const page = await rows<{ id: string; owner: string; balance: string }>(
        tx,
        sql`select id::text as id, owner, (credits_posted - debits_posted - debits_pending)::text as balance
              from ledger_accounts
             where ledger = ${POINTS_LEDGER} and code = 'points' and owner is not null
               and id > ${run.cursor_account_id}::int8
               and credits_posted - debits_posted - debits_pending > 0
             order by id limit ${pageSize} ${burn ? sql`for update` : sql``}`,
      );
      const holdings: Holding[] = [];
      for (const account of page) {
        // 'burn' takes a share of the total, so one lot is enough; 'expiry' needs the real ages.
        const lots = burn
          ? [{ amountPoints: BigInt(account.balance), earnedAtMs: now.getTime() }]
          : await settledLots(tx, account.owner, now);
        holdings.push({ holder: account.owner, lots });
      }
      const retirements = retirePointsForHolders(holdings, now.getTime(), policy);
      await createTransfers(
        tx,
        retirements.map((r) => ({
          id: transferIdOf(ctx.crypto, 'points-retire', period, r.holder),
          debitAccount: pointsAccount(r.holder),
          creditAccount: POINTS_BURNED,
          amount: r.retiredPoints,
          code: r.mode === 'burn' ? 'points_burn' : 'points_expiry',
          reference: period,
        })),
        now,
      );
      const retired = retirements.reduce((sum, r) => sum + r.retiredPoints, 0n);
      const last = page[page.length - 1];
      const finished = page.length < pageSize;
      const [updated] = await rows<RunRow>(
        tx,
        sql`update distribution_points_retirements
               set cursor_account_id = ${last?.id ?? run.cursor_account_id}::int8,
                   holders = holders + ${retirements.length},
                   retired_points = retired_points + ${retired.toString()}::int8,
                   status = ${finished ? 'done' : 'running'},
                   finished_at = ${finished ? now.toISOString() : null}::timestamptz
             where period = ${period}
             returning status, cursor_account_id, holders, retired_points`,
      );
      return { status: finished ? ('finished' as const) : ('running' as const), run: updated };
    });
    if (step.status === 'running' || step.status === 'finished') ran = true;
    if (step.status === 'running') continue;
    return {
      period,
      status: step.status === 'busy' ? 'busy' : 'done',
      ran,
      holders: Number(step.run?.holders ?? 0),
      retiredPoints: BigInt(step.run?.retired_points ?? '0'),
    };
  }
}
