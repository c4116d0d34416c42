import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught, prng, shuffled } from './consensus.test-helper.js';
import { MS_PER_DAY } from './experience.js';
import {
  DEFAULT_WEIGHT_POLICY,
  decayFactor,
  experiencePower,
  roundWeights,
  stakeFactor,
  testerWeight,
  type WeightPolicy,
} from './index.js';

const H = 90 * MS_PER_DAY;
const NOW = Date.UTC(2026, 10, 30);

describe('decayFactor', () => {
  it('halves every half-life and is a straight line in between', () => {
    expect(decayFactor(0, H)).toBe(1);
    expect(decayFactor(H, H)).toBe(0.5);
    expect(decayFactor(2 * H, H)).toBe(0.25);
    expect(decayFactor(3 * H, H)).toBe(0.125);
    expect(decayFactor(H / 2, H)).toBe(0.75);
    expect(decayFactor(H + H / 2, H)).toBe(0.375);
    expect(decayFactor(64 * H, H)).toBe(0);
    // The line stays within 0.05 of the true exponential 2^(−age/H).
    for (let age = 0; age <= 4 * H; age += H / 16) {
      expect(Math.abs(decayFactor(age, H) - 2 ** (-age / H))).toBeLessThan(0.05);
    }
  });

  it('never grows with age and stays within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 46 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 3650 * MS_PER_DAY }),
        (age, more, halfLife) => {
          const now = decayFactor(age, halfLife);
          const later = decayFactor(age + more, halfLife);
          expect(later).toBeLessThanOrEqual(now);
          expect(later).toBeGreaterThanOrEqual(0);
          expect(now).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('experiencePower', () => {
  it('is the decayed sum of accuracies, net of penalties, and never negative', () => {
    const tests = [
      { accuracy: 1, completedAtMs: NOW },
      { accuracy: 0.8, completedAtMs: NOW - H },
      { accuracy: 0.6, completedAtMs: NOW - 2 * H },
    ];
    expect(experiencePower(tests, { nowMs: NOW })).toBeCloseTo(1 + 0.4 + 0.15, 12);
    expect(experiencePower([...tests, { accuracy: 0, penalty: 1, completedAtMs: NOW }], { nowMs: NOW })).toBeCloseTo(
      0.55,
      12,
    );
    expect(experiencePower([{ accuracy: 0.1, penalty: 5, completedAtMs: NOW }], { nowMs: NOW })).toBe(0);
    expect(experiencePower(tests, { nowMs: NOW, halfLifeDays: 180 })).toBeCloseTo(1 + 0.8 * 0.75 + 0.6 * 0.5, 12);
  });

  it('gives a fresh account nothing', () => {
    expect(experiencePower([], { nowMs: NOW })).toBe(0);
  });

  it('does not depend on the order of the tests, to the last bit', () => {
    const random = prng(7);
    const tests = Array.from({ length: 200 }, () => ({
      accuracy: random(),
      penalty: random() < 0.1 ? random() : 0,
      completedAtMs: NOW - Math.floor(random() * 400 * MS_PER_DAY),
    }));
    const power = experiencePower(tests, { nowMs: NOW });
    for (let i = 0; i < 5; i++) expect(experiencePower(shuffled(tests, random), { nowMs: NOW })).toBe(power);
  });

  it('refuses tests from the future, accuracies outside [0, 1] and bad half-lives', () => {
    expect(caught(() => experiencePower([{ accuracy: 1, completedAtMs: NOW + 1 }], { nowMs: NOW })).code).toBe(
      'invalid_time',
    );
    expect(caught(() => experiencePower([{ accuracy: 1.01, completedAtMs: NOW }], { nowMs: NOW })).code).toBe(
      'invalid_accuracy',
    );
    expect(caught(() => experiencePower([{ accuracy: Number.NaN, completedAtMs: NOW }], { nowMs: NOW })).code).toBe(
      'invalid_accuracy',
    );
    expect(caught(() => experiencePower([], { nowMs: NOW, halfLifeDays: 0 })).field).toBe('halfLifeDays');
  });
});

describe('stake and weight', () => {
  it('damps stake by its square root, up to the cap', () => {
    expect(stakeFactor(0n)).toBe(1);
    expect(stakeFactor(10_000n)).toBe(2);
    expect(stakeFactor(40_000n)).toBe(3);
    expect(stakeFactor(10n ** 18n)).toBe(DEFAULT_WEIGHT_POLICY.stakeFactorMax);
    expect(testerWeight(10, 10_000n)).toBe(20);
  });

  it('gives no weight to an account without experience, whatever its stake', () => {
    expect(testerWeight(0, 10n ** 18n)).toBe(0);
    expect(testerWeight(0.49, 10n ** 18n)).toBe(0);
    expect(testerWeight(0.5, 0n)).toBe(0.5);
  });
});

describe('roundWeights', () => {
  const share = DEFAULT_WEIGHT_POLICY.maxShareBps / 10_000;

  it('cuts a veteran whale down to the share cap, and lifts nobody', () => {
    const entries = [
      { tester: 'whale', ep: 1_000, stakeFen: 10n ** 15n },
      ...Array.from({ length: 9 }, (_, i) => ({ tester: `t${i}`, ep: 10, stakeFen: 0n })),
    ];
    const result = roundWeights(entries);
    const whale = result.weights.find((w) => w.tester === 'whale')!;
    expect(whale.capped).toBe(true);
    expect(whale.baseWeight).toBe(3_000);
    expect(whale.weight / result.totalWeight).toBeCloseTo(share, 12);
    for (const w of result.weights.filter((x) => x.tester !== 'whale')) expect(w.weight).toBe(10);
  });

  it('keeps a whale nominator behind two testers below half of a round', () => {
    // The nominator backs a and b with a fortune; eight honest testers have modest stake.
    const entries = [
      { tester: 'a', ep: 40, stakeFen: 10n ** 18n },
      { tester: 'b', ep: 40, stakeFen: 10n ** 18n },
      ...Array.from({ length: 8 }, (_, i) => ({ tester: `h${i}`, ep: 8, stakeFen: 10_000n })),
    ];
    const result = roundWeights(entries);
    const backed = result.weights.filter((w) => w.tester === 'a' || w.tester === 'b');
    const backedShare = backed.reduce((sum, w) => sum + w.weight, 0) / result.totalWeight;
    expect(backedShare).toBeLessThanOrEqual(2 * share + 1e-12);
    expect(backedShare).toBeLessThan(0.5);
  });

  it('gives fresh sybils nothing, however many and however staked', () => {
    const entries = [
      ...Array.from({ length: 100 }, (_, i) => ({ tester: `sybil${i}`, ep: 0, stakeFen: 10n ** 12n })),
      ...Array.from({ length: 5 }, (_, i) => ({ tester: `t${i}`, ep: 5, stakeFen: 0n })),
    ];
    const result = roundWeights(entries);
    const sybilWeight = result.weights.filter((w) => w.tester.startsWith('sybil')).reduce((s, w) => s + w.weight, 0);
    expect(sybilWeight).toBe(0);
    expect(result.totalWeight).toBe(25);
  });

  it('makes everyone equal when too few testers have weight to respect the cap', () => {
    const result = roundWeights([
      { tester: 'a', ep: 100, stakeFen: 0n },
      { tester: 'b', ep: 2, stakeFen: 0n },
      { tester: 'c', ep: 1, stakeFen: 0n },
      { tester: 'd', ep: 0, stakeFen: 0n },
    ]);
    expect(result.weights.map((w) => w.weight)).toEqual([1, 1, 1, 0]);
  });

  it('never lets anyone above the share when enough testers have weight; never raises a weight', () => {
    const policy: WeightPolicy = { ...DEFAULT_WEIGHT_POLICY, maxShareBps: 1_500 };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.bigInt({ min: 0n, max: 10n ** 15n })), {
          minLength: 1,
          maxLength: 60,
        }),
        (rows) => {
          const entries = rows.map(([ep, stakeFen], i) => ({ tester: `t${i}`, ep, stakeFen }));
          const result = roundWeights(entries, policy);
          const weighted = result.weights.filter((w) => w.baseWeight > 0);
          for (const w of result.weights) {
            expect(w.weight).toBeLessThanOrEqual(w.baseWeight);
            expect(w.weight).toBeGreaterThanOrEqual(0);
            if (w.baseWeight === 0) expect(w.weight).toBe(0);
          }
          if (weighted.length * 0.15 >= 1) {
            for (const w of weighted) expect(w.weight / result.totalWeight).toBeLessThanOrEqual(0.15 + 1e-9);
          } else {
            expect(new Set(weighted.map((w) => w.weight)).size).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('does not depend on the order of the entries', () => {
    const random = prng(3);
    const entries = Array.from({ length: 40 }, (_, i) => ({
      tester: `t${i}`,
      ep: random() * 50,
      stakeFen: BigInt(Math.floor(random() * 1e9)),
    }));
    expect(roundWeights(shuffled(entries, random))).toEqual(roundWeights(entries));
  });

  it('refuses duplicate testers and bad policies', () => {
    expect(
      caught(() =>
        roundWeights([
          { tester: 'a', ep: 1, stakeFen: 0n },
          { tester: 'a', ep: 2, stakeFen: 0n },
        ]),
      ).code,
    ).toBe('duplicate_id');
    expect(caught(() => roundWeights([], { ...DEFAULT_WEIGHT_POLICY, maxShareBps: 0 })).code).toBe('invalid_policy');
    expect(caught(() => roundWeights([], { ...DEFAULT_WEIGHT_POLICY, stakeUnitFen: 0n })).code).toBe('invalid_policy');
  });
});
