import type { Config } from '../../config.js';

const DAY_MS = 86_400_000;
// A Monday, so that weekly cycles run Monday to Monday (UTC), like the consensus cycles.
const EPOCH_MS = Date.UTC(1970, 0, 5);

/** The settlement cycle `at` falls in (config `cycleDays`, default a week). */
export const settlementCycleAt = (config: Pick<Config, 'cycleDays'>, at: Date) =>
  Math.floor((at.getTime() - EPOCH_MS) / (config.cycleDays * DAY_MS));

/** The window [startsAt, endsAt) of cycle `cycle`. */
export function cycleWindow(config: Pick<Config, 'cycleDays'>, cycle: number): { startsAt: Date; endsAt: Date } {
  const length = config.cycleDays * DAY_MS;
  return { startsAt: new Date(EPOCH_MS + cycle * length), endsAt: new Date(EPOCH_MS + (cycle + 1) * length) };
}

/** The account the cycle's orders pay into and its leaves are paid out of; empty once it is closed. */
export const clearingAccount = (cycle: number) => `settlement:cycle:${cycle}`;
