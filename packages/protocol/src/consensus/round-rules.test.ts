import { describe, expect, it } from 'vitest';
import { reportCommit, type TestReport } from './commit.js';
import { prng, randomHex, TEA_TRUTH, teaModel } from './consensus.test-helper.js';
import { resultDigest } from './result-digest.js';
import { backingOf, type DrawnTester, electionInputOf, jurorSeatsOf, juryStakes, tallyStage } from './round-rules.js';

const DAY = 86_400_000;

describe('a category election from the stored candidates and nominations', () => {
  it('counts only staked nominations, restricted to the candidates, and fills at most one seat each', () => {
    const input = electionInputOf(
      ['c', 'a', 'b'],
      [
        { nominator: 'z', targets: ['a', 'x'], stakeFen: 50n },
        { nominator: 'y', targets: ['x'], stakeFen: 70n }, // names no candidate: takes no part
        { nominator: 'w', targets: ['b'], stakeFen: 0n }, // unlocked to nothing
        { nominator: 'v', targets: ['c', 'b'], stakeFen: 30n },
      ],
      21,
    );
    expect(input).toEqual({
      candidates: ['a', 'b', 'c'],
      voters: [
        { id: 'v', stakeFen: 30n, votes: ['c', 'b'] },
        { id: 'z', stakeFen: 50n, votes: ['a'] },
      ],
      toElect: 3,
    });
    expect(electionInputOf(['a', 'b', 'c'], [], 2).toElect).toBe(2);
  });
});

describe('who backs a round’s testers', () => {
  it('reads the election’s assignments (a tester voting for itself is self-stake), else splits nominations evenly', () => {
    const election = {
      toElect: 2,
      elected: [],
      assignments: [
        { voter: 'a', distribution: [{ candidate: 'a', stakeFen: '40' }] },
        {
          voter: 'n',
          distribution: [
            { candidate: 'a', stakeFen: '25' },
            { candidate: 'b', stakeFen: '75' },
          ],
        },
      ],
    };
    const fromElection = backingOf(['a', 'b'], election, []);
    expect(fromElection.get('a')).toEqual({ selfStakeFen: 40n, nominators: new Map([['n', 25n]]) });
    expect(fromElection.get('b')).toEqual({ selfStakeFen: 0n, nominators: new Map([['n', 75n]]) });
    const fromNominations = backingOf(['a', 'b'], undefined, [
      { nominator: 'n', targets: ['a', 'b', 'c'], stakeFen: 100n },
    ]);
    expect(fromNominations.get('a')?.nominators.get('n')).toBe(33n);
    expect(fromNominations.get('b')?.nominators.get('n')).toBe(33n);
  });

  it('gives each juror the stake of the nominations naming it, its own included, as ruleAppeal takes it', () => {
    const stakes = juryStakes(
      'appeal-r1',
      0,
      ['j2', 'j1', 'j3'],
      [
        { nominator: 'z', targets: ['j1', 'j2'], stakeFen: 1_001n },
        { nominator: 'j1', targets: ['j1'], stakeFen: 40n },
        { nominator: 'a', targets: ['j2', 'x'], stakeFen: 10n },
        { nominator: 'idle', targets: ['j3'], stakeFen: 0n },
      ],
    );
    expect(stakes).toEqual({
      caseId: 'appeal-r1',
      instance: 0,
      jurors: [
        {
          juror: 'j2',
          stakePoints: '505',
          backers: [
            { nominator: 'a', stakePoints: '5' },
            { nominator: 'z', stakePoints: '500' },
          ],
        },
        {
          juror: 'j1',
          stakePoints: '540',
          backers: [
            { nominator: 'j1', stakePoints: '40' },
            { nominator: 'z', stakePoints: '500' },
          ],
        },
        { juror: 'j3', stakePoints: '0', backers: [] },
      ],
    });
    expect(resultDigest(stakes)).toMatch(/^[0-9a-f]{64}$/);
    expect(jurorSeatsOf(stakes.jurors)[1]).toEqual({
      juror: 'j1',
      backers: [
        { nominator: 'j1', stakePoints: 40n },
        { nominator: 'z', stakePoints: 500n },
      ],
    });
  });
});

describe('the tally of a round’s stage', () => {
  const model = teaModel();
  const random = prng(7);
  const opened = Date.UTC(2026, 10, 1);
  const report = (tester: string): TestReport => ({
    round: 'r1',
    tester,
    values: { ...TEA_TRUTH },
    evidence: [],
    text: '',
  });
  const revealed = (tester: string, stage: number, commitAt: number, revealAt: number): DrawnTester => {
    const salt = randomHex(random, 16);
    return {
      tester,
      stage,
      weight: 1,
      commit: reportCommit(report(tester), salt),
      committedAtMs: commitAt,
      report: report(tester),
      salt,
      revealedAtMs: revealAt,
      revealStatus: null,
    };
  };

  it('keeps the valid reveals of an earlier stage valid after an extension moved the deadlines', () => {
    // Stage 0 revealed on day 15 (commit deadline day 14, reveal deadline day 17); the round
    // extended on day 18 to deadlines of day 32 and 35, so day 15 is now before the commit deadline.
    const earlier = ['t1', 't2', 't3'].map((t) => ({
      ...revealed(t, 0, opened + DAY, opened + 15 * DAY),
      revealStatus: 'valid' as const,
    }));
    const later = ['t4', 't5'].map((t) => revealed(t, 1, opened + 20 * DAY, opened + 33 * DAY));
    const input = {
      roundId: 'r1',
      stage: 1,
      commitDeadlineMs: opened + 32 * DAY,
      revealDeadlineMs: opened + 35 * DAY,
      testers: [...later, ...earlier],
      attributes: model.attributes,
      claims: { ...TEA_TRUTH },
      drawableCount: 0,
    };
    const stage = tallyStage(input);
    expect(stage.testers.map((t) => [t.tester, t.status])).toEqual([
      ['t1', 'valid'],
      ['t2', 'valid'],
      ['t3', 'valid'],
      ['t4', 'valid'],
      ['t5', 'valid'],
    ]);
    expect(stage.tally).toMatchObject({ decision: 'decided', verdict: 'pass', revealed: 5 });
    // Unsettled, the same early reveals would not count.
    const unsettled = tallyStage({
      ...input,
      testers: [...later, ...earlier.map((t) => ({ ...t, revealStatus: null }))],
    });
    expect(unsettled.testers.filter((t) => t.status === 'early').map((t) => t.tester)).toEqual(['t1', 't2', 't3']);
    // The order the testers come in does not change the result.
    expect(tallyStage({ ...input, testers: [...input.testers].reverse() }).digest).toBe(stage.digest);
  });
});
