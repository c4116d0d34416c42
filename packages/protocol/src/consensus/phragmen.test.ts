import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught, prng, shuffled } from './consensus.test-helper.js';
import { type PhragmenResult, type PhragmenVoter, seqPhragmen } from './index.js';

const voter = (id: number | string, stake: number | bigint, votes: (number | string)[]): PhragmenVoter => ({
  id: String(id),
  stakeFen: BigInt(stake),
  votes: votes.map(String),
});
const ids = (list: (number | string)[]) => list.map(String);
const winners = (result: PhragmenResult) => result.elected.map((w) => [w.candidate, w.backedStakeFen]);
const targets = (result: PhragmenResult) =>
  result.assignments.map((a) => [a.voter, a.distribution.map((d) => [d.candidate, d.stakeFen])]);

// Expectations from the unit tests of Polkadot's sp-npos-elections (substrate/primitives/
// npos-elections/src/tests.rs), run without balancing.
describe('seqPhragmen on the sp-npos-elections examples', () => {
  it('phragmen_poc_works: elects 3 then 2 and splits voter 30 evenly', () => {
    const result = seqPhragmen({
      candidates: ids([1, 2, 3]),
      voters: [voter(10, 10, [1, 2]), voter(20, 20, [1, 3]), voter(30, 30, [2, 3])],
      toElect: 2,
    });
    expect(result.elected).toEqual([
      { candidate: '3', round: 0, backedStakeFen: '35' },
      { candidate: '2', round: 1, backedStakeFen: '25' },
    ]);
    expect(targets(result)).toEqual([
      ['10', [['2', '10']]],
      ['20', [['3', '20']]],
      [
        '30',
        [
          ['2', '15'],
          ['3', '15'],
        ],
      ],
    ]);
  });

  it('phragmen_self_votes_should_be_kept', () => {
    const result = seqPhragmen({
      candidates: ids([5, 10, 20, 30]),
      voters: [voter(5, 5, [5]), voter(10, 10, [10]), voter(20, 20, [20]), voter(1, 8, [10, 20])],
      toElect: 2,
    });
    expect(winners(result)).toEqual([
      ['20', '24'],
      ['10', '14'],
    ]);
    expect(targets(result)).toEqual([
      [
        '1',
        [
          ['10', '4'],
          ['20', '4'],
        ],
      ],
      ['10', [['10', '10']]],
      ['20', [['20', '20']]],
    ]);
  });

  it('duplicate_target_is_ignored (and _when_winner)', () => {
    const first = seqPhragmen({
      candidates: ids([1, 2, 3]),
      voters: [voter(10, 100, [1, 1, 2, 3]), voter(20, 100, [2, 3]), voter(30, 50, [1, 1, 2])],
      toElect: 2,
    });
    expect(first.elected.map((w) => w.candidate)).toEqual(['2', '3']);
    expect(first.assignments.map((a) => [a.voter, a.distribution.map((d) => d.candidate)])).toEqual([
      ['10', ['2', '3']],
      ['20', ['2', '3']],
      ['30', ['2']],
    ]);
    const second = seqPhragmen({
      candidates: ids([1, 2, 3]),
      voters: [voter(10, 100, [1, 1, 2, 3]), voter(20, 100, [1, 2])],
      toElect: 2,
    });
    expect(winners(second)).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  it('phragmen_accuracy_on_small_scale_self_vote', () => {
    const result = seqPhragmen({
      candidates: ids([40, 10, 20, 30]),
      voters: [voter(40, 0, [40]), voter(10, 1, [10]), voter(20, 2, [20]), voter(30, 1, [30])],
      toElect: 3,
    });
    expect(winners(result)).toEqual([
      ['20', '2'],
      ['10', '1'],
      ['30', '1'],
    ]);
  });

  it('phragmen_large_scale_test: the two largest stakes win', () => {
    const stakes: [number, bigint][] = [
      [2, 1n],
      [4, 100n],
      [6, 1_000_000n],
      [8, 100000000001000n],
      [10, 100000000002000n],
      [12, 100000000003000n],
      [14, 400000000000000n],
      [16, 400000000001000n],
      [18, 18000000000000000n],
      [20, 20000000000000000n],
      [22, 500000000000100000n],
      [24, 500000000000200000n],
    ];
    const candidates = stakes.map(([id]) => id);
    const result = seqPhragmen({
      candidates: ids(candidates),
      voters: [voter(50, 990000000000000000n, candidates), ...stakes.map(([id, stake]) => voter(id, stake, [id]))],
      toElect: 2,
    });
    expect(result.elected.map((w) => w.candidate).sort()).toEqual(['22', '24']);
  });

  it('phragmen_large_scale_test_2: a huge nominator is split evenly, to a billionth', () => {
    const result = seqPhragmen({
      candidates: ids([2, 4]),
      voters: [voter(50, 10n ** 18n, [2, 4]), voter(2, 4_000_000n, [2]), voter(4, 4_000_000n, [4])],
      toElect: 2,
    });
    expect(result.elected.map((w) => w.candidate)).toEqual(['2', '4']);
    const nominator = result.assignments.find((a) => a.voter === '50')!;
    for (const { stakeFen } of nominator.distribution) {
      const diff = BigInt(stakeFen) - 5n * 10n ** 17n;
      expect(diff < 0n ? -diff : diff).toBeLessThanOrEqual(10n ** 9n);
    }
  });

  it('winners_are_sorted_by_round', () => {
    const result = seqPhragmen({
      candidates: ids([1, 2, 3, 4, 5]),
      voters: [voter(10, 10, [1, 2]), voter(20, 20, [2, 3]), voter(30, 30, [3, 4]), voter(40, 40, [4, 5])],
      toElect: 3,
    });
    expect(result.elected.map((w) => w.round)).toEqual([0, 1, 2]);
  });

  it('unlike elect_has_no_entry_barrier, never elects a candidate nobody backs', () => {
    const result = seqPhragmen({
      candidates: ids([10, 20, 30]),
      voters: [voter(1, 10, [10]), voter(2, 10, [20])],
      toElect: 3,
    });
    expect(winners(result)).toEqual([
      ['10', '10'],
      ['20', '10'],
    ]);
  });
});

describe('seqPhragmen on Example 8 of Lackner & Skowron, "Approval-Based Multi-Winner Voting"', () => {
  it('elects a, b, c, d for k = 4 (b before c on their tie, by id)', () => {
    const ballots = [
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'c'],
      ['a', 'c'],
      ['a', 'd'],
      ['a', 'd'],
    ];
    ballots.push(['b', 'c', 'f'], ['e'], ['f'], ['g']);
    const result = seqPhragmen({
      candidates: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      voters: ballots.map((votes, i) => voter(`v${i}`, 1, votes)),
      toElect: 4,
    });
    expect(result.elected.map((w) => w.candidate)).toEqual(['a', 'b', 'c', 'd']);
  });
});

const electionArb = fc
  .record({
    nCandidates: fc.integer({ min: 1, max: 25 }),
    toElect: fc.integer({ min: 0, max: 30 }),
    voters: fc.array(
      fc.record({
        stake: fc.bigInt({ min: 0n, max: 10n ** 18n }),
        votes: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 16 }),
      }),
      { maxLength: 60 },
    ),
  })
  .map(({ nCandidates, toElect, voters }) => ({
    candidates: Array.from({ length: nCandidates }, (_, c) => `c${c}`),
    toElect,
    voters: voters.map((v, i) =>
      voter(
        `v${i}`,
        v.stake,
        v.votes.map((c) => `c${c}`),
      ),
    ),
  }));

describe('seqPhragmen properties', () => {
  it('elects exactly min(k, candidates with support), distinct, each voter’s stake split exactly', () => {
    fc.assert(
      fc.property(electionArb, (input) => {
        const result = seqPhragmen(input);
        const candidates = new Set(input.candidates);
        const supported = new Set(
          input.voters.filter((v) => v.stakeFen > 0n).flatMap((v) => v.votes.filter((c) => candidates.has(c))),
        );
        expect(result.elected).toHaveLength(Math.min(input.toElect, supported.size));
        const elected = new Set(result.elected.map((w) => w.candidate));
        expect(elected.size).toBe(result.elected.length);
        const backed = new Map<string, bigint>();
        for (const assignment of result.assignments) {
          const source = input.voters.find((v) => v.id === assignment.voter)!;
          const total = assignment.distribution.reduce((sum, d) => sum + BigInt(d.stakeFen), 0n);
          expect(total).toBe(source.stakeFen);
          for (const d of assignment.distribution) {
            expect(elected.has(d.candidate)).toBe(true);
            expect(source.votes).toContain(d.candidate);
            expect(BigInt(d.stakeFen) > 0n).toBe(true);
            backed.set(d.candidate, (backed.get(d.candidate) ?? 0n) + BigInt(d.stakeFen));
          }
        }
        for (const w of result.elected) expect(BigInt(w.backedStakeFen)).toBe(backed.get(w.candidate) ?? 0n);
        // Every voter with stake who named an elected candidate has an assignment.
        const assigned = new Set(result.assignments.map((a) => a.voter));
        for (const v of input.voters) {
          if (v.stakeFen > 0n && v.votes.some((c) => elected.has(c))) expect(assigned.has(v.id)).toBe(true);
        }
      }),
    );
  });

  it('is deterministic and independent of the input order', () => {
    fc.assert(
      fc.property(electionArb, fc.integer(), (input, seed) => {
        const random = prng(seed);
        const again = seqPhragmen({
          ...input,
          candidates: shuffled(input.candidates, random),
          voters: shuffled(input.voters, random),
        });
        expect(again).toEqual(seqPhragmen(input));
      }),
    );
  });

  it('proportional justified representation: a group with j/k of the stake agreeing on j candidates gets j', () => {
    const pjrArb = fc
      .record({
        toElect: fc.integer({ min: 2, max: 10 }),
        jFraction: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        groupStakes: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 }),
        others: fc.array(
          fc.record({
            stake: fc.integer({ min: 1, max: 1_000_000 }),
            votes: fc.uniqueArray(fc.integer({ min: 0, max: 19 }), { minLength: 1, maxLength: 16 }),
          }),
          { maxLength: 40 },
        ),
      })
      .map(({ toElect, jFraction, groupStakes, others }) => {
        const j = 1 + Math.floor(jFraction * (toElect - 1));
        const othersStake = others.reduce((sum, o) => sum + BigInt(o.stake), 0n);
        // The group needs S_G / (S_G + S_O) ≥ j/k, i.e. S_G·(k − j) ≥ j·S_O; add 1% against rounding.
        const needed = (BigInt(j) * othersStake * 101n) / (100n * BigInt(toElect - j)) + 1n;
        const raw = groupStakes.reduce((sum, s) => sum + BigInt(s), 0n);
        const scale = needed / raw + 1n;
        return { toElect, j, groupStakes: groupStakes.map((s) => BigInt(s) * scale), others };
      });
    fc.assert(
      fc.property(pjrArb, ({ toElect, j, groupStakes, others }) => {
        const groupCandidates = Array.from({ length: j }, (_, c) => `g${c}`);
        const result = seqPhragmen({
          candidates: [...groupCandidates, ...Array.from({ length: 20 }, (_, c) => `o${c}`)],
          voters: [
            ...groupStakes.map((stake, i) => voter(`group${i}`, stake, groupCandidates)),
            ...others.map((o, i) =>
              voter(
                `other${i}`,
                o.stake,
                o.votes.map((c) => `o${c}`),
              ),
            ),
          ],
          toElect,
        });
        const electedFromGroup = result.elected.filter((w) => w.candidate.startsWith('g')).length;
        expect(electedFromGroup).toBeGreaterThanOrEqual(j);
      }),
    );
  });
});

describe('seqPhragmen input checks', () => {
  it('refuses what it cannot elect from', () => {
    expect(caught(() => seqPhragmen({ candidates: ['a', 'a'], voters: [], toElect: 1 })).code).toBe('duplicate_id');
    expect(
      caught(() => seqPhragmen({ candidates: ['a'], voters: [voter('v', 1, ['a']), voter('v', 2, ['a'])], toElect: 1 }))
        .field,
    ).toBe('voters[1]');
    expect(
      caught(() =>
        seqPhragmen({
          candidates: ['a'],
          voters: [
            voter(
              'v',
              1,
              Array.from({ length: 17 }, (_, i) => `c${i}`),
            ),
          ],
          toElect: 1,
        }),
      ).code,
    ).toBe('too_many');
    expect(caught(() => seqPhragmen({ candidates: ['a'], voters: [voter('v', -1n, ['a'])], toElect: 1 })).code).toBe(
      'invalid_amount',
    );
    expect(caught(() => seqPhragmen({ candidates: ['a'], voters: [], toElect: -1 })).code).toBe('invalid_count');
    expect(caught(() => seqPhragmen({ candidates: [''], voters: [], toElect: 1 })).code).toBe('invalid_id');
  });

  it('ignores zero stakes and votes for non-candidates', () => {
    const result = seqPhragmen({
      candidates: ['a', 'b'],
      voters: [voter('v1', 0, ['a']), voter('v2', 5, ['x', 'b'])],
      toElect: 2,
    });
    expect(winners(result)).toEqual([['b', '5']]);
    expect(result.assignments.map((a) => a.voter)).toEqual(['v2']);
  });
});
