import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../encoding/bytes.js';
import { caught, prng, randomHex, shuffled } from './consensus.test-helper.js';
import { drawSortition, SeededStream, type SortitionEntry, sortitionSeed } from './index.js';

const ROOT = `${'00'.repeat(31)}01`;
const PANEL: SortitionEntry[] = [
  { id: 'alice', weight: 3 },
  { id: 'bob', weight: 1 },
  { id: 'carol', weight: 2.5 },
  { id: 'dave', weight: 0.5 },
  { id: 'erin', weight: 4 },
];

describe('drawSortition', () => {
  it('matches the known answer, recomputed independently from the documented rule', () => {
    // Python: seed = sha256(canonical {checkpointRoot, domain, roundId, stage}); block i =
    // sha256(seed ‖ i as u64be); r = block mod total (rejecting the top); walk ids in order.
    expect(drawSortition({ checkpointRoot: ROOT, roundId: 'round-1', panel: PANEL, count: 3 })).toEqual({
      checkpointRoot: ROOT,
      roundId: 'round-1',
      stage: 0,
      seed: '0b22699648503a79cd19ee1e6d90eb40eaf87c037e674486eac26e76a63a675d',
      requested: 3,
      drawn: ['erin', 'bob', 'alice'],
    });
  });

  it('is the same from bytes or hex, in any panel order; another root, round or stage draws anew', () => {
    const base = drawSortition({ checkpointRoot: ROOT, roundId: 'r', panel: PANEL, count: 2 });
    expect(
      drawSortition({ checkpointRoot: fromHex(ROOT), roundId: 'r', panel: [...PANEL].reverse(), count: 2 }),
    ).toEqual(base);
    expect(drawSortition({ checkpointRoot: ROOT.toUpperCase(), roundId: 'r', panel: PANEL, count: 2 })).toEqual(base);
    const seeds = new Set([
      base.seed,
      drawSortition({ checkpointRoot: `${'00'.repeat(31)}02`, roundId: 'r', panel: PANEL, count: 2 }).seed,
      drawSortition({ checkpointRoot: ROOT, roundId: 'r2', panel: PANEL, count: 2 }).seed,
      drawSortition({ checkpointRoot: ROOT, roundId: 'r', stage: 1, panel: PANEL, count: 2 }).seed,
    ]);
    expect(seeds.size).toBe(4);
  });

  it('draws distinct, eligible entries only, and all of them when fewer than asked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 0, maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 10 }),
        fc.integer(),
        (weights, count, excluded, seed) => {
          const panel = weights.map((weight, i) => ({ id: `t${i}`, weight }));
          const exclude = excluded.map((i) => `t${i}`);
          const result = drawSortition({
            checkpointRoot: randomHex(prng(seed), 32),
            roundId: 'round',
            panel,
            count,
            exclude,
          });
          const eligible = panel.filter((e) => Math.floor(e.weight * 1e6) > 0 && !exclude.includes(e.id));
          expect(new Set(result.drawn).size).toBe(result.drawn.length);
          expect(result.drawn).toHaveLength(Math.min(count, eligible.length));
          for (const id of result.drawn) expect(eligible.map((e) => e.id)).toContain(id);
        },
      ),
    );
  });

  it('draws in proportion to weight', () => {
    const weights = [1, 2, 3, 4];
    const panel = weights.map((weight, i) => ({ id: `t${i}`, weight }));
    const counts = [0, 0, 0, 0];
    const draws = 4_000;
    const random = prng(11);
    for (let i = 0; i < draws; i++) {
      const [id] = drawSortition({ checkpointRoot: randomHex(random, 32), roundId: `r${i}`, panel, count: 1 }).drawn;
      counts[Number(id!.slice(1))]!++;
    }
    weights.forEach((weight, i) => {
      // Within 4 standard deviations of the binomial expectation.
      const p = weight / 10;
      expect(Math.abs(counts[i]! / draws - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
    });
  });

  it('also takes integer weights as bigints, but not both kinds at once', () => {
    const result = drawSortition({
      checkpointRoot: ROOT,
      roundId: 'r',
      panel: [
        { id: 'a', weight: 10n ** 30n },
        { id: 'b', weight: 0n },
      ],
      count: 2,
    });
    expect(result.drawn).toEqual(['a']);
    expect(
      caught(() =>
        drawSortition({
          checkpointRoot: ROOT,
          roundId: 'r',
          panel: [
            { id: 'a', weight: 1 },
            { id: 'b', weight: 1n },
          ],
          count: 1,
        }),
      ).field,
    ).toBe('panel[1].weight');
  });

  it('refuses a root that is not 32 bytes, duplicate ids and negative weights', () => {
    expect(caught(() => drawSortition({ checkpointRoot: 'abcd', roundId: 'r', panel: [], count: 1 })).code).toBe(
      'invalid_seed',
    );
    expect(
      caught(() => drawSortition({ checkpointRoot: 'zz'.repeat(32), roundId: 'r', panel: [], count: 1 })).code,
    ).toBe('invalid_seed');
    expect(
      caught(() =>
        drawSortition({
          checkpointRoot: ROOT,
          roundId: 'r',
          panel: [
            { id: 'a', weight: 1 },
            { id: 'a', weight: 2 },
          ],
          count: 1,
        }),
      ).code,
    ).toBe('duplicate_id');
    expect(
      caught(() => drawSortition({ checkpointRoot: ROOT, roundId: 'r', panel: [{ id: 'a', weight: -1 }], count: 1 }))
        .code,
    ).toBe('invalid_number');
  });
});

describe('SeededStream', () => {
  it('is a pure function of the seed', () => {
    const seed = sortitionSeed(ROOT, 'r');
    const a = new SeededStream(seed);
    const b = new SeededStream(seed);
    for (let i = 0; i < 10; i++) expect(a.next()).toBe(b.next());
    expect(toHex(seed)).toHaveLength(64);
  });

  it('yields integers below the bound, covering it evenly', () => {
    const stream = new SeededStream(sortitionSeed(ROOT, 'uniform'));
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7_000; i++) {
      const x = stream.below(7n);
      expect(x >= 0n && x < 7n).toBe(true);
      counts[Number(x)]++;
    }
    for (const count of counts) expect(Math.abs(count - 1_000)).toBeLessThan(150);
    expect(stream.below(1n)).toBe(0n);
  });

  it('shuffling the panel never changes a draw', () => {
    const random = prng(5);
    const panel = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, weight: random() * 10 }));
    const once = drawSortition({ checkpointRoot: ROOT, roundId: 'r', panel, count: 10 });
    expect(drawSortition({ checkpointRoot: ROOT, roundId: 'r', panel: shuffled(panel, random), count: 10 })).toEqual(
      once,
    );
  });
});
