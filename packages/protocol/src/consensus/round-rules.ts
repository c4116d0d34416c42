import type { Claims } from '../commerce/claims.js';
import type { ModelAttribute } from '../commerce/quality-model.js';
import { byId } from './checks.js';
import { classifyReportReveals, type RevealStatus, type TestReport } from './commit.js';
import { DEFAULT_WEIGHT_POLICY, type RoundWeight, roundWeights, type WeightPolicy } from './experience.js';
import type { JurorSeat } from './jury.js';
import type { PhragmenInput, PhragmenResult, PhragmenVoter } from './phragmen.js';
import { resultDigest } from './result-digest.js';
import { type RewardPolicy, type RewardResult, type RewardTester, rewardRound } from './rewards.js';
import { drawSortition, type SortitionEntry, type SortitionResult } from './sortition.js';
import { type TallyPolicy, type TallyResult, tallyRound } from './tally.js';

/**
 * The steps of a test round as functions of plain data: which election a category holds, whom a
 * stage draws, how a stage tallies, what a decided round's rewards are. The server reads their
 * inputs from its tables and `concord verify` from the log; both call these, so the operator's
 * published digests and a verifier's recomputation cannot drift apart in the glue between the
 * stored state and the pure rules (Phragmén, sortition, the tally, the rewards).
 */

export interface Nomination {
  readonly nominator: string;
  readonly targets: readonly string[];
  readonly stakeFen: bigint;
}

/**
 * A category's election: its eligible candidates, every staked nomination restricted to them
 * (one that names none takes no part), and min(seats, candidates) seats.
 */
export function electionInputOf(
  candidates: readonly string[],
  nominations: readonly Nomination[],
  seats: number,
): PhragmenInput {
  const standing = new Set(candidates);
  const voters: PhragmenVoter[] = [];
  for (const nomination of nominations) {
    if (nomination.stakeFen <= 0n) continue;
    const votes = nomination.targets.filter((target) => standing.has(target));
    if (votes.length > 0) voters.push({ id: nomination.nominator, stakeFen: nomination.stakeFen, votes });
  }
  return {
    candidates: [...candidates].sort(byId),
    voters: voters.sort((a, b) => byId(a.id, b.id)),
    toElect: Math.min(seats, candidates.length),
  };
}

export interface PanelSeat {
  readonly tester: string;
  /** The stake the panel's election assigned to the tester (its Phragmén backing). */
  readonly backedStakeFen: bigint;
}

export interface StageDrawInput {
  readonly roundId: string;
  readonly stage: number;
  /** The seeding checkpoint's root, hex. */
  readonly checkpointRoot: string;
  readonly count: number;
  /** The panel of the round's cycle and category. */
  readonly seats: readonly PanelSeat[];
  /** Never drawn: conflicts of interest and everyone drawn at earlier stages. */
  readonly excluded: ReadonlySet<string>;
  /** Each eligible seat's experience power as of the panel's election. */
  readonly experience: ReadonlyMap<string, number>;
  readonly weightPolicy?: WeightPolicy | undefined;
}

export interface StageDraw {
  readonly result: SortitionResult;
  readonly digest: string;
  /** The eligible panel with its weights: what the sortition drew from. */
  readonly weights: RoundWeight[];
  /** The drawn, in the order drawn, with the weight each was drawn at. */
  readonly drawn: RoundWeight[];
}

/** Who a stage of a round draws: the eligible panel weighted by `roundWeights`, then sortition. */
export function drawStage(input: StageDrawInput): StageDraw {
  const eligible = input.seats.filter((seat) => !input.excluded.has(seat.tester));
  const { weights } = roundWeights(
    eligible.map((seat) => ({
      tester: seat.tester,
      ep: input.experience.get(seat.tester) ?? 0,
      stakeFen: seat.backedStakeFen,
    })),
    input.weightPolicy ?? DEFAULT_WEIGHT_POLICY,
  );
  const result = drawSortition({
    checkpointRoot: input.checkpointRoot,
    roundId: input.roundId,
    stage: input.stage,
    panel: weights.map((weight) => ({ id: weight.tester, weight: weight.weight })),
    count: input.count,
  });
  const byTester = new Map(weights.map((weight) => [weight.tester, weight]));
  return {
    result,
    digest: resultDigest(result),
    weights,
    drawn: result.drawn.map((did) => byTester.get(did) as RoundWeight),
  };
}

/** A drawn tester as a tally reads them: their stage, weight, commit and best reveal. */
export interface DrawnTester {
  readonly tester: string;
  readonly stage: number;
  readonly weight: number;
  readonly commit: string | null;
  readonly committedAtMs: number | null;
  readonly report: TestReport | null;
  readonly salt: string | null;
  readonly revealedAtMs: number | null;
  /** What the tally of an earlier stage made of the reveal (null before any tally). */
  readonly revealStatus: RevealStatus | null;
}

export interface StageTallyInput {
  readonly roundId: string;
  /** The round's current stage and deadlines. */
  readonly stage: number;
  readonly commitDeadlineMs: number;
  readonly revealDeadlineMs: number;
  readonly testers: readonly DrawnTester[];
  readonly attributes: readonly ModelAttribute[];
  readonly claims: Claims;
  /** Panel members the next stage could still draw with weight > 0. */
  readonly drawableCount: number;
  readonly policy?: TallyPolicy | undefined;
}

/** A drawn tester as the tally saw them: how their reveal counted, their weight and accuracy. */
export interface TalliedTester {
  readonly tester: string;
  readonly stage: number;
  readonly weight: number;
  readonly status: RevealStatus;
  /** From the tally for a valid reveal; 0 for any other (not revealed is not accurate). */
  readonly accuracy: number;
}

export interface StageTally {
  readonly tally: TallyResult;
  readonly digest: string;
  /** In tester-id order. */
  readonly testers: TalliedTester[];
}

/**
 * The tally of a round's current stage. Reveals are classified against the current deadlines,
 * except the valid reveals of earlier stages, which keep the status their stage's tally gave
 * them: an extension moves both deadlines, and a reveal in time for its stage would look early
 * against the new commit deadline. A tester of an earlier stage who committed but did not reveal
 * validly may still reveal in the new window, so they are classified again.
 */
export function tallyStage(input: StageTallyInput): StageTally {
  const testers = [...input.testers].sort((a, b) => byId(a.tester, b.tester));
  const isSettled = (t: DrawnTester) => t.stage < input.stage && t.revealStatus === 'valid';
  const settled = testers.filter(isSettled);
  const open = testers.filter((t) => !isSettled(t));
  const outcomes = new Map<string, { status: RevealStatus; report: TestReport | null }>();
  for (const outcome of classifyReportReveals({
    round: input.roundId,
    participants: open.map((t) => t.tester),
    commits: open.flatMap((t) =>
      t.commit === null || t.committedAtMs === null
        ? []
        : [{ participant: t.tester, commit: t.commit, atMs: t.committedAtMs }],
    ),
    reveals: open.flatMap((t) =>
      t.report === null || t.salt === null || t.revealedAtMs === null
        ? []
        : [{ participant: t.tester, payload: t.report, salt: t.salt, atMs: t.revealedAtMs }],
    ),
    commitDeadlineMs: input.commitDeadlineMs,
    revealDeadlineMs: input.revealDeadlineMs,
  })) {
    outcomes.set(outcome.participant, { status: outcome.status, report: outcome.payload });
  }
  for (const t of settled) outcomes.set(t.tester, { status: 'valid', report: t.report });
  const reports = testers.flatMap((t) => {
    const report = outcomes.get(t.tester)?.report;
    return report === null || report === undefined
      ? []
      : [{ tester: t.tester, weight: t.weight, values: report.values }];
  });
  const tally = tallyRound({
    attributes: input.attributes,
    claims: input.claims,
    reports,
    drawnCount: testers.length,
    drawableCount: input.drawableCount,
    policy: input.policy,
  });
  const accuracyOf = new Map(tally.accuracies.map((a) => [a.tester, a.accuracy]));
  return {
    tally,
    digest: resultDigest(tally),
    testers: testers.map((t) => {
      const status = outcomes.get(t.tester)?.status ?? 'missing';
      return {
        tester: t.tester,
        stage: t.stage,
        weight: t.weight,
        status,
        accuracy: status === 'valid' ? (accuracyOf.get(t.tester) ?? 0) : 0,
      };
    }),
  };
}

export interface Backing {
  selfStakeFen: bigint;
  nominators: Map<string, bigint>;
}

/**
 * Who backs each of `testers` with how much: the assignments of the panel's election (what
 * Phragmén gave each tester of each voter's stake; a voter that is the tester itself is its
 * self-stake). Without an election, each staked nomination is split evenly over its targets.
 */
export function backingOf(
  testers: readonly string[],
  election: PhragmenResult | undefined,
  nominations: readonly Nomination[],
): Map<string, Backing> {
  const backing = new Map<string, Backing>(testers.map((did) => [did, { selfStakeFen: 0n, nominators: new Map() }]));
  const add = (tester: string, voter: string, stake: bigint) => {
    const entry = backing.get(tester);
    if (entry === undefined || stake <= 0n) return;
    if (voter === tester) entry.selfStakeFen += stake;
    else entry.nominators.set(voter, (entry.nominators.get(voter) ?? 0n) + stake);
  };
  if (election !== undefined) {
    for (const assignment of election.assignments) {
      for (const part of assignment.distribution) add(part.candidate, assignment.voter, BigInt(part.stakeFen));
    }
    return backing;
  }
  for (const nomination of nominations) {
    if (nomination.stakeFen <= 0n) continue;
    const each = nomination.stakeFen / BigInt(Math.max(nomination.targets.length, 1));
    for (const target of nomination.targets) add(target, nomination.nominator, each);
  }
  return backing;
}

export interface RoundRewards {
  readonly inputs: RewardTester[];
  readonly rewards: RewardResult;
  readonly digest: string;
}

/**
 * The rewards of a decided round: every drawn tester with the accuracy the tally gave them, the
 * weight they were drawn at, their commission as a candidate and their backing. The round's part
 * of the tester pool is paid by the settlement cycle, so the rule runs with `poolFen` (0 until
 * then); winners, EP penalties and slashes do not depend on it.
 */
export function roundRewards(
  testers: readonly TalliedTester[],
  commissions: ReadonlyMap<string, number>,
  backing: ReadonlyMap<string, Backing>,
  policy: RewardPolicy,
  poolFen = 0n,
): RoundRewards {
  const inputs: RewardTester[] = testers.map((t) => {
    const backers = backing.get(t.tester);
    return {
      tester: t.tester,
      accuracy: t.accuracy,
      weight: t.weight,
      commissionBps: commissions.get(t.tester) ?? 0,
      selfStakeFen: backers?.selfStakeFen ?? 0n,
      nominators: [...(backers?.nominators ?? [])].map(([nominator, stakeFen]) => ({ nominator, stakeFen })),
    };
  });
  const rewards = rewardRound({ poolFen, testers: inputs, policy });
  return { inputs, rewards, digest: resultDigest(rewards) };
}

/**
 * What legs come to for each party, in party order: a round's slashes (`RewardLeg`, amountFen)
 * or a ruling's slashes and stake rewards (`StakeLeg`, amountPoints), as the ledger moves them.
 */
export function sumByParty<L extends { readonly party: string }>(
  legs: readonly L[],
  amountOf: (leg: L) => string,
): [party: string, amount: bigint][] {
  const byParty = new Map<string, bigint>();
  for (const leg of legs) byParty.set(leg.party, (byParty.get(leg.party) ?? 0n) + BigInt(amountOf(leg)));
  return [...byParty].sort(([a], [b]) => byId(a, b));
}

/** The stakes a jury serves with, as plain JSON (a published result: amounts as strings). */
export interface JuryStakes {
  readonly caseId: string;
  readonly instance: number;
  readonly jurors: {
    readonly juror: string;
    readonly stakePoints: string;
    readonly backers: { readonly nominator: string; readonly stakePoints: string }[];
  }[];
}

/**
 * The stake of each drawn juror: every staked nomination naming it, split evenly over the
 * nomination's targets as `backingOf` splits it without an election (a juror's own nomination of
 * itself counts as its backer too), read when the jury is drawn — the stake it serves with.
 * Jurors in the order given, backers in id order.
 */
export function juryStakes(
  caseId: string,
  instance: number,
  jurors: readonly string[],
  nominations: readonly Nomination[],
): JuryStakes {
  const backing = backingOf(jurors, undefined, nominations);
  return {
    caseId,
    instance,
    jurors: jurors.map((juror) => {
      const found = backing.get(juror);
      const self = found !== undefined && found.selfStakeFen > 0n ? [[juror, found.selfStakeFen] as const] : [];
      const backers = [...self, ...(found?.nominators ?? [])].sort(([a], [b]) => byId(a, b));
      return {
        juror,
        stakePoints: backers.reduce((sum, [, stake]) => sum + stake, 0n).toString(),
        backers: backers.map(([nominator, stake]) => ({ nominator, stakePoints: stake.toString() })),
      };
    }),
  };
}

/** The seats `ruleAppeal` takes, from a jury's published stakes (`JuryStakes.jurors`). */
export function jurorSeatsOf(jurors: readonly Pick<JuryStakes['jurors'][number], 'juror' | 'backers'>[]): JurorSeat[] {
  return jurors.map((seat) => ({
    juror: seat.juror,
    backers: seat.backers.map((backer) => ({ nominator: backer.nominator, stakePoints: BigInt(backer.stakePoints) })),
  }));
}

/**
 * Who a jury is drawn from, with their weights: experts weigh their EP but at least 1 (their
 * expertise qualifies them), testers their EP once it reaches `testerEpMin`; anyone else, or
 * anyone at weight 0, is left out. One holding both roles weighs the larger.
 */
export function juryPool(
  people: readonly { did: string; roles: readonly string[] }[],
  experience: ReadonlyMap<string, number>,
  testerEpMin: number,
): SortitionEntry[] {
  return people.flatMap(({ did, roles }) => {
    const ep = experience.get(did) ?? 0;
    const asExpert = roles.includes('expert') ? Math.max(ep, 1) : 0;
    const asTester = roles.includes('tester') && ep >= testerEpMin ? ep : 0;
    const weight = Math.max(asExpert, asTester);
    return weight > 0 ? [{ id: did, weight }] : [];
  });
}
