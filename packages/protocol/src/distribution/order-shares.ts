import { allocate, splitByBps } from '../money/allocate.js';
import { SPLIT_SHARE_FIELDS, type SplitPolicy } from '../money/split-policy.js';
import { requireAmount } from './checks.js';

/**
 * The three split-policy shares the distribution rules pay from, in fen, exactly as `splitOrder`
 * cuts them: the same `splitByBps` over the same shares in the same order, so the rules here
 * divide the very legs the escrow posting produced and can never pay more than them.
 */
export interface DistributionShares {
  /** The promoter commission leg (direct commission). */
  readonly promoterCommissionFen: bigint;
  /** The team override leg (the upline's override). */
  readonly teamOverrideFen: bigint;
  /** The consumer cashback leg (the buyer's points). */
  readonly consumerCashbackFen: bigint;
}

const PROMOTER_INDEX = SPLIT_SHARE_FIELDS.indexOf('promoterCommissionBps');
const OVERRIDE_INDEX = SPLIT_SHARE_FIELDS.indexOf('teamOverrideBps');
const CASHBACK_INDEX = SPLIT_SHARE_FIELDS.indexOf('consumerCashbackBps');

/** The distribution legs of an order of `paidFen` under `splitPolicy` (see `DistributionShares`). */
export function orderDistributionShares(paidFen: bigint, splitPolicy: SplitPolicy): DistributionShares {
  requireAmount(paidFen, 'paidFen', 'the paid amount');
  const legs = splitByBps(
    paidFen,
    SPLIT_SHARE_FIELDS.map((field) => splitPolicy[field]),
  );
  return {
    promoterCommissionFen: legs[PROMOTER_INDEX]!,
    teamOverrideFen: legs[OVERRIDE_INDEX]!,
    consumerCashbackFen: legs[CASHBACK_INDEX]!,
  };
}

/** How much of one leg a rule paid, and what it left for the split policy's unused-share destination. */
export interface ShareUse {
  /** The leg, as the split cut it. */
  readonly legFen: bigint;
  /** The rate paid, in bps of the order: the rule's rate capped at the share. */
  readonly rateBps: number;
  readonly paidFen: bigint;
  /** legFen − paidFen: goes to `splitPolicy.unusedShareDestination`. */
  readonly unusedFen: bigint;
}

/**
 * Pays `rateBps` (of the order) out of a leg that holds `shareBps` (of the order): the rate is
 * capped at the share, and the leg is divided in the ratio rate : (share − rate) by `allocate`,
 * so paid + unused is the leg exactly and the paid part is never more than the leg. A rate equal
 * to the share takes the whole leg, to the fen.
 */
export function useShare(legFen: bigint, rateBps: number, shareBps: number): ShareUse {
  const cappedBps = Math.min(rateBps, shareBps);
  if (cappedBps === shareBps) return { legFen, rateBps: cappedBps, paidFen: legFen, unusedFen: 0n };
  if (cappedBps === 0 || legFen === 0n) return { legFen, rateBps: cappedBps, paidFen: 0n, unusedFen: legFen };
  const [paidFen, unusedFen] = allocate(legFen, [cappedBps, shareBps - cappedBps]) as [bigint, bigint];
  return { legFen, rateBps: cappedBps, paidFen, unusedFen };
}
