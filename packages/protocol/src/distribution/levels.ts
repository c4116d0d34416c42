import { requireAmount, requireId, requireInteger, requireList } from './checks.js';
import { DistributionError } from './distribution-error.js';
import type { DistributionPolicy, LevelRule, PromoterLevel } from './policy.js';

/**
 * Promoter levels (seed `002_…`: 推广者 → 团队长 → 区域合伙人 → 城市代理). The server gathers each
 * promoter's figures over the evaluation period (a calendar month for the monthly job); the rule
 * only compares them with the ladder, so an auditor with the same figures gets the same levels.
 */

/** A promoter's figures over the evaluation period. */
export interface PromoterStats {
  /** Completed sales the promoter brought in themselves (refunds deducted). */
  readonly ownSalesFen: bigint;
  /** Completed sales brought in by their direct team: the promoters whose upline they are. */
  readonly teamSalesFen: bigint;
  /** Promoters whose upline they are. */
  readonly directMembers: number;
}

/** Bounds one monthly run; the server pages through larger populations. */
export const MAX_LEVEL_EVALUATIONS = 1_000_000;

/**
 * The highest level of `policy.levels` whose three thresholds `stats` all meet. The ladder's
 * entry rung has no thresholds (the validator insists), so every promoter has a level. Throws
 * `DistributionError` `invalid_amount` / `invalid_integer` for figures out of range.
 */
export function evaluateLevel(stats: PromoterStats, policy: DistributionPolicy, field = 'stats'): PromoterLevel {
  requireAmount(stats.ownSalesFen, `${field}.ownSalesFen`, 'own sales');
  requireAmount(stats.teamSalesFen, `${field}.teamSalesFen`, 'team sales');
  requireInteger(stats.directMembers, `${field}.directMembers`, 0, Number.MAX_SAFE_INTEGER, 'the direct members');
  const { levels } = policy;
  // Thresholds never go down the ladder, yet scanning from the top keeps the rule "the highest
  // level met" true even for a ladder built by hand that skipped the validator.
  for (let index = levels.length - 1; index >= 0; index--) {
    const rung = levels[index]!;
    if (
      stats.ownSalesFen >= rung.minOwnSalesFen &&
      stats.teamSalesFen >= rung.minTeamSalesFen &&
      stats.directMembers >= rung.minDirectMembers
    ) {
      return rung.level;
    }
  }
  throw new DistributionError('invalid_ladder', 'policy.levels', 'the ladder has no entry rung without thresholds');
}

export interface LevelEvaluationInput {
  readonly promoter: string;
  readonly currentLevel: PromoterLevel;
  readonly stats: PromoterStats;
}

export interface LevelChange {
  readonly promoter: string;
  readonly from: PromoterLevel;
  readonly to: PromoterLevel;
  readonly direction: 'up' | 'down';
}

/**
 * The monthly re-evaluation: for each promoter whose level by `evaluateLevel` differs from their
 * current one, a change from → to, in input order (each change becomes an envelope). Promoters
 * keep nothing from earlier months: a level not met this period is lost, as the seed's ladder is
 * earned by sales, not held. Throws `DistributionError` for a bad row (`invalid_id`,
 * `unknown_level`, the `evaluateLevel` codes, naming `promoters[i]…`) or `too_many_items`.
 */
export function evaluateLevels(promoters: readonly LevelEvaluationInput[], policy: DistributionPolicy): LevelChange[] {
  requireList(promoters, 'promoters', MAX_LEVEL_EVALUATIONS, 'the promoters');
  const rank = ladderRanks(policy.levels);
  const changes: LevelChange[] = [];
  promoters.forEach((row, index) => {
    const at = `promoters[${index}]`;
    requireId(row.promoter, `${at}.promoter`, 'the promoter');
    const fromRank = rank.get(row.currentLevel);
    if (fromRank === undefined) {
      throw new DistributionError('unknown_level', `${at}.currentLevel`, `"${row.currentLevel}" is not on the ladder`);
    }
    const to = evaluateLevel(row.stats, policy, `${at}.stats`);
    if (to !== row.currentLevel) {
      const direction = rank.get(to)! > fromRank ? 'up' : 'down';
      changes.push({ promoter: row.promoter, from: row.currentLevel, to, direction });
    }
  });
  return changes;
}

/**
 * The rung of `level` in the policy's ladder. Throws `DistributionError` `unknown_level`: an
 * order snapshotted under a ladder that has since dropped the level must be settled with the
 * policy of its day, not with a guess.
 */
export function levelRule(policy: DistributionPolicy, level: PromoterLevel, field = 'level'): LevelRule {
  const rung = policy.levels.find((candidate) => candidate.level === level);
  if (rung === undefined) throw new DistributionError('unknown_level', field, `"${level}" is not on the ladder`);
  return rung;
}

function ladderRanks(levels: readonly LevelRule[]): Map<PromoterLevel, number> {
  return new Map(levels.map((rung, index) => [rung.level, index]));
}
