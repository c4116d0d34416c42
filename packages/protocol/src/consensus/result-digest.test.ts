import { describe, expect, it } from 'vitest';
import { CanonicalError } from '../canonical/canonical-error.js';
import { TEA_TRUTH, teaModel } from './consensus.test-helper.js';
import {
  type ConsensusResult,
  drawSortition,
  resultDigest,
  rewardRound,
  roundWeights,
  ruleAppeal,
  seqPhragmen,
  tallyRound,
} from './index.js';

const results: [string, ConsensusResult][] = [
  [
    'election',
    seqPhragmen({
      candidates: ['a', 'b', 'c'],
      voters: [
        { id: 'v1', stakeFen: 10n ** 19n, votes: ['a', 'b'] },
        { id: 'v2', stakeFen: 7n, votes: ['c'] },
      ],
      toElect: 2,
    }),
  ],
  ['draw', drawSortition({ checkpointRoot: '11'.repeat(32), roundId: 'r', panel: [{ id: 'a', weight: 1 }], count: 1 })],
  [
    'tally',
    tallyRound({
      attributes: teaModel().attributes,
      claims: TEA_TRUTH,
      reports: [{ tester: 'a', weight: 1.5, values: { ...TEA_TRUTH } }],
      drawnCount: 1,
    }),
  ],
  [
    'rewards',
    rewardRound({
      poolFen: 10n ** 18n,
      testers: [{ tester: 'a', accuracy: 0.75, weight: 2, commissionBps: 300, selfStakeFen: 5n, nominators: [] }],
    }),
  ],
  [
    'ruling',
    ruleAppeal({
      caseId: 'c',
      instance: 0,
      jurors: [{ juror: 'j', backers: [{ nominator: 'n', stakePoints: 1n }] }],
      commits: [],
      reveals: [],
      commitDeadlineMs: 1,
      revealDeadlineMs: 2,
      bonds: [{ party: 'p', side: 'overturn', amountFen: 10_000n }],
    }),
  ],
];

describe('resultDigest', () => {
  it.each(results)('digests the %s result, which is plain JSON', (_, result) => {
    const digest = resultDigest(result);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const roundTripped = JSON.parse(JSON.stringify(result));
    expect(roundTripped).toEqual(result);
    expect(resultDigest(roundTripped)).toBe(digest);
  });

  it('ignores member order and sees every change', () => {
    const weights = roundWeights([{ tester: 'a', ep: 3, stakeFen: 1n }]);
    const reordered = Object.fromEntries(Object.entries(weights).reverse()) as typeof weights;
    expect(resultDigest(reordered as unknown as ConsensusResult)).toBe(
      resultDigest(weights as unknown as ConsensusResult),
    );
    const [, tally] = results[2]!;
    expect(resultDigest({ ...(tally as object), verdict: 'fail' } as ConsensusResult)).not.toBe(resultDigest(tally));
  });

  it('refuses what canonical JSON cannot hold', () => {
    expect(() => resultDigest({ poolFen: 1n } as unknown as ConsensusResult)).toThrow(CanonicalError);
  });
});
