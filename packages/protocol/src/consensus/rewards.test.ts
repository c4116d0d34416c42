import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimValue } from '../commerce/claims.js';
import { caught, honestValues, prng, TEA_TRUTH, teaModel } from './consensus.test-helper.js';
import { DEFAULT_REWARD_POLICY, type RewardResult, type RewardTester, rewardRound, tallyRound } from './index.js';

const tester = (id: string, accuracy: number, weight = 1, extra: Partial<RewardTester> = {}): RewardTester => ({
  tester: id,
  accuracy,
  weight,
  commissionBps: 0,
  selfStakeFen: 0n,
  nominators: [],
  ...extra,
});
const outcome = (result: RewardResult, id: string) => result.testers.find((t) => t.tester === id)!;
const sum = (amounts: readonly { amountFen: string }[]) => amounts.reduce((s, x) => s + BigInt(x.amountFen), 0n);

describe('rewardRound', () => {
  it('pays the more accurate half pro rata to accuracy × weight, exactly', () => {
    const result = rewardRound({
      poolFen: 1_000n,
      testers: [tester('a', 1, 3), tester('b', 0.9, 1), tester('c', 0.8, 1), tester('d', 0.6, 5)],
    });
    expect(result.testers.map((t) => [t.tester, t.outcome, t.rewardFen])).toEqual([
      ['a', 'won', '769'], // 3 / 3.9 of the pool
      ['b', 'won', '231'], // 0.9 / 3.9
      ['c', 'lost', '0'],
      ['d', 'lost', '0'],
    ]);
    expect(result).toMatchObject({ paidFen: '1000', unpaidFen: '0', slashedFen: '0' });
  });

  it('lets everyone as accurate as the last winner win too', () => {
    const result = rewardRound({
      poolFen: 900n,
      testers: [tester('a', 1), tester('b', 1), tester('c', 1), tester('d', 0.2)],
    });
    expect(result.testers.map((t) => t.outcome)).toEqual(['won', 'won', 'won', 'lost']);
    expect(result.testers.map((t) => t.rewardFen)).toEqual(['300', '300', '300', '0']);
  });

  it('splits a reward: commission to the tester, the rest by backing stake', () => {
    const result = rewardRound({
      poolFen: 10_000n,
      testers: [
        tester('a', 1, 1, {
          commissionBps: 1_000,
          selfStakeFen: 100n,
          nominators: [
            { nominator: 'n2', stakeFen: 300n },
            { nominator: 'n1', stakeFen: 600n },
          ],
        }),
      ],
    });
    expect(result.payouts).toEqual([
      { tester: 'a', party: 'a', role: 'tester', amountFen: '1900' }, // 1000 commission + 900 × 1/10
      { tester: 'a', party: 'n1', role: 'nominator', amountFen: '5400' },
      { tester: 'a', party: 'n2', role: 'nominator', amountFen: '2700' },
    ]);
    expect(outcome(result, 'a').commissionFen).toBe('1000');
  });

  it('penalises the inaccurate losers: EP, and a slash borne by their backers pro rata', () => {
    const result = rewardRound({
      poolFen: 100n,
      testers: [
        tester('good', 0.95),
        tester('fine', 0.9),
        tester('close', 0.85),
        tester('bad', 0.1, 1, { selfStakeFen: 1_000n, nominators: [{ nominator: 'n', stakeFen: 3_000n }] }),
      ],
    });
    expect(outcome(result, 'close')).toMatchObject({ outcome: 'lost', penalised: false, epPenalty: 0 });
    expect(outcome(result, 'bad')).toMatchObject({ outcome: 'lost', penalised: true, epPenalty: 1, slashFen: '400' });
    expect(result.slashes).toEqual([
      { tester: 'bad', party: 'bad', role: 'tester', amountFen: '100' },
      { tester: 'bad', party: 'n', role: 'nominator', amountFen: '300' },
    ]);
  });

  it('keeps the pool when nobody is accurate enough to win', () => {
    const result = rewardRound({ poolFen: 500n, testers: [tester('a', 0.3), tester('b', 0.2)] });
    expect(result).toMatchObject({ paidFen: '0', unpaidFen: '500', payouts: [] });
    expect(result.testers.every((t) => t.penalised)).toBe(true);
    expect(rewardRound({ poolFen: 500n, testers: [] })).toMatchObject({ unpaidFen: '500' });
  });

  it('always adds up: payouts to what was paid, paid plus unpaid to the pool; nothing negative', () => {
    const nominationArb = fc.record({
      nominator: fc.constantFrom('n1', 'n2', 'n3', 'n4'),
      stakeFen: fc.bigInt({ min: 0n, max: 10n ** 15n }),
    });
    const testerArb = fc.record({
      accuracy: fc.double({ min: 0, max: 1, noNaN: true }),
      weight: fc.double({ min: 0, max: 1e6, noNaN: true }),
      commissionBps: fc.integer({ min: 0, max: 10_000 }),
      selfStakeFen: fc.bigInt({ min: 0n, max: 10n ** 15n }),
      nominators: fc.uniqueArray(nominationArb, { maxLength: 4, selector: (n) => n.nominator }),
    });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 14n }),
        fc.array(testerArb, { maxLength: 30 }),
        fc.integer({ min: 0, max: 10_000 }),
        (poolFen, rows, slashBps) => {
          const result = rewardRound({
            poolFen,
            testers: rows.map((row, i) => ({ tester: `t${i}`, ...row })),
            policy: { ...DEFAULT_REWARD_POLICY, slashBps },
          });
          expect(BigInt(result.paidFen) + BigInt(result.unpaidFen)).toBe(poolFen);
          expect(sum(result.payouts)).toBe(BigInt(result.paidFen));
          expect(sum(result.slashes)).toBe(BigInt(result.slashedFen));
          for (const leg of [...result.payouts, ...result.slashes]) expect(BigInt(leg.amountFen) > 0n).toBe(true);
          for (const t of result.testers) {
            expect(BigInt(t.rewardFen) >= 0n && BigInt(t.commissionFen) <= BigInt(t.rewardFen)).toBe(true);
            if (t.outcome === 'lost') expect(t.rewardFen).toBe('0');
            if (t.penalised) expect(t.outcome).toBe('lost');
          }
          // A slash never exceeds what a backer staked.
          for (const leg of result.slashes) {
            const row = rows[Number(leg.tester.slice(1))]!;
            const staked =
              leg.role === 'tester'
                ? row.selfStakeFen
                : row.nominators.find((n) => n.nominator === leg.party)!.stakeFen;
            expect(BigInt(leg.amountFen) <= staked).toBe(true);
          }
        },
      ),
    );
  });

  it('refuses a tester twice and a nominator twice behind one tester', () => {
    expect(caught(() => rewardRound({ poolFen: 1n, testers: [tester('a', 1), tester('a', 1)] })).code).toBe(
      'duplicate_id',
    );
    const twice = tester('a', 1, 1, {
      nominators: [
        { nominator: 'n', stakeFen: 1n },
        { nominator: 'n', stakeFen: 2n },
      ],
    });
    expect(caught(() => rewardRound({ poolFen: 1n, testers: [twice] })).code).toBe('duplicate_id');
    expect(caught(() => rewardRound({ poolFen: -1n, testers: [] })).code).toBe('invalid_amount');
  });
});

describe('rewards depend only on accuracy, never on favourability', () => {
  it('pays the same whether the consensus praises or condemns the product', () => {
    const model = teaModel();
    const random = prng(21);
    const reports = Array.from({ length: 8 }, (_, i) => ({
      tester: `t${i}`,
      weight: 1 + (i % 3),
      values: honestValues(TEA_TRUTH, random),
    }));
    // Same reports, two producers: one claims the truth (a favourable round, it passes), one
    // claims far better than the truth (an unfavourable round, it fails).
    const honestClaim: Record<string, ClaimValue> = { ...TEA_TRUTH };
    const inflatedClaim: Record<string, ClaimValue> = {
      ...TEA_TRUTH,
      moisture: 4.0,
      grade: '特级',
      pesticide_free: true,
    };
    const favourable = tallyRound({ attributes: model.attributes, claims: honestClaim, reports, drawnCount: 8 });
    const unfavourable = tallyRound({ attributes: model.attributes, claims: inflatedClaim, reports, drawnCount: 8 });
    expect(favourable.verdict).toBe('pass');
    expect(unfavourable.verdict).toBe('fail');
    const pay = (tally: typeof favourable) =>
      rewardRound({
        poolFen: 123_457n,
        testers: tally.accuracies.map((a) => ({ ...tester(a.tester, a.accuracy, a.weight), commissionBps: 500 })),
      });
    expect(pay(unfavourable)).toEqual(pay(favourable));
  });

  it('flipping every report’s favourability while keeping its accuracy keeps every reward', () => {
    // A flipped report says "fails" where the original said "passes" — rewardRound never sees it.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const run = (flip: boolean) =>
            rewardRound({
              poolFen: 10_000n,
              testers: rows.map(([accuracy, favourable], i) => ({
                ...tester(`t${i}`, accuracy),
                // Extra members are ignored: the type carries no favourability at all.
                ...({ favourable: flip ? !favourable : favourable } as object),
              })),
            });
          expect(run(true)).toEqual(run(false));
        },
      ),
    );
  });
});
