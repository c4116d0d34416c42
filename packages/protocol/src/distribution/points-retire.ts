import { shareOf } from '../money/allocate.js';
import { requireAmount, requireId, requireList, requireTimeMs } from './checks.js';
import { DistributionError } from './distribution-error.js';
import type { DistributionPolicy, PointsRetirementMode } from './policy.js';

/**
 * Retiring circulating points on a schedule (seed `002_…`: 每月销毁5%流通通证). A holding is a
 * list of lots, each the points earned at one time; points leave a holding oldest first (spend,
 * transfer, burn), so the lots always say how old the points still held are — what 'expiry' mode
 * needs, and what stops a transfer from making old points young again (a transfer keeps the
 * lots' dates).
 */

export interface PointsLot {
  readonly amountPoints: bigint;
  readonly earnedAtMs: number;
}

/** Bounds the lots of one holding; the ledger merges lots of one day when a holding grows past it. */
export const MAX_LOTS_PER_HOLDING = 100_000;

/** Bounds one scheduled run; the job pages through the holders. */
export const MAX_HOLDINGS_PER_RUN = 1_000_000;

export interface LotSplit {
  /** What was taken, oldest first, each with its lot's date. */
  readonly taken: PointsLot[];
  /** What is left, oldest first; emptied lots are dropped. */
  readonly left: PointsLot[];
}

/**
 * Takes `amountPoints` from `lots`, oldest first (equal dates in the given order). Throws
 * `DistributionError` `insufficient_points` when the lots hold less, `invalid_amount` /
 * `invalid_time` for a malformed lot, `too_many_items`.
 */
export function takeFromLots(lots: readonly PointsLot[], amountPoints: bigint): LotSplit {
  const ordered = orderedLots(lots);
  let wanted = requireAmount(amountPoints, 'amountPoints', 'the amount');
  const taken: PointsLot[] = [];
  const left: PointsLot[] = [];
  for (const lot of ordered) {
    if (wanted === 0n) {
      left.push(lot);
      continue;
    }
    const part = lot.amountPoints < wanted ? lot.amountPoints : wanted;
    wanted -= part;
    if (part > 0n) taken.push({ amountPoints: part, earnedAtMs: lot.earnedAtMs });
    if (lot.amountPoints > part) left.push({ amountPoints: lot.amountPoints - part, earnedAtMs: lot.earnedAtMs });
  }
  if (wanted > 0n) {
    throw new DistributionError(
      'insufficient_points',
      'amountPoints',
      `${amountPoints} points wanted, ${wanted} short`,
    );
  }
  return { taken, left };
}

/** The sum of the lots. */
export function lotsTotal(lots: readonly PointsLot[]): bigint {
  return lots.reduce((sum, lot) => sum + lot.amountPoints, 0n);
}

/**
 * `atMs` plus `months` calendar months in UTC, the day clamped to the month's last (31 January
 * + 1 month = 28 or 29 February), the time of day kept.
 */
export function addUtcMonths(atMs: number, months: number): number {
  const date = new Date(requireTimeMs(atMs, 'atMs'));
  const monthIndex = date.getUTCMonth() + months;
  const year = date.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(
    year,
    month,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

export interface Retirement {
  readonly mode: PointsRetirementMode;
  readonly retiredPoints: bigint;
  /** The lots after the run. */
  readonly left: PointsLot[];
}

/**
 * One scheduled run over one holding at `nowMs`:
 * - 'burn': `monthlyBurnBps` of the holding, rounded DOWN (a holding under 20 units at 5% loses
 *   nothing: a burn never takes more than its rate), taken oldest first. Run it once a month;
 *   the rule does not know when it last ran.
 * - 'expiry': every lot earned `expiryMonths` calendar months or more before `nowMs`.
 */
export function retirePoints(lots: readonly PointsLot[], nowMs: number, policy: DistributionPolicy): Retirement {
  requireTimeMs(nowMs, 'nowMs');
  const mode = policy.points.retirementMode;
  if (mode === 'burn') {
    const burnPoints = shareOf(lotsTotal(orderedLots(lots)), policy.points.monthlyBurnBps);
    const { left } = takeFromLots(lots, burnPoints);
    return { mode, retiredPoints: burnPoints, left };
  }
  let retiredPoints = 0n;
  const left: PointsLot[] = [];
  for (const lot of orderedLots(lots)) {
    if (addUtcMonths(lot.earnedAtMs, policy.points.expiryMonths) <= nowMs) retiredPoints += lot.amountPoints;
    else left.push(lot);
  }
  return { mode, retiredPoints, left };
}

export interface Holding {
  readonly holder: string;
  readonly lots: readonly PointsLot[];
}

export interface HolderRetirement {
  readonly holder: string;
  readonly mode: PointsRetirementMode;
  readonly retiredPoints: bigint;
}

/** `retirePoints` over many holdings: one entry per holder that loses points, in input order. */
export function retirePointsForHolders(
  holdings: readonly Holding[],
  nowMs: number,
  policy: DistributionPolicy,
): HolderRetirement[] {
  requireList(holdings, 'holdings', MAX_HOLDINGS_PER_RUN, 'the holdings');
  const retirements: HolderRetirement[] = [];
  holdings.forEach((holding, index) => {
    const holder = requireId(holding.holder, `holdings[${index}].holder`, 'the holder');
    const { mode, retiredPoints } = retirePoints(holding.lots, nowMs, policy);
    if (retiredPoints > 0n) retirements.push({ holder, mode, retiredPoints });
  });
  return retirements;
}

/** The lots checked and sorted oldest first (stable, so equal dates keep their order). */
function orderedLots(lots: readonly PointsLot[]): PointsLot[] {
  requireList(lots, 'lots', MAX_LOTS_PER_HOLDING, 'the lots');
  lots.forEach((lot, index) => {
    requireAmount(lot.amountPoints, `lots[${index}].amountPoints`, 'a lot');
    requireTimeMs(lot.earnedAtMs, `lots[${index}].earnedAtMs`);
  });
  return [...lots].sort((a, b) => a.earnedAtMs - b.earnedAtMs);
}
