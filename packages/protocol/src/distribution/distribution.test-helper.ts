/** Shared fixtures for the distribution tests (not part of the build). */
import { DEFAULT_SPLIT_POLICY, type SplitPolicy } from '../money/split-policy.js';
import { DistributionError } from './distribution-error.js';
import { DEFAULT_DISTRIBUTION_POLICY, type DistributionPolicy, type LevelRule } from './policy.js';

export const DAY = 86_400_000;
/** 2026-03-01T00:00:00.000Z */
export const T0 = Date.UTC(2026, 2, 1);

/** The [code, field] pairs of the DistributionError `run` throws. */
export function thrownIssues(run: () => unknown): [string, string][] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof DistributionError)) throw error;
    return error.issues.map((issue) => [issue.code, issue.field]);
  }
  throw new Error('expected a DistributionError, nothing was thrown');
}

/** The split shares the seed's full ladder needs: 15% promoter, 5% override, 12% cashback. */
export const SEED_SPLIT_POLICY: SplitPolicy = Object.freeze({
  ...DEFAULT_SPLIT_POLICY,
  promoterCommissionBps: 1500,
  teamOverrideBps: 500,
  consumerCashbackBps: 1200,
});

/** The seed's full ladder: 10 → 15% direct, 3 → 5% override. */
export const SEED_LEVELS: readonly LevelRule[] = DEFAULT_DISTRIBUTION_POLICY.levels.map((rung, index) => ({
  ...rung,
  commissionBps: [1000, 1200, 1350, 1500][index] as number,
  overrideBps: [300, 400, 450, 500][index] as number,
}));

export const SEED_POLICY: DistributionPolicy = { ...DEFAULT_DISTRIBUTION_POLICY, levels: SEED_LEVELS };

/** A deep, mutable, JSON-like copy of the default policy (amounts as decimal text), for tests that break it. */
// biome-ignore lint/suspicious/noExplicitAny: the tests break members at any depth, deliberately ill-typed
export function policyJson(): Record<string, any> {
  return JSON.parse(
    JSON.stringify(DEFAULT_DISTRIBUTION_POLICY, (_key, value) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}
