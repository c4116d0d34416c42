import { allocate, shareOf } from '../money/allocate.js';
import { byId, checkAmount, checkBps, checkCount, checkDistinct, checkId, checkList } from './checks.js';
import { type CommitRecord, classifyReveals, commitOf, type RevealRecord, type RevealStatus } from './commit.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';
import { drawSortition, type SortitionEntry, type SortitionResult } from './sortition.js';

/**
 * Arbitration (DESIGN §8.5, 仲裁): within the appeal window a producer, a tester of the round or
 * a verified buyer appeals a verdict with a bond; a jury drawn by sortition from experts and
 * high-EP testers with no tie to the case votes by commit–reveal; the majority rules. A juror's
 * stake is the points nominators locked behind it (DESIGN §8.2: nominators back testers, and
 * experts for juries). Jurors who voted with the majority (coherent) share the jury's fee out of
 * the bonds, and their backers share what is slashed from the backers of the others, so the
 * rational vote is the one a juror expects honest peers to cast — the Schelling point is the
 * truth. Each further appeal doubles the bond and (about) the jury, so appealing a sound
 * ruling gets dearer fast, up to a last instance whose ruling is final.
 */

export type JuryChoice = 'uphold' | 'overturn';

export interface JuryPolicy {
  /** The bond of the first appeal (instance 0); instance i costs base × 2^i. */
  readonly baseBondFen: bigint;
  /** Jurors at instance 0: odd, so a vote of all jurors cannot tie. */
  readonly baseJurySize: number;
  /** The instance whose ruling is final (0–8). */
  readonly lastInstance: number;
  /** Share of an incoherent juror's backing slashed, for the coherent jurors' backers. */
  readonly jurorSlashBps: number;
  /** Share of every bond that is the jury's fee, paid to the coherent jurors whatever the ruling. */
  readonly juryFeeBps: number;
}

export const DEFAULT_JURY_POLICY: JuryPolicy = Object.freeze({
  baseBondFen: 10_000n,
  baseJurySize: 3,
  lastInstance: 3,
  jurorSlashBps: 1_000,
  juryFeeBps: 3_000,
});

/** The bond an appeal at `instance` requires: baseBondFen × 2^instance (exact, a bigint shift). */
export function appealBondFen(instance: number, policy: JuryPolicy = DEFAULT_JURY_POLICY): bigint {
  checkJuryPolicy(policy);
  checkInstance(instance, policy);
  return policy.baseBondFen << BigInt(instance);
}

/**
 * Jurors at `instance`: (baseJurySize + 1) × 2^instance − 1, i.e. each jury is twice the previous
 * one plus one — 3, 7, 15, 31 from a base of 3. "Doubling the jury" while keeping it odd, so a
 * full turnout never ties, and every new jury outnumbers the old one.
 */
export function jurySize(instance: number, policy: JuryPolicy = DEFAULT_JURY_POLICY): number {
  checkJuryPolicy(policy);
  checkInstance(instance, policy);
  let size = policy.baseJurySize;
  for (let i = 0; i < instance; i++) size = 2 * size + 1;
  return size;
}

/** The id that jury votes of one instance commit to, and that seeds its draw. */
export function juryRoundId(caseId: string, instance: number): string {
  checkId(caseId, 'caseId');
  checkCount(instance, 'instance', 0, CONSENSUS_LIMITS.instancesMax);
  return checkId(`jury:${caseId}:${instance}`, 'caseId');
}

export interface JuryDrawInput {
  readonly checkpointRoot: string | Uint8Array;
  readonly caseId: string;
  readonly instance: number;
  /** Eligible experts and high-EP testers, weighted (e.g. by EP). */
  readonly pool: readonly SortitionEntry[];
  /** Anyone tied to the case: its producer's accounts, the round's testers, earlier jurors… */
  readonly exclude: readonly string[];
  readonly policy?: JuryPolicy | undefined;
}

/** Draws `jurySize(instance)` jurors by `drawSortition`, seeded by the checkpoint and `juryRoundId`. */
export function drawJury(input: JuryDrawInput): SortitionResult {
  const policy = input.policy ?? DEFAULT_JURY_POLICY;
  return drawSortition({
    checkpointRoot: input.checkpointRoot,
    roundId: juryRoundId(input.caseId, input.instance),
    panel: input.pool,
    count: jurySize(input.instance, policy),
    exclude: input.exclude,
  });
}

/** A juror's vote; `round` is `juryRoundId(case, instance)`. */
export interface JuryVote {
  readonly round: string;
  readonly juror: string;
  readonly vote: JuryChoice;
}

/** The commitment to a vote, as `commitOf` (throws `invalid_report` for a malformed vote). */
export function voteCommit(vote: JuryVote, saltHex: string): string {
  if (!isJuryVote(vote)) throw new ConsensusError('invalid_report', 'vote', 'a vote is {round, juror, vote}');
  return commitOf(vote, saltHex);
}

export interface AppealBond {
  readonly party: string;
  /** 'overturn' for the appellant; 'uphold' for anyone who bonds to defend the verdict. */
  readonly side: JuryChoice;
  readonly amountFen: bigint;
}

/** One nominator's points behind a juror, as the nominations stood when the jury was drawn. */
export interface JurorBacker {
  readonly nominator: string;
  readonly stakePoints: bigint;
}

export interface JurorSeat {
  readonly juror: string;
  /** The juror's stake: the points its nominators (itself included) locked behind it. */
  readonly backers: readonly JurorBacker[];
}

export interface RulingInput {
  readonly caseId: string;
  readonly instance: number;
  /** The drawn jurors with their backing. */
  readonly jurors: readonly JurorSeat[];
  readonly commits: readonly CommitRecord[];
  readonly reveals: readonly RevealRecord<JuryVote>[];
  readonly commitDeadlineMs: number;
  readonly revealDeadlineMs: number;
  readonly bonds: readonly AppealBond[];
  readonly policy?: JuryPolicy | undefined;
}

export interface JurorOutcome {
  readonly juror: string;
  readonly status: RevealStatus;
  readonly vote: JuryChoice | null;
  readonly coherent: boolean;
  readonly stakePoints: string;
  /** Taken from the juror's backers when incoherent. */
  readonly slashPoints: string;
  /** The juror's share of the jury fee (fen), for the work of judging. */
  readonly rewardFen: string;
  /** The slashed points that go to this juror's backers, for the risk they took. */
  readonly rewardPoints: string;
}

export interface BondOutcome {
  readonly party: string;
  readonly side: JuryChoice;
  readonly amountFen: string;
  /** The jury's fee: paid whatever the ruling. */
  readonly feeFen: string;
  /** The rest, back to the party when its side won. */
  readonly returnedFen: string;
  /** The rest, kept by the arbitration pool when its side lost. */
  readonly forfeitedFen: string;
}

/** Points moved from or to one backer of one juror. */
export interface StakeLeg {
  readonly party: string;
  readonly juror: string;
  readonly amountPoints: string;
}

/** JSON-safe; jurors in id order, bonds in input order, legs in (juror, party) order. */
export interface RulingResult {
  readonly caseId: string;
  readonly instance: number;
  readonly round: string;
  readonly ruling: JuryChoice;
  readonly votes: { readonly uphold: number; readonly overturn: number };
  readonly jurors: JurorOutcome[];
  readonly bonds: BondOutcome[];
  /** The jury fees of all bonds, shared equally by the coherent jurors. */
  readonly feesFen: string;
  readonly paidFen: string;
  /** The fees when no juror was coherent (nobody revealed): to the arbitration pool. */
  readonly unpaidFen: string;
  /** The losing bonds' forfeited rest: to the arbitration pool. */
  readonly keptFen: string;
  /** The incoherent jurors' backers' slashes… */
  readonly slashes: StakeLeg[];
  /** …shared by the coherent jurors' backers pro rata to their stake. */
  readonly stakeRewards: StakeLeg[];
  readonly slashedPoints: string;
  readonly paidPoints: string;
  /** Slashed points no coherent stake could take (burned). */
  readonly unpaidPoints: string;
  /** True at the last instance: no further appeal. */
  readonly final: boolean;
  readonly next: { readonly instance: number; readonly bondFen: string; readonly jurySize: number } | null;
}

/**
 * Rules an appeal instance:
 *
 * - the votes are classified by `classifyReveals` (author `juror`, round `juryRoundId`); only
 *   `valid` reveals count, one juror one vote;
 * - the ruling is `overturn` when more valid votes say so than `uphold`; a tie — including no
 *   vote at all — leaves the verdict standing (`uphold`): a verdict is only replaced by a
 *   majority;
 * - coherent jurors voted with the ruling; everyone else drawn — the minority and whoever did not
 *   reveal validly — is incoherent, and `jurorSlashBps` of each of its backers' stake is slashed;
 * - every bond pays `juryFeeBps` of itself as the jury's fee; the rest comes back when its side
 *   won and is kept by the arbitration pool when it lost;
 * - the fees go to the coherent jurors in equal shares, and the slashed points to the coherent
 *   jurors' backers pro rata to their stake, both by `allocate`, so both are paid out exactly.
 *
 * What a coherent juror earns thus never depends on which way the majority went — the fee is
 * the same share of the bonds whether the verdict stands or falls, and a losing bond's rest
 * goes to the pool, not to the jury — only on having voted with it: the rational vote is the
 * one a juror expects honest peers to cast. (Paying the jury from the losing side's bond alone
 * would pay it for upholding, since an appellant who wins gets the bond back.)
 *
 * The appellant's bonds (side `overturn`) must reach `appealBondFen(instance)`.
 *
 * Throws `ConsensusError`: `invalid_instance` (past the last instance), `invalid_bond` (the
 * appeal is under-bonded), and the input checks' codes.
 */
export function ruleAppeal(input: RulingInput): RulingResult {
  const policy = checkJuryPolicy(input.policy ?? DEFAULT_JURY_POLICY);
  const caseId = checkId(input.caseId, 'caseId');
  const instance = checkInstance(input.instance, policy);
  const round = juryRoundId(caseId, instance);
  const seats = checkList(input.jurors, 'jurors', CONSENSUS_LIMITS.backersMax).map((seat, index) => {
    const backers = checkList(seat.backers, `jurors[${index}].backers`, CONSENSUS_LIMITS.backersMax).map(
      (backer, b) => ({
        nominator: checkId(backer.nominator, `jurors[${index}].backers[${b}].nominator`),
        stakePoints: checkAmount(backer.stakePoints, `jurors[${index}].backers[${b}].stakePoints`),
      }),
    );
    checkDistinct(
      backers.map((backer) => backer.nominator),
      `jurors[${index}].backers`,
    );
    backers.sort((a, b) => byId(a.nominator, b.nominator));
    return { juror: checkId(seat.juror, `jurors[${index}].juror`), backers };
  });
  checkDistinct(
    seats.map((seat) => seat.juror),
    'jurors',
  );
  seats.sort((a, b) => byId(a.juror, b.juror));
  const bonds = checkList(input.bonds, 'bonds', CONSENSUS_LIMITS.backersMax).map((bond, index) => {
    if (bond.side !== 'uphold' && bond.side !== 'overturn') {
      throw new ConsensusError('invalid_bond', `bonds[${index}].side`, 'a bond is for uphold or overturn');
    }
    return {
      party: checkId(bond.party, `bonds[${index}].party`),
      side: bond.side,
      amountFen: checkAmount(bond.amountFen, `bonds[${index}].amountFen`),
    };
  });
  const appealFen = bonds.filter((bond) => bond.side === 'overturn').reduce((sum, bond) => sum + bond.amountFen, 0n);
  const requiredFen = appealBondFen(instance, policy);
  if (appealFen < requiredFen) {
    throw new ConsensusError('invalid_bond', 'bonds', `an appeal at instance ${instance} needs ${requiredFen} fen`);
  }

  const outcomes = classifyReveals<JuryVote>(
    {
      round,
      participants: seats.map((seat) => seat.juror),
      commits: input.commits,
      reveals: input.reveals,
      commitDeadlineMs: input.commitDeadlineMs,
      revealDeadlineMs: input.revealDeadlineMs,
    },
    'juror',
    isJuryVote,
  );
  let uphold = 0;
  let overturn = 0;
  for (const outcome of outcomes) {
    if (outcome.payload?.vote === 'uphold') uphold++;
    else if (outcome.payload?.vote === 'overturn') overturn++;
  }
  const ruling: JuryChoice = overturn > uphold ? 'overturn' : 'uphold';
  // outcomes and seats are both in juror-id order.
  const coherent = outcomes.map((outcome) => outcome.payload?.vote === ruling);
  const anyCoherent = coherent.some(Boolean);

  // Fen: each bond's fee to the coherent jurors in equal shares, its rest back or kept.
  const bondOutcomes = bonds.map((bond) => {
    const fee = shareOf(bond.amountFen, policy.juryFeeBps);
    const rest = bond.amountFen - fee;
    const won = bond.side === ruling;
    return {
      party: bond.party,
      side: bond.side,
      amountFen: bond.amountFen.toString(),
      feeFen: fee.toString(),
      returnedFen: (won ? rest : 0n).toString(),
      forfeitedFen: (won ? 0n : rest).toString(),
    };
  });
  const feesFen = bondOutcomes.reduce((sum, bond) => sum + BigInt(bond.feeFen), 0n);
  const keptFen = bondOutcomes.reduce((sum, bond) => sum + BigInt(bond.forfeitedFen), 0n);
  const rewardsFen =
    anyCoherent && feesFen > 0n
      ? allocate(
          feesFen,
          coherent.map((c) => (c ? 1n : 0n)),
        )
      : seats.map(() => 0n);
  const paidFen = rewardsFen.reduce((sum, reward) => sum + reward, 0n);

  // Points: the incoherent jurors' backers are slashed; the coherent jurors' backers share it.
  const legs = seats.flatMap((seat, j) =>
    seat.backers.map((backer) => ({ j, party: backer.nominator, stake: backer.stakePoints })),
  );
  const slashLegs = legs.map((leg) => (coherent[leg.j] ? 0n : shareOf(leg.stake, policy.jurorSlashBps)));
  const slashedPoints = slashLegs.reduce((sum, slash) => sum + slash, 0n);
  const coherentWeights = legs.map((leg) => (coherent[leg.j] ? leg.stake : 0n));
  const coherentStake = coherentWeights.reduce((sum, stake) => sum + stake, 0n);
  const rewardLegs =
    slashedPoints > 0n && coherentStake > 0n ? allocate(slashedPoints, coherentWeights) : legs.map(() => 0n);
  const paidPoints = rewardLegs.reduce((sum, reward) => sum + reward, 0n);
  const legsOf = (amounts: bigint[]): StakeLeg[] =>
    legs.flatMap((leg, l) =>
      amounts[l]! > 0n ? [{ party: leg.party, juror: seats[leg.j]!.juror, amountPoints: amounts[l]!.toString() }] : [],
    );
  const perJuror = (amounts: bigint[], j: number) =>
    legs.reduce((sum, leg, l) => (leg.j === j ? sum + amounts[l]! : sum), 0n).toString();

  const final = instance === policy.lastInstance;
  return {
    caseId,
    instance,
    round,
    ruling,
    votes: { uphold, overturn },
    jurors: seats.map((seat, j) => ({
      juror: seat.juror,
      status: outcomes[j]!.status,
      vote: outcomes[j]!.payload?.vote ?? null,
      coherent: coherent[j]!,
      stakePoints: seat.backers.reduce((sum, backer) => sum + backer.stakePoints, 0n).toString(),
      slashPoints: perJuror(slashLegs, j),
      rewardFen: rewardsFen[j]!.toString(),
      rewardPoints: perJuror(rewardLegs, j),
    })),
    bonds: bondOutcomes,
    feesFen: feesFen.toString(),
    paidFen: paidFen.toString(),
    unpaidFen: (feesFen - paidFen).toString(),
    keptFen: keptFen.toString(),
    slashes: legsOf(slashLegs),
    stakeRewards: legsOf(rewardLegs),
    slashedPoints: slashedPoints.toString(),
    paidPoints: paidPoints.toString(),
    unpaidPoints: (slashedPoints - paidPoints).toString(),
    final,
    next: final
      ? null
      : {
          instance: instance + 1,
          bondFen: appealBondFen(instance + 1, policy).toString(),
          jurySize: jurySize(instance + 1, policy),
        },
  };
}

function isJuryVote(value: unknown): value is JuryVote {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const vote = value as Record<string, unknown>;
  return (
    Object.keys(vote).length === 3 &&
    typeof vote.round === 'string' &&
    typeof vote.juror === 'string' &&
    (vote.vote === 'uphold' || vote.vote === 'overturn')
  );
}

function checkInstance(instance: number, policy: JuryPolicy): number {
  if (
    typeof instance !== 'number' ||
    !Number.isSafeInteger(instance) ||
    instance < 0 ||
    instance > policy.lastInstance
  ) {
    throw new ConsensusError(
      'invalid_instance',
      'instance',
      `an instance is an integer within [0, ${policy.lastInstance}]`,
    );
  }
  return instance;
}

function checkJuryPolicy(policy: JuryPolicy): JuryPolicy {
  if (typeof policy.baseBondFen !== 'bigint' || policy.baseBondFen <= 0n) {
    throw new ConsensusError('invalid_policy', 'policy.baseBondFen', 'the base bond is a positive bigint');
  }
  const size = checkCount(policy.baseJurySize, 'policy.baseJurySize', 1, CONSENSUS_LIMITS.drawMax);
  if (size % 2 === 0) throw new ConsensusError('invalid_policy', 'policy.baseJurySize', 'a jury has an odd size');
  checkCount(policy.lastInstance, 'policy.lastInstance', 0, CONSENSUS_LIMITS.instancesMax);
  // The last jury must still be drawable: (base + 1)·2^last − 1 ≤ drawMax.
  if ((size + 1) * (1 << policy.lastInstance) - 1 > CONSENSUS_LIMITS.drawMax) {
    throw new ConsensusError('invalid_policy', 'policy.lastInstance', 'the last jury would exceed the draw limit');
  }
  checkBps(policy.jurorSlashBps, 'policy.jurorSlashBps');
  checkBps(policy.juryFeeBps, 'policy.juryFeeBps');
  return policy;
}
