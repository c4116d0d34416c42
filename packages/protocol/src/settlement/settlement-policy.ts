import { WHOLE_BPS } from '../money/allocate.js';
import { MoneyError, type MoneyIssue } from '../money/money-error.js';

/**
 * How a settlement cycle divides what the orders' fee shares collected (DESIGN §7, §11; seed
 * `001_…`): the experience pool goes to the experts whose models the sold products used, the
 * winning testers of the cycle's rounds, and the platform, in basis points of the pool that add
 * up to the whole of it.
 */
export interface SettlementPolicy {
  readonly experiencePool: {
    readonly expertsBps: number;
    readonly testersBps: number;
    readonly platformBps: number;
  };
}

/** Seed `001_…`: 10% to the experts, 50% to the winning testers, 40% to the platform. */
export const DEFAULT_SETTLEMENT_POLICY: SettlementPolicy = Object.freeze({
  experiencePool: Object.freeze({ expertsBps: 1_000, testersBps: 5_000, platformBps: 4_000 }),
});

const POOL_FIELDS = ['expertsBps', 'testersBps', 'platformBps'] as const;

/**
 * Returns `input` as a clean, frozen settlement policy or throws a `MoneyError` listing every
 * issue: each share a non-negative integer of bps, and the three adding up to exactly 10000 (a
 * pool divided short would leave money with nobody; divided over, it would pay out money it has
 * not got).
 */
export function validateSettlementPolicy(input: unknown, field = 'settlement'): SettlementPolicy {
  const issues: MoneyIssue[] = [];
  const pool = (input as { experiencePool?: unknown } | null)?.experiencePool;
  if (typeof pool !== 'object' || pool === null || Array.isArray(pool)) {
    throw MoneyError.fromIssues([
      { code: 'not_an_object', field: `${field}.experiencePool`, message: 'the experience pool shares are an object' },
    ]);
  }
  const record = pool as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(POOL_FIELDS as readonly string[]).includes(key))
      issues.push({
        code: 'unknown_field',
        field: `${field}.experiencePool.${key}`,
        message: `unknown share "${key}"`,
      });
  }
  let total = 0;
  for (const key of POOL_FIELDS) {
    const value = record[key];
    const at = `${field}.experiencePool.${key}`;
    if (value === undefined) issues.push({ code: 'share_missing', field: at, message: 'the share is required' });
    else if (typeof value !== 'number' || !Number.isSafeInteger(value))
      issues.push({ code: 'share_not_integer', field: at, message: 'a share is an integer number of bps' });
    else if (value < 0) issues.push({ code: 'share_negative', field: at, message: 'a share cannot be negative' });
    else total += value;
  }
  if (issues.length === 0 && total !== WHOLE_BPS) {
    issues.push({
      code: 'shares_exceed_whole',
      field: `${field}.experiencePool`,
      message: `the experience pool's shares add up to ${total} bps; they must add up to exactly ${WHOLE_BPS}`,
    });
  }
  if (issues.length > 0) throw MoneyError.fromIssues(issues);
  return Object.freeze({
    experiencePool: Object.freeze({
      expertsBps: record.expertsBps as number,
      testersBps: record.testersBps as number,
      platformBps: record.platformBps as number,
    }),
  });
}
