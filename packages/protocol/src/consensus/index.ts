// Experience consensus (DESIGN §8): experience power and round weights, sequential Phragmén
// panels, seeded sortition, commit–reveal, the tally and verdict, rewards and penalties, and
// appeals to juries — pure functions whose JSON results anyone can replay and digest.

export {
  type CommitRecord,
  classifyReportReveals,
  classifyReveals,
  commitOf,
  outranks,
  type RevealInput,
  type RevealOutcome,
  type RevealRecord,
  type RevealStatus,
  reportCommit,
  reportIssues,
  SALT_BYTES_MAX,
  SALT_BYTES_MIN,
  type TestReport,
  validateReport,
  verifyReveal,
} from './commit.js';
export { ConsensusError, type ConsensusErrorCode, type ConsensusIssue } from './consensus-error.js';
export {
  type CompletedTest,
  DEFAULT_HALF_LIFE_DAYS,
  DEFAULT_WEIGHT_POLICY,
  decayFactor,
  type ExperienceOptions,
  experiencePower,
  type RoundWeight,
  type RoundWeightEntry,
  type RoundWeightsResult,
  roundWeights,
  stakeFactor,
  testerWeight,
  type WeightPolicy,
} from './experience.js';
export {
  type AppealBond,
  appealBondFen,
  type BondOutcome,
  DEFAULT_JURY_POLICY,
  drawJury,
  type JurorOutcome,
  type JurorSeat,
  type JuryChoice,
  type JuryDrawInput,
  type JuryPolicy,
  type JuryVote,
  juryRoundId,
  jurySize,
  type RulingInput,
  type RulingResult,
  ruleAppeal,
  voteCommit,
} from './jury.js';
export { CONSENSUS_LIMITS } from './limits.js';
export {
  type PhragmenAssignment,
  type PhragmenInput,
  type PhragmenResult,
  type PhragmenStake,
  type PhragmenVoter,
  type PhragmenWinner,
  seqPhragmen,
} from './phragmen.js';
export { type ConsensusResult, resultDigest } from './result-digest.js';
export {
  DEFAULT_REWARD_POLICY,
  type RewardInput,
  type RewardLeg,
  type RewardPolicy,
  type RewardResult,
  type RewardStake,
  type RewardTester,
  rewardRound,
  type TesterReward,
} from './rewards.js';
export {
  type Backing,
  backingOf,
  type DrawnTester,
  drawStage,
  electionInputOf,
  juryPool,
  type Nomination,
  type PanelSeat,
  type RoundRewards,
  roundRewards,
  type StageDraw,
  type StageDrawInput,
  type StageTally,
  type StageTallyInput,
  slashesByParty,
  type TalliedTester,
  tallyStage,
} from './round-rules.js';
export {
  drawSortition,
  SeededStream,
  SORTITION_WEIGHT_UNITS,
  type SortitionEntry,
  type SortitionInput,
  type SortitionResult,
  sortitionSeed,
} from './sortition.js';
export {
  type AttributeTally,
  DEFAULT_TALLY_POLICY,
  type TallyDecision,
  type TallyInput,
  type TallyPolicy,
  type TallyReport,
  type TallyResult,
  type TesterAccuracy,
  tallyRound,
  type Verdict,
} from './tally.js';
