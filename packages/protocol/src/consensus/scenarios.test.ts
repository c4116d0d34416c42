/**
 * The scenario simulations, end to end through the pure rules: a panel elected by
 * sequential Phragmén from nominations, round weights from experience power and backing, a
 * seeded draw, commit–reveal, the adaptive tally, the rewards and the EP that follows, and an
 * appeal to a jury. Each scenario runs on several seeds.
 */
import { describe, expect, it } from 'vitest';
import type { Claims, ClaimValue } from '../commerce/claims.js';
import { honestValues, noise, prng, randomHex, TEA_TRUTH, teaModel } from './consensus.test-helper.js';
import { MS_PER_DAY } from './experience.js';
import {
  type CommitRecord,
  classifyReportReveals,
  DEFAULT_TALLY_POLICY,
  drawJury,
  drawSortition,
  experiencePower,
  type JuryVote,
  juryRoundId,
  type RevealRecord,
  reportCommit,
  resultDigest,
  rewardRound,
  roundWeights,
  ruleAppeal,
  seqPhragmen,
  type TallyResult,
  type TestReport,
  tallyRound,
  voteCommit,
} from './index.js';

const model = teaModel();
const NOW = Date.UTC(2026, 10, 30);
const COMMIT_DEADLINE = NOW - 2 * MS_PER_DAY;
const REVEAL_DEADLINE = NOW - MS_PER_DAY;

type Behaviour = (random: () => number) => Record<string, ClaimValue>;
interface Tester {
  readonly id: string;
  readonly ep: number;
  readonly selfStakeFen: bigint;
  readonly behaviour: Behaviour;
  /** How the tester takes part: commits and reveals, copies a commitment, or reveals uncommitted. */
  readonly conduct?: 'honest' | 'copies-commit' | 'reveals-without-commit';
}

const honest =
  (truth: Readonly<Record<string, ClaimValue>>): Behaviour =>
  (random) =>
    honestValues(truth, random);

interface Round {
  readonly tally: TallyResult;
  readonly drawn: string[];
  readonly stages: number;
  readonly weightOf: Map<string, number>;
  readonly rewards: ReturnType<typeof rewardRound>;
  readonly epBefore: Map<string, number>;
  readonly epAfter: Map<string, number>;
  readonly statusOf: Map<string, string>;
}

/** A tester's history that yields EP ≈ ep: one perfect test of that weight a day ago, in effect. */
const historyOf = (ep: number) =>
  ep === 0
    ? []
    : Array.from({ length: Math.ceil(ep) }, () => ({ accuracy: ep / Math.ceil(ep), completedAtMs: NOW - MS_PER_DAY }));

function runRound(options: {
  seed: number;
  testers: readonly Tester[];
  claims: Claims;
  panelSize: number;
  firstDraw: number;
  conflicts?: readonly string[];
  whales?: readonly { id: string; stakeFen: bigint; backs: readonly string[] }[];
}): Round {
  const random = prng(options.seed);
  const byId = new Map(options.testers.map((t) => [t.id, t]));
  // Nominators: a hundred small ones, each behind a few random testers, plus any whales.
  const nominators = Array.from({ length: 100 }, (_, n) => ({
    id: `nominator${n}`,
    stakeFen: BigInt(1_000 + Math.floor(random() * 50_000)),
    votes: Array.from({ length: 3 }, () => options.testers[Math.floor(random() * options.testers.length)]!.id),
  }));
  for (const whale of options.whales ?? [])
    nominators.push({ id: whale.id, stakeFen: whale.stakeFen, votes: [...whale.backs] });
  const election = seqPhragmen({
    candidates: options.testers.map((t) => t.id),
    voters: [...options.testers.map((t) => ({ id: t.id, stakeFen: t.selfStakeFen, votes: [t.id] })), ...nominators],
    toElect: options.panelSize,
  });
  const epBefore = new Map(options.testers.map((t) => [t.id, experiencePower(historyOf(t.ep), { nowMs: NOW })]));
  const weights = roundWeights(
    election.elected.map((w) => ({
      tester: w.candidate,
      ep: epBefore.get(w.candidate)!,
      stakeFen: BigInt(w.backedStakeFen),
    })),
  );
  const weightOf = new Map(weights.weights.map((w) => [w.tester, w.weight]));
  const checkpointRoot = randomHex(random, 32);
  const roundId = `lot-${options.seed}`;

  const drawn: string[] = [];
  const commits: CommitRecord[] = [];
  const reveals: RevealRecord<TestReport>[] = [];
  let tally: TallyResult | undefined;
  let stage = 0;
  for (;;) {
    const draw = roundDraw(
      checkpointRoot,
      roundId,
      stage,
      weights.weights,
      stage === 0 ? options.firstDraw : tally!.drawMore,
      [...(options.conflicts ?? []), ...drawn],
    );
    for (const id of draw) {
      drawn.push(id);
      const tester = byId.get(id)!;
      const report: TestReport = {
        round: roundId,
        tester: id,
        values: tester.behaviour(random),
        evidence: [],
        text: '',
      };
      const salt = randomHex(random, 16);
      const conduct = tester.conduct ?? 'honest';
      if (conduct === 'honest') {
        commits.push({ participant: id, commit: reportCommit(report, salt), atMs: COMMIT_DEADLINE - 1_000 });
        reveals.push({ participant: id, payload: report, salt, atMs: COMMIT_DEADLINE + 1_000 });
      } else {
        // A copier waits for an honest tester's commitment and reveal, then replays them as its own.
        const victim = reveals[0]!;
        const victimCommit = commits.find((c) => c.participant === victim.participant)!;
        if (conduct === 'copies-commit') commits.push({ ...victimCommit, participant: id });
        reveals.push({
          participant: id,
          payload: { ...victim.payload, tester: id },
          salt: victim.salt,
          atMs: REVEAL_DEADLINE - 1,
        });
        reveals.push({ participant: id, payload: victim.payload, salt: victim.salt, atMs: REVEAL_DEADLINE - 1 });
      }
    }
    const outcomes = classifyReportReveals({
      round: roundId,
      participants: drawn,
      commits,
      reveals,
      commitDeadlineMs: COMMIT_DEADLINE,
      revealDeadlineMs: REVEAL_DEADLINE,
    });
    const reports = outcomes
      .filter((o) => o.status === 'valid')
      .map((o) => ({ tester: o.participant, weight: weightOf.get(o.participant)!, values: o.payload!.values }));
    const excluded = new Set([...(options.conflicts ?? []), ...drawn]);
    const drawableCount = weights.weights.filter((w) => w.weight > 0 && !excluded.has(w.tester)).length;
    tally = tallyRound({
      attributes: model.attributes,
      claims: options.claims,
      reports,
      drawnCount: drawn.length,
      drawableCount,
    });
    if (tally.decision !== 'extend') {
      const statusOf = new Map(outcomes.map((o) => [o.participant, o.status]));
      // Everyone drawn is judged: a tester who did not reveal validly has accuracy 0.
      const accuracyOf = new Map(tally.accuracies.map((a) => [a.tester, a.accuracy]));
      const rewards = rewardRound({
        poolFen: 1_000_000n,
        testers: drawn.map((id) => ({
          tester: id,
          accuracy: accuracyOf.get(id) ?? 0,
          weight: weightOf.get(id)!,
          commissionBps: 1_000,
          selfStakeFen: byId.get(id)!.selfStakeFen,
          nominators: election.assignments.flatMap((a) =>
            a.voter === id
              ? []
              : a.distribution
                  .filter((d) => d.candidate === id)
                  .map((d) => ({ nominator: a.voter, stakeFen: BigInt(d.stakeFen) })),
          ),
        })),
      });
      const epAfter = new Map(epBefore);
      for (const t of rewards.testers) {
        const history = [
          ...historyOf(byId.get(t.tester)!.ep),
          { accuracy: t.accuracy, penalty: t.epPenalty, completedAtMs: NOW },
        ];
        epAfter.set(t.tester, experiencePower(history, { nowMs: NOW }));
      }
      return { tally, drawn, stages: stage + 1, weightOf, rewards, epBefore, epAfter, statusOf };
    }
    stage++;
    if (stage > DEFAULT_TALLY_POLICY.testerCap) throw new Error('the round never stopped extending');
  }
}

/** The testers a stage of the round draws: weighted by round weight, never a conflict or an earlier draw. */
function roundDraw(
  checkpointRoot: string,
  roundId: string,
  stage: number,
  weights: readonly { tester: string; weight: number }[],
  count: number,
  exclude: string[],
): string[] {
  const panel = weights.map((w) => ({ id: w.tester, weight: w.weight }));
  return drawSortition({ checkpointRoot, roundId, stage, panel, count, exclude }).drawn;
}

const population = (n: number, truth: Readonly<Record<string, ClaimValue>>, seed: number): Tester[] => {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `tester${String(i).padStart(3, '0')}`,
    ep: 2 + random() * 20,
    selfStakeFen: BigInt(Math.floor(random() * 100_000)),
    behaviour: honest(truth),
  }));
};

describe('scenario: honest testers with noise', () => {
  it('reach the true verdict: a truthful claim passes, an inflated one fails', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const testers = population(60, TEA_TRUTH, seed);
      const truthful = runRound({ seed, testers, claims: TEA_TRUTH, panelSize: 30, firstDraw: 7 });
      expect(truthful.tally.verdict).toBe('pass');
      const inflated = runRound({
        seed,
        testers,
        claims: { ...TEA_TRUTH, moisture: 5.0 },
        panelSize: 30,
        firstDraw: 7,
      });
      expect(inflated.tally.verdict).toBe('fail');
      expect(inflated.tally.failedMandatory).toEqual(['moisture']);
      // Honest testers are not punished for honest noise.
      expect(truthful.rewards.testers.every((t) => !t.penalised)).toBe(true);
    }
  });
});

describe('scenario: 30% of the weight colludes on a false value', () => {
  // The lot is bad: wet, with pesticide residue, of a lower grade. The producer claims otherwise,
  // and the colluders report the claim.
  const badLot = { moisture: 7.4, pesticide_free: false, grade: '二级', tea_polyphenols: 18 };
  const claims = { moisture: 6.0, pesticide_free: true, grade: '特级', tea_polyphenols: 18 };
  it('still gets the true verdict; the colluders lose the reward, EP and stake', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = prng(100 + seed);
      const testers: Tester[] = Array.from({ length: 30 }, (_, i) => ({
        id: `tester${String(i).padStart(3, '0')}`,
        ep: 10,
        selfStakeFen: 20_000n,
        // Every tenth… three in ten collude: 30% of an evenly weighted panel.
        behaviour: i % 10 < 3 ? () => ({ ...claims, moisture: claims.moisture + noise(random, 0.05) }) : honest(badLot),
      }));
      const colluders = new Set(testers.filter((_, i) => i % 10 < 3).map((t) => t.id));
      const round = runRound({ seed, testers, claims, panelSize: 30, firstDraw: 30 });
      const totalWeight = [...round.weightOf.values()].reduce((s, w) => s + w, 0);
      const colludingWeight = round.drawn
        .filter((id) => colluders.has(id))
        .reduce((s, id) => s + round.weightOf.get(id)!, 0);
      expect(colludingWeight / totalWeight).toBeGreaterThan(0.25);
      expect(colludingWeight / totalWeight).toBeLessThan(0.35);

      expect(round.tally.verdict).toBe('fail');
      expect(round.tally.failedMandatory).toEqual(['moisture', 'pesticide_free', 'grade']);
      for (const t of round.rewards.testers) {
        if (colluders.has(t.tester)) {
          expect(t).toMatchObject({ outcome: 'lost', rewardFen: '0', penalised: true, epPenalty: 1 });
          expect(BigInt(t.slashFen)).toBeGreaterThan(0n);
          expect(round.epAfter.get(t.tester)!).toBeLessThan(round.epBefore.get(t.tester)!);
        } else {
          // The more accurate half wins; an honest tester in the other half loses only the reward.
          expect(t.penalised).toBe(false);
          expect(round.epAfter.get(t.tester)!).toBeGreaterThan(round.epBefore.get(t.tester)!);
        }
      }
      const winners = round.rewards.testers.filter((t) => t.outcome === 'won');
      expect(winners.length).toBeGreaterThanOrEqual(15);
      expect(winners.some((t) => colluders.has(t.tester))).toBe(false);
    }
  });
});

describe('scenario: copying without committing is impossible', () => {
  it('neither a copied commitment nor an uncommitted reveal counts, and copiers are penalised', () => {
    const testers = population(12, TEA_TRUTH, 5).map((t, i) => ({
      ...t,
      ep: 10,
      conduct:
        i === 10 ? ('copies-commit' as const) : i === 11 ? ('reveals-without-commit' as const) : ('honest' as const),
    }));
    const round = runRound({ seed: 5, testers, claims: TEA_TRUTH, panelSize: 12, firstDraw: 12 });
    expect(round.statusOf.get('tester010')).toBe('mismatch');
    expect(round.statusOf.get('tester011')).toBe('missing');
    expect(round.tally.accuracies.map((a) => a.tester)).not.toContain('tester010');
    expect(round.tally.accuracies.map((a) => a.tester)).not.toContain('tester011');
    for (const copier of ['tester010', 'tester011']) {
      expect(round.rewards.testers.find((t) => t.tester === copier)).toMatchObject({
        outcome: 'lost',
        rewardFen: '0',
        penalised: true,
      });
    }
  });
});

describe('scenario: fresh sybil accounts', () => {
  it('get no weight, are never drawn, and cannot move a consensus even when reported', () => {
    const lie = { moisture: 5.0, pesticide_free: true, grade: '特级', tea_polyphenols: 18 };
    const testers: Tester[] = [
      ...population(20, TEA_TRUTH, 8),
      ...Array.from({ length: 40 }, (_, i) => ({
        id: `sybil${String(i).padStart(2, '0')}`,
        ep: 0,
        selfStakeFen: 1_000_000n,
        behaviour: () => ({ ...lie }),
      })),
    ];
    // A whale stakes a fortune behind sixteen sybils so that Phragmén seats them on the panel.
    const whale = {
      id: 'whale',
      stakeFen: 10n ** 13n,
      backs: testers
        .filter((t) => t.ep === 0)
        .slice(0, 16)
        .map((t) => t.id),
    };
    const round = runRound({ seed: 8, testers, claims: lie, panelSize: 45, firstDraw: 10, whales: [whale] });
    const seatedSybils = [...round.weightOf.keys()].filter((id) => id.startsWith('sybil'));
    expect(seatedSybils.length).toBeGreaterThan(0);
    for (const id of seatedSybils) expect(round.weightOf.get(id)).toBe(0);
    expect(round.drawn.some((id) => id.startsWith('sybil'))).toBe(false);
    expect(round.tally.verdict).toBe('fail');

    // Even handed straight to the tally, weightless reports change nothing.
    const reports = round.tally.accuracies.map((a) => a.tester);
    const random = prng(1);
    const withSybils = tallyRound({
      attributes: model.attributes,
      claims: lie,
      reports: [
        ...reports.map((id) => ({
          tester: id,
          weight: round.weightOf.get(id)!,
          values: honestValues(TEA_TRUTH, random),
        })),
        ...seatedSybils.map((id) => ({ tester: id, weight: 0, values: { ...lie } })),
      ],
      drawnCount: reports.length + seatedSybils.length,
    });
    expect(withSybils.verdict).toBe('fail');
  });
});

describe('scenario: high dispersion extends a round', () => {
  it('draws more testers, never the same ones twice, until the cap decides', () => {
    // A lot whose moisture varies bag to bag by far more than the tolerance.
    const testers = population(60, TEA_TRUTH, 12).map((t, i) => {
      const random = prng(1_000 + i);
      const behaviour: Behaviour = () => ({ ...TEA_TRUTH, moisture: 6.2 + noise(random, 1.5) });
      return { ...t, behaviour };
    });
    const round = runRound({ seed: 12, testers, claims: TEA_TRUTH, panelSize: 40, firstDraw: 5 });
    expect(round.stages).toBeGreaterThan(1);
    expect(new Set(round.drawn).size).toBe(round.drawn.length);
    expect(round.drawn).toHaveLength(DEFAULT_TALLY_POLICY.testerCap);
    expect(round.tally.decision).toBe('decided');
    expect(round.tally.attributes.find((a) => a.key === 'moisture')!.highDispersion).toBe(true);
  });
});

describe('scenario: an honest jury overturns a wrong verdict', () => {
  it('replaces the verdict; coherent jurors share the fees, their backers the bribed juror’s slash', () => {
    // 60% of a small round colludes: the round wrongly passes a bad lot.
    const badLot = { moisture: 7.4, pesticide_free: false, grade: '二级', tea_polyphenols: 18 };
    const claims = { moisture: 6.0, pesticide_free: true, grade: '特级', tea_polyphenols: 18 };
    const testers: Tester[] = Array.from({ length: 5 }, (_, i) => ({
      id: `tester${i}`,
      ep: 10,
      selfStakeFen: 0n,
      behaviour: i < 3 ? () => ({ ...claims }) : honest(badLot),
    }));
    const round = runRound({ seed: 3, testers, claims, panelSize: 5, firstDraw: 5 });
    expect(round.tally.verdict).toBe('pass');

    // A verified buyer appeals; the producer bonds to defend the verdict.
    const caseId = 'appeal-lot-3';
    const experts = Array.from({ length: 30 }, (_, i) => ({ id: `expert${i}`, weight: 5 + (i % 7) }));
    const exclude = ['producer', ...round.drawn, 'expert0'];
    const jury = drawJury({ checkpointRoot: 'cd'.repeat(32), caseId, instance: 0, pool: experts, exclude });
    expect(jury.drawn).toHaveLength(3);
    const round0 = juryRoundId(caseId, 0);
    const votes = jury.drawn.map(
      (juror, j): JuryVote => ({ round: round0, juror, vote: j === 0 ? 'uphold' : 'overturn' }),
    );
    const salt = (j: number) => `${'0'.repeat(30)}${String(j).padStart(2, '0')}`;
    const ruling = ruleAppeal({
      caseId,
      instance: 0,
      jurors: jury.drawn.map((juror) => ({ juror, backers: [{ nominator: `backer-${juror}`, stakePoints: 5_000n }] })),
      commits: votes.map((vote, j) => ({ participant: vote.juror, commit: voteCommit(vote, salt(j)), atMs: 1 })),
      reveals: votes.map((vote, j) => ({ participant: vote.juror, payload: vote, salt: salt(j), atMs: 3 })),
      commitDeadlineMs: 2,
      revealDeadlineMs: 4,
      bonds: [
        { party: 'buyer', side: 'overturn', amountFen: 10_000n },
        { party: 'producer', side: 'uphold', amountFen: 10_000n },
      ],
    });
    expect(ruling.ruling).toBe('overturn');
    const [bribed, ...honestJurors] = jury.drawn.map((juror) => ruling.jurors.find((j) => j.juror === juror)!);
    expect(bribed).toMatchObject({ coherent: false, slashPoints: '500', rewardFen: '0', rewardPoints: '0' });
    // The fees (30% of each bond) to the honest jurors, the bribed one's slash to their backers.
    for (const juror of honestJurors)
      expect(juror).toMatchObject({ coherent: true, rewardFen: '3000', rewardPoints: '250' });
    expect(ruling.bonds.find((b) => b.party === 'buyer')!.returnedFen).toBe('7000');
    expect(ruling.bonds.find((b) => b.party === 'producer')!.forfeitedFen).toBe('7000');
    expect(ruling.next).toEqual({ instance: 1, bondFen: '20000', jurySize: 7 });
  });
});

describe('scenario: a tampered published result', () => {
  it('is caught by recomputing its digest', () => {
    const round = runRound({
      seed: 2,
      testers: population(30, TEA_TRUTH, 2),
      claims: TEA_TRUTH,
      panelSize: 20,
      firstDraw: 7,
    });
    const published = { result: JSON.parse(JSON.stringify(round.tally)), digest: resultDigest(round.tally) };
    // The verifier replays the same inputs and compares.
    expect(resultDigest(published.result)).toBe(published.digest);
    const tampered = { ...published.result, verdict: 'fail' };
    expect(resultDigest(tampered)).not.toBe(published.digest);
    const rewards = JSON.parse(JSON.stringify(round.rewards));
    rewards.payouts[0].amountFen = (BigInt(rewards.payouts[0].amountFen) + 1n).toString();
    expect(resultDigest(rewards)).not.toBe(resultDigest(round.rewards));
  });
});
