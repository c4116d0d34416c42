import {
  DEFAULT_HALF_LIFE_DAYS,
  DEFAULT_JURY_POLICY,
  DEFAULT_REWARD_POLICY,
  DEFAULT_TALLY_POLICY,
  DEFAULT_WEIGHT_POLICY,
  type JuryPolicy,
  type RewardPolicy,
  type TallyPolicy,
  type WeightPolicy,
} from '@concord/protocol';

/**
 * The experience consensus in force (DESIGN §8): the protocol's rules with their defaults, and
 * the server's clocks and sizes around them. One object, so a round, its replay and its tests all
 * read the same numbers.
 */
export interface ConsensusPolicy {
  readonly weight: WeightPolicy;
  readonly tally: TallyPolicy;
  readonly reward: RewardPolicy;
  readonly jury: JuryPolicy;
  /** Experience power halves every this many days (protocol experiencePower). */
  readonly halfLifeDays: number;
  /** Testers elected per category and cycle. */
  readonly panelSeats: number;
  /** A nomination names at most this many targets (Polkadot's 16). */
  readonly maxTargets: number;
  /** Unlocked stake stays locked this long (Polkadot's 28 days). */
  readonly unlockCooldownDays: number;
  /** Testers drawn when a round opens; extensions draw `tally.extendStep` more. */
  readonly initialDraw: number;
  /** From the draw to the commit deadline: time to buy, receive and test the product. */
  readonly commitDays: number;
  /** From the commit deadline to the reveal deadline. */
  readonly revealDays: number;
  /** After a decision, appeals are heard for this long. */
  readonly appealDays: number;
  /** A tester who tested the same producer this many times in a cycle is not drawn again for it. */
  readonly maxTestsPerProducerPerCycle: number;
  /** The accuracy of a newly approved tester's qualification entry (their first experience). */
  readonly genesisAccuracy: number;
  /** The share of a failed product's deposit that is cut, in bps. */
  readonly failDepositCutBps: number;
}

export const DEFAULT_CONSENSUS_POLICY: ConsensusPolicy = Object.freeze({
  weight: DEFAULT_WEIGHT_POLICY,
  tally: DEFAULT_TALLY_POLICY,
  reward: DEFAULT_REWARD_POLICY,
  jury: DEFAULT_JURY_POLICY,
  halfLifeDays: DEFAULT_HALF_LIFE_DAYS,
  panelSeats: 21,
  maxTargets: 16,
  unlockCooldownDays: 28,
  initialDraw: 7,
  commitDays: 14,
  revealDays: 3,
  appealDays: 7,
  maxTestsPerProducerPerCycle: 2,
  genesisAccuracy: 1,
  failDepositCutBps: 2_000,
});
