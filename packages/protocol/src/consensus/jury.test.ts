import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught } from './consensus.test-helper.js';
import {
  type AppealBond,
  appealBondFen,
  type CommitRecord,
  DEFAULT_JURY_POLICY,
  drawJury,
  type JuryChoice,
  type JuryVote,
  juryRoundId,
  jurySize,
  type RevealRecord,
  ruleAppeal,
  voteCommit,
} from './index.js';

const ROOT = 'ab'.repeat(32);
const CASE = 'appeal-42';
const salt = (juror: string) => Buffer.from(juror.padEnd(16, '.')).toString('hex');

/** Commits and reveals for each juror: a vote, or null for a juror who never reveals. */
function ballots(instance: number, votes: Record<string, JuryChoice | null>) {
  const round = juryRoundId(CASE, instance);
  const commits: CommitRecord[] = [];
  const reveals: RevealRecord<JuryVote>[] = [];
  for (const [juror, choice] of Object.entries(votes)) {
    const vote: JuryVote = { round, juror, vote: choice ?? 'uphold' };
    commits.push({ participant: juror, commit: voteCommit(vote, salt(juror)), atMs: 10 });
    if (choice !== null) reveals.push({ participant: juror, payload: vote, salt: salt(juror), atMs: 150 });
  }
  return { commits, reveals, commitDeadlineMs: 100, revealDeadlineMs: 200 };
}
const seats = (jurors: string[], stakePoints = 1_000n) =>
  jurors.map((juror) => ({ juror, backers: [{ nominator: `n-${juror}`, stakePoints }] }));
const appellant: AppealBond = { party: 'producer', side: 'overturn', amountFen: 10_000n };

describe('appeal instances', () => {
  it('doubles the bond and (about) the jury at each instance, up to the last', () => {
    expect([0, 1, 2, 3].map((i) => appealBondFen(i))).toEqual([10_000n, 20_000n, 40_000n, 80_000n]);
    expect([0, 1, 2, 3].map((i) => jurySize(i))).toEqual([3, 7, 15, 31]);
    expect(jurySize(2, { ...DEFAULT_JURY_POLICY, baseJurySize: 5 })).toBe(23);
    expect(caught(() => jurySize(4)).code).toBe('invalid_instance');
    expect(caught(() => jurySize(0, { ...DEFAULT_JURY_POLICY, baseJurySize: 4 })).code).toBe('invalid_policy');
  });

  it('draws the jury by sortition, never anyone tied to the case', () => {
    const pool = Array.from({ length: 40 }, (_, i) => ({ id: `expert${i}`, weight: 1 + (i % 5) }));
    const exclude = ['expert0', 'expert1', 'expert2', 'expert3', 'expert4'];
    const jury = drawJury({ checkpointRoot: ROOT, caseId: CASE, instance: 1, pool, exclude });
    expect(jury.drawn).toHaveLength(7);
    expect(new Set(jury.drawn).size).toBe(7);
    for (const juror of jury.drawn) expect(exclude).not.toContain(juror);
    expect(jury.roundId).toBe('jury:appeal-42:1');
    expect(drawJury({ checkpointRoot: ROOT, caseId: CASE, instance: 1, pool, exclude })).toEqual(jury);
  });
});

describe('ruleAppeal', () => {
  it('overturns on a majority; coherent jurors share the fees, their backers the incoherent backing', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 0,
      jurors: seats(['j1', 'j2', 'j3']),
      ...ballots(0, { j1: 'overturn', j2: 'overturn', j3: 'uphold' }),
      bonds: [appellant, { party: 'tester7', side: 'uphold', amountFen: 5_000n }],
    });
    expect(result).toMatchObject({ ruling: 'overturn', votes: { uphold: 1, overturn: 2 }, final: false });
    // 30% of each bond is the jury's fee; the rest comes back to the winner, the loser's is kept.
    expect(result.bonds.map((b) => [b.party, b.feeFen, b.returnedFen, b.forfeitedFen])).toEqual([
      ['producer', '3000', '7000', '0'],
      ['tester7', '1500', '0', '3500'],
    ]);
    expect(
      result.jurors.map((j) => [j.juror, j.coherent, j.stakePoints, j.slashPoints, j.rewardFen, j.rewardPoints]),
    ).toEqual([
      ['j1', true, '1000', '0', '2250', '50'],
      ['j2', true, '1000', '0', '2250', '50'],
      ['j3', false, '1000', '100', '0', '0'],
    ]);
    expect(result.slashes).toEqual([{ party: 'n-j3', juror: 'j3', amountPoints: '100' }]);
    expect(result.stakeRewards).toEqual([
      { party: 'n-j1', juror: 'j1', amountPoints: '50' },
      { party: 'n-j2', juror: 'j2', amountPoints: '50' },
    ]);
    expect(result).toMatchObject({ feesFen: '4500', paidFen: '4500', unpaidFen: '0', keptFen: '3500' });
    expect(result).toMatchObject({ slashedPoints: '100', paidPoints: '100', unpaidPoints: '0' });
    expect(result.next).toEqual({ instance: 1, bondFen: '20000', jurySize: 7 });
  });

  it('lets the verdict stand on a tie, and counts a juror who did not reveal as incoherent', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 0,
      jurors: seats(['j1', 'j2', 'j3']),
      ...ballots(0, { j1: 'overturn', j2: 'uphold', j3: null }),
      bonds: [appellant],
    });
    expect(result.ruling).toBe('uphold');
    expect(result.jurors.map((j) => [j.juror, j.status, j.coherent, j.rewardFen, j.rewardPoints])).toEqual([
      ['j1', 'valid', false, '0', '0'],
      ['j2', 'valid', true, '3000', '200'], // the whole fee, and both slashes
      ['j3', 'missing', false, '0', '0'],
    ]);
    expect(result).toMatchObject({ keptFen: '7000', slashedPoints: '200', paidPoints: '200' });
  });

  it('shares the slashed points among a coherent juror’s backers pro rata to their stake', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 0,
      jurors: [
        {
          juror: 'j1',
          backers: [
            { nominator: 'a', stakePoints: 3_000n },
            { nominator: 'j1', stakePoints: 1_000n },
          ],
        },
        { juror: 'j2', backers: [] },
        {
          juror: 'j3',
          backers: [
            { nominator: 'b', stakePoints: 10_000n },
            { nominator: 'c', stakePoints: 2_000n },
          ],
        },
      ],
      ...ballots(0, { j1: 'uphold', j2: 'uphold', j3: 'overturn' }),
      bonds: [appellant],
    });
    expect(result.slashes.map((leg) => [leg.party, leg.amountPoints])).toEqual([
      ['b', '1000'],
      ['c', '200'],
    ]);
    // j2 has no backers: it earns its share of the fee, and its backers (none) no points.
    expect(result.stakeRewards.map((leg) => [leg.party, leg.amountPoints])).toEqual([
      ['a', '900'],
      ['j1', '300'],
    ]);
    expect(result.jurors.map((j) => [j.juror, j.rewardFen])).toEqual([
      ['j1', '1500'],
      ['j2', '1500'],
      ['j3', '0'],
    ]);
  });

  it('keeps the fees and burns the slashes when no juror reveals', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 3,
      jurors: seats(['j1', 'j2', 'j3']),
      ...ballots(3, { j1: null, j2: null, j3: null }),
      bonds: [{ ...appellant, amountFen: 80_000n }],
    });
    expect(result).toMatchObject({ ruling: 'uphold', final: true, next: null });
    expect(result).toMatchObject({ feesFen: '24000', paidFen: '0', unpaidFen: '24000', keptFen: '56000' });
    expect(result).toMatchObject({ slashedPoints: '300', paidPoints: '0', unpaidPoints: '300' });
  });

  it('pays a coherent juror the same whichever way the majority went, and pays out exactly', () => {
    const choice = fc.constantFrom<JuryChoice | null>('uphold', 'overturn', null);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(choice, fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 3 })), {
          minLength: 1,
          maxLength: 9,
        }),
        fc.bigInt({ min: 10_000n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (drawn, appealFen, defenceFen) => {
          const jurors = drawn.map(([, stakes], j) => ({
            juror: `j${j}`,
            backers: stakes.map((stakePoints, b) => ({ nominator: `n${j}-${b}`, stakePoints })),
          }));
          const rule = (flip: boolean) =>
            ruleAppeal({
              caseId: CASE,
              instance: 0,
              jurors,
              ...ballots(
                0,
                Object.fromEntries(
                  drawn.map(([vote], j) => [
                    `j${j}`,
                    flip && vote !== null ? (vote === 'uphold' ? 'overturn' : 'uphold') : vote,
                  ]),
                ),
              ),
              bonds: [
                { party: 'appellant', side: 'overturn', amountFen: appealFen },
                { party: 'defender', side: 'uphold', amountFen: defenceFen },
              ],
            });
          const result = rule(false);
          const sum = (values: string[]) => values.reduce((total, value) => total + BigInt(value), 0n);
          for (const bond of result.bonds)
            expect(sum([bond.feeFen, bond.returnedFen, bond.forfeitedFen])).toBe(BigInt(bond.amountFen));
          expect(sum(result.jurors.map((j) => j.rewardFen))).toBe(BigInt(result.paidFen));
          expect(BigInt(result.paidFen) + BigInt(result.unpaidFen)).toBe(BigInt(result.feesFen));
          expect(sum(result.slashes.map((leg) => leg.amountPoints))).toBe(BigInt(result.slashedPoints));
          expect(sum(result.stakeRewards.map((leg) => leg.amountPoints))).toBe(BigInt(result.paidPoints));
          expect(BigInt(result.paidPoints) + BigInt(result.unpaidPoints)).toBe(BigInt(result.slashedPoints));
          for (const juror of result.jurors) {
            if (juror.coherent) expect(juror.slashPoints).toBe('0');
            else expect([juror.rewardFen, juror.rewardPoints]).toEqual(['0', '0']);
          }
          // Every valid vote mirrored: unless it was a tie, the ruling flips and the same jurors
          // are coherent — and earn exactly what they earned before.
          if (result.votes.uphold !== result.votes.overturn) {
            const mirrored = rule(true);
            expect(mirrored.ruling).not.toBe(result.ruling);
            expect(mirrored.jurors.map((j) => [j.coherent, j.rewardFen, j.rewardPoints])).toEqual(
              result.jurors.map((j) => [j.coherent, j.rewardFen, j.rewardPoints]),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not count a vote committed for another instance, or copied from another juror', () => {
    const stale = ballots(0, { j1: 'overturn' });
    const copied = ballots(1, { j2: 'overturn' });
    const result = ruleAppeal({
      caseId: CASE,
      instance: 1,
      jurors: seats(['j1', 'j2', 'j3']),
      commits: [
        ...stale.commits,
        ...copied.commits,
        { ...copied.commits[0]!, participant: 'j3' }, // j3 copies j2's commitment
      ],
      reveals: [...stale.reveals, ...copied.reveals, { ...copied.reveals[0]!, participant: 'j3' }],
      commitDeadlineMs: 100,
      revealDeadlineMs: 200,
      bonds: [{ ...appellant, amountFen: 20_000n }],
    });
    expect(result.jurors.map((j) => [j.juror, j.status])).toEqual([
      ['j1', 'mismatch'],
      ['j2', 'valid'],
      ['j3', 'mismatch'],
    ]);
    expect(result.ruling).toBe('overturn');
  });

  it('refuses an under-bonded appeal and one past the last instance', () => {
    const base = { caseId: CASE, jurors: seats(['j1']), ...ballots(1, { j1: 'uphold' }) };
    expect(caught(() => ruleAppeal({ ...base, instance: 1, bonds: [appellant] })).code).toBe('invalid_bond');
    expect(caught(() => ruleAppeal({ ...base, instance: 4, bonds: [appellant] })).code).toBe('invalid_instance');
  });
});
