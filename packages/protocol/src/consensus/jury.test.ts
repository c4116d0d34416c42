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
const seats = (jurors: string[], stakeFen = 1_000n) => jurors.map((juror) => ({ juror, stakeFen }));
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
  it('overturns on a majority; coherent jurors share the losing bonds and the incoherent stakes', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 0,
      jurors: seats(['j1', 'j2', 'j3']),
      ...ballots(0, { j1: 'overturn', j2: 'overturn', j3: 'uphold' }),
      bonds: [appellant, { party: 'tester7', side: 'uphold', amountFen: 5_000n }],
    });
    expect(result).toMatchObject({ ruling: 'overturn', votes: { uphold: 1, overturn: 2 }, final: false });
    expect(result.bonds.map((b) => [b.party, b.returnedFen, b.forfeitedFen])).toEqual([
      ['producer', '10000', '0'],
      ['tester7', '0', '5000'],
    ]);
    expect(result.jurors.map((j) => [j.juror, j.coherent, j.slashFen, j.rewardFen])).toEqual([
      ['j1', true, '0', '3000'],
      ['j2', true, '0', '3000'],
      ['j3', false, '1000', '0'],
    ]);
    expect(result).toMatchObject({ potFen: '6000', paidFen: '6000', unpaidFen: '0' });
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
    expect(result.jurors.map((j) => [j.juror, j.status, j.coherent, j.rewardFen])).toEqual([
      ['j1', 'valid', false, '0'],
      ['j2', 'valid', true, '12000'], // the appellant's 10000 plus two forfeited stakes
      ['j3', 'missing', false, '0'],
    ]);
  });

  it('keeps the pot when no juror reveals', () => {
    const result = ruleAppeal({
      caseId: CASE,
      instance: 3,
      jurors: seats(['j1', 'j2', 'j3']),
      ...ballots(3, { j1: null, j2: null, j3: null }),
      bonds: [{ ...appellant, amountFen: 80_000n }],
    });
    expect(result).toMatchObject({ ruling: 'uphold', paidFen: '0', unpaidFen: '83000', final: true, next: null });
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
