import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimValue } from '../commerce/claims.js';
import { caught, honestValues, prng, shuffled, TEA_TRUTH, teaModel } from './consensus.test-helper.js';
import { DEFAULT_TALLY_POLICY, type TallyReport, tallyRound } from './index.js';
import { weightedMedian } from './tally.js';

const model = teaModel();
const { attributes } = model;
const exact = (tester: string, weight = 1, values: Record<string, ClaimValue> = { ...TEA_TRUTH }): TallyReport => ({
  tester,
  weight,
  values,
});
const fiveExact = () => Array.from({ length: 5 }, (_, i) => exact(`t${i}`));
const attribute = (result: ReturnType<typeof tallyRound>, key: string) => result.attributes.find((a) => a.key === key)!;

describe('weightedMedian', () => {
  it('is the smallest value holding half the weight, as a sort would find it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 1_000 })), {
          minLength: 1,
          maxLength: 80,
        }),
        (pairs) => {
          const total = pairs.reduce((sum, [, w]) => sum + w, 0);
          const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
          let running = 0;
          let expected = Number.NaN;
          for (const [v, w] of sorted) {
            running += w;
            if (2 * running >= total) {
              expected = v;
              break;
            }
          }
          const values = Float64Array.from(pairs.map(([v]) => v));
          const weights = Float64Array.from(pairs.map(([, w]) => w));
          expect(weightedMedian(values, weights, pairs.length, total)).toBe(expected);
        },
      ),
    );
  });
});

describe('tallyRound consensus', () => {
  it('finds the truth from five honest, noisy testers, and passes a truthful claim', () => {
    const random = prng(1);
    const reports = Array.from({ length: 5 }, (_, i) => exact(`t${i}`, 1 + i, honestValues(TEA_TRUTH, random)));
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports, drawnCount: 5 });
    expect(result.decision).toBe('decided');
    expect(result.verdict).toBe('pass');
    expect(Math.abs((attribute(result, 'moisture').consensus as number) - 6.2)).toBeLessThan(0.5);
    expect(attribute(result, 'pesticide_free').consensus).toBe(true);
    expect(attribute(result, 'grade').consensus).toBe('一级');
    for (const a of result.accuracies) expect(a.accuracy).toBeGreaterThan(0.6);
  });

  it('fails the product on a mandatory attribute, not on an optional one', () => {
    const reports = fiveExact();
    const wet = tallyRound({ attributes, claims: { ...TEA_TRUTH, moisture: 5.0 }, reports, drawnCount: 5 });
    expect(wet.verdict).toBe('fail');
    expect(wet.failedMandatory).toEqual(['moisture']);
    const optional = tallyRound({ attributes, claims: { ...TEA_TRUTH, tea_polyphenols: 25 }, reports, drawnCount: 5 });
    expect(optional.verdict).toBe('pass');
    expect(attribute(optional, 'tea_polyphenols').conforms).toBe(false);
    const grade = tallyRound({ attributes, claims: { ...TEA_TRUTH, grade: '特级' }, reports, drawnCount: 5 });
    expect(attribute(grade, 'grade').conforms).toBe(true); // one grade worse than claimed is within tolerance 1
  });

  it('takes the weighted majority for booleans, false on an exact tie', () => {
    const reports = [
      exact('a', 3, { ...TEA_TRUTH, pesticide_free: false }),
      exact('b', 2),
      exact('c', 2),
      exact('d', 1),
      exact('e', 1),
    ];
    // Weight of false = 3 of 9: true wins; 3 of 9 = 33% dissent, under the 35% limit.
    const majority = tallyRound({ attributes, claims: TEA_TRUTH, reports, drawnCount: 5 });
    expect(attribute(majority, 'pesticide_free')).toMatchObject({ consensus: true, highDispersion: false });
    expect(attribute(majority, 'pesticide_free').dispersion).toBeCloseTo(3 / 9, 9);
    const tie = tallyRound({
      attributes,
      claims: TEA_TRUTH,
      reports: [...reports, exact('f', 3, { ...TEA_TRUTH, pesticide_free: false })],
      drawnCount: 6,
    });
    expect(attribute(tie, 'pesticide_free')).toMatchObject({ consensus: false, highDispersion: true });
  });

  it('takes the weighted median grade in the model’s order', () => {
    const grades = ['特级', '三级', '二级', '二级', '一级'];
    const reports = grades.map((grade, i) => exact(`t${i}`, 1, { ...TEA_TRUTH, grade }));
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports, drawnCount: 5 });
    expect(attribute(result, 'grade').consensus).toBe('二级');
    // Only 特级 is more than the tolerance (one grade) from 二级: a fifth of the weight dissents.
    expect(attribute(result, 'grade').dispersion).toBe(0.2);
  });

  it('counts a value that is not a measurement as missing', () => {
    const reports = [
      ...fiveExact(),
      exact('odd', 1, { moisture: 150, pesticide_free: 'yes' as unknown as boolean, grade: 'A', tea_polyphenols: 18 }),
    ];
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports, drawnCount: 6 });
    expect(attribute(result, 'moisture').reported).toBe(5);
    expect(attribute(result, 'pesticide_free').reported).toBe(5);
    expect(attribute(result, 'grade').reported).toBe(5);
    expect(result.accuracies.find((a) => a.tester === 'odd')!.accuracy).toBeCloseTo(50 / 1000, 12);
  });

  it('scores accuracy by distance in tolerances, weighted by the attributes’ weights', () => {
    const off = exact('off', 1, { ...TEA_TRUTH, moisture: 6.7, grade: '二级' });
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports: [...fiveExact(), off], drawnCount: 6 });
    // moisture 0.5 off with a span of 2 × 0.5 → 0.5; grade one step off with a span of 2 → 0.5.
    expect(result.accuracies.find((a) => a.tester === 'off')!.accuracy).toBeCloseTo(
      (300 * 0.5 + 500 + 150 * 0.5 + 50) / 1000,
      12,
    );
    expect(result.accuracies.find((a) => a.tester === 't0')!.accuracy).toBe(1);
  });

  it('ignores weightless reports for the consensus and the quorum', () => {
    const sybils = Array.from({ length: 100 }, (_, i) =>
      exact(`sybil${i}`, 0, { ...TEA_TRUTH, moisture: 12, pesticide_free: false }),
    );
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports: [...fiveExact(), ...sybils], drawnCount: 105 });
    expect(result.revealed).toBe(5);
    expect(attribute(result, 'moisture').consensus).toBe(6.2);
    expect(attribute(result, 'pesticide_free').consensus).toBe(true);
    expect(result.verdict).toBe('pass');
  });

  it('does not depend on the order of the reports', () => {
    const random = prng(9);
    const reports = Array.from({ length: 200 }, (_, i) =>
      exact(`t${i}`, random() * 10, honestValues(TEA_TRUTH, random)),
    );
    const once = tallyRound({ attributes, claims: TEA_TRUTH, reports, drawnCount: 200 });
    expect(tallyRound({ attributes, claims: TEA_TRUTH, reports: shuffled(reports, random), drawnCount: 200 })).toEqual(
      once,
    );
  });
});

describe('tallyRound adaptive decision', () => {
  it('extends below the quorum, by at least a step', () => {
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports: fiveExact().slice(0, 3), drawnCount: 5 });
    expect(result).toMatchObject({ decision: 'extend', verdict: 'pending', revealed: 3, drawMore: 5 });
  });

  it('extends when the reports disagree beyond the tolerance, and decides at the cap', () => {
    const spread = [4, 5, 6.2, 7.5, 9].map((moisture, i) => exact(`t${i}`, 1, { ...TEA_TRUTH, moisture }));
    const early = tallyRound({ attributes, claims: TEA_TRUTH, reports: spread, drawnCount: 5 });
    expect(attribute(early, 'moisture')).toMatchObject({ consensus: 6.2, highDispersion: true });
    expect(attribute(early, 'moisture').dispersion).toBeCloseTo(1.3, 12); // the MAD: |7.5 − 6.2|
    expect(early.decision).toBe('extend');
    const atCap = tallyRound({
      attributes,
      claims: TEA_TRUTH,
      reports: spread,
      drawnCount: DEFAULT_TALLY_POLICY.testerCap,
    });
    expect(atCap).toMatchObject({ decision: 'decided', verdict: 'pass', drawMore: 0 });
  });

  it('cannot extend past its panel: with nobody left to draw it decides as at the cap', () => {
    const spread = [4, 5, 6.2, 7.5, 9].map((moisture, i) => exact(`t${i}`, 1, { ...TEA_TRUTH, moisture }));
    const some = tallyRound({ attributes, claims: TEA_TRUTH, reports: spread, drawnCount: 5, drawableCount: 2 });
    expect(some).toMatchObject({ decision: 'extend', drawMore: 2 });
    const none = tallyRound({ attributes, claims: TEA_TRUTH, reports: spread, drawnCount: 5, drawableCount: 0 });
    expect(none).toMatchObject({ decision: 'decided', verdict: 'pass' });
    const short = tallyRound({
      attributes,
      claims: TEA_TRUTH,
      reports: spread.slice(0, 3),
      drawnCount: 5,
      drawableCount: 0,
    });
    expect(short.decision).toBe('inconclusive');
  });

  it('is inconclusive at the cap without a quorum', () => {
    const result = tallyRound({ attributes, claims: TEA_TRUTH, reports: fiveExact().slice(0, 2), drawnCount: 25 });
    expect(result).toMatchObject({ decision: 'inconclusive', verdict: 'inconclusive', failedMandatory: [] });
  });

  it('ignores dispersion on attributes the producer did not claim', () => {
    const spread = [10, 15, 18, 30, 40].map((p, i) => exact(`t${i}`, 1, { ...TEA_TRUTH, tea_polyphenols: p }));
    const claims = { moisture: 6.2, pesticide_free: true, grade: '一级' };
    const result = tallyRound({ attributes, claims, reports: spread, drawnCount: 5 });
    expect(attribute(result, 'tea_polyphenols').highDispersion).toBe(true);
    expect(result.decision).toBe('decided');
  });

  it('refuses a round with more reports than testers drawn, and a tester twice', () => {
    expect(caught(() => tallyRound({ attributes, claims: TEA_TRUTH, reports: fiveExact(), drawnCount: 4 })).code).toBe(
      'invalid_count',
    );
    expect(
      caught(() => tallyRound({ attributes, claims: TEA_TRUTH, reports: [exact('a'), exact('a')], drawnCount: 2 }))
        .code,
    ).toBe('duplicate_id');
    const noValues = { tester: 'a', weight: 1, values: null } as unknown as TallyReport;
    expect(caught(() => tallyRound({ attributes, claims: TEA_TRUTH, reports: [noValues], drawnCount: 1 })).code).toBe(
      'invalid_report',
    );
  });
});
