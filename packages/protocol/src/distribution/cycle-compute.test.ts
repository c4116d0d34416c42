import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY } from '../money/index.js';
import { DAY, SEED_POLICY, SEED_SPLIT_POLICY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  type CompletedOrder,
  cashbackPoints,
  computeCommission,
  computeCycle,
  DEFAULT_DISTRIBUTION_POLICY,
  MEMBERSHIP_TIERS,
  PROMOTER_LEVELS,
  referralReward,
} from './index.js';

const did = (kind: string, n: number) => `did:${kind}:${n}`;

const completedOrder: fc.Arbitrary<CompletedOrder> = fc
  .record({
    n: fc.nat(1_000_000),
    paidFen: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    buyer: fc.nat(5),
    promoter: fc.option(fc.nat(5), { nil: undefined }),
    upline: fc.option(fc.nat(5), { nil: undefined }),
    levels: fc.tuple(fc.constantFrom(...PROMOTER_LEVELS), fc.constantFrom(...PROMOTER_LEVELS)),
    tier: fc.constantFrom(...MEMBERSHIP_TIERS),
    inviter: fc.option(fc.nat(5), { nil: undefined }),
    first: fc.boolean(),
    ownSplit: fc.boolean(),
  })
  .map((r) => ({
    orderId: `o-${r.n}`,
    paidFen: r.paidFen,
    // Buyers and promoters share numbers so that self-purchases happen.
    buyer: did('x', r.buyer),
    attribution:
      r.promoter === undefined
        ? undefined
        : {
            promoter: did('x', r.promoter),
            promoterLevel: r.levels[0],
            ...(r.upline === undefined || r.upline === r.promoter
              ? {}
              : { upline: did('x', r.upline), uplineLevel: r.levels[1] }),
          },
    buyerTier: r.tier,
    inviter: r.inviter === undefined ? undefined : did('x', r.inviter),
    firstCompletedOrder: r.first,
    deliveredAtMs: T0,
    completedAtMs: T0 + DAY,
    splitPolicy: r.ownSplit ? DEFAULT_SPLIT_POLICY : undefined,
  }));

describe('computeCycle', () => {
  it('equals the rules applied order by order (property)', () => {
    fc.assert(
      fc.property(fc.array(completedOrder, { maxLength: 30 }), (orders) => {
        const cycle = computeCycle(orders, SEED_SPLIT_POLICY, SEED_POLICY);
        const commissions = orders.flatMap(
          (o) => computeCommission(o, o.splitPolicy ?? SEED_SPLIT_POLICY, SEED_POLICY).entries,
        );
        expect(cycle.commissions).toEqual(commissions);
        const points = orders.flatMap((o) => {
          const split = o.splitPolicy ?? SEED_SPLIT_POLICY;
          const cashback = cashbackPoints(
            { buyer: o.buyer, paidFen: o.paidFen, tier: o.buyerTier },
            split,
            SEED_POLICY,
          );
          const referral = referralReward(o, SEED_POLICY);
          return [
            ...(cashback.points > 0n ? [['cashback', o.buyer, cashback.points]] : []),
            ...(referral ? [['referral', referral.inviter, referral.points]] : []),
          ];
        });
        expect(cycle.points.map((p) => [p.kind, p.holder, p.points])).toEqual(points);
        const t = cycle.totals;
        expect(t.directFen + t.overrideFen).toBe(commissions.reduce((s, e) => s + e.amountFen, 0n));
        expect(t.directFen + t.overrideFen + t.unusedCommissionFen).toBe(t.promoterShareFen + t.overrideShareFen);
        expect(t.cashbackFen + t.unusedCashbackFen).toBe(t.cashbackShareFen);
      }),
    );
  });

  it('names the order it cannot compute', () => {
    const good: CompletedOrder = {
      orderId: 'o-1',
      paidFen: 100n,
      buyer: 'did:b',
      buyerTier: 'normal',
      firstCompletedOrder: false,
      deliveredAtMs: T0,
      completedAtMs: T0,
    };
    const policy = DEFAULT_DISTRIBUTION_POLICY;
    expect(thrownIssues(() => computeCycle([good, { ...good, paidFen: -1n }], DEFAULT_SPLIT_POLICY, policy))).toEqual([
      ['invalid_amount', 'orders[1].paidFen'],
    ]);
    expect(
      thrownIssues(() => computeCycle([{ ...good, buyerTier: 'vip' as never }], DEFAULT_SPLIT_POLICY, policy)),
    ).toEqual([['unknown_tier', 'orders[0].tier']]);
    expect(
      thrownIssues(() => computeCycle([{ ...good, completedAtMs: Number.NaN }], DEFAULT_SPLIT_POLICY, policy)),
    ).toEqual([['invalid_time', 'orders[0].completedAtMs']]);
  });

  it('computes a cycle of 100,000 orders and 2,000 promoters to the exact totals', () => {
    // Paid amounts are whole multiples of 100 yuan, so every basis-point share is exact and the
    // expected totals follow by plain arithmetic, independently of the split's rounding.
    const PROMOTERS = 2_000;
    const ORDERS = 100_000;
    const levelOf = (p: number) => PROMOTER_LEVELS[p % 4]!;
    const rate = (level: string, kind: 'commissionBps' | 'overrideBps') =>
      BigInt(SEED_POLICY.levels.find((l) => l.level === level)![kind]);
    const cashbackBps = { normal: 500n, silver: 800n, gold: 1200n };
    const orders: CompletedOrder[] = [];
    const expected = {
      paidFen: 0n,
      directFen: 0n,
      overrideFen: 0n,
      cashbackFen: 0n,
      referralFen: 0n,
      commissionEntries: 0,
      pointsEntries: 0,
    };
    for (let n = 0; n < ORDERS; n++) {
      const paidFen = 10_000n * BigInt(1 + (n % 50));
      const p = n % PROMOTERS;
      // One round of orders in ten comes through no promoter.
      const attributed = Math.floor(n / PROMOTERS) % 10 !== 0;
      // Promoters 0–99 have no upline; the others report to p mod 100.
      const upline = p >= 100 ? p % 100 : undefined;
      const selfPurchase = attributed && n % 997 === 0;
      const buyer = selfPurchase ? did('p', p) : did('c', n % 30_000);
      const tier = MEMBERSHIP_TIERS[n % 3]!;
      const inviter = n % 7 === 0 ? did('c', (n + 1) % 30_000) : undefined;
      const first = n % 3 === 0;
      orders.push({
        orderId: `o-${n}`,
        paidFen,
        buyer,
        attribution: attributed
          ? {
              promoter: did('p', p),
              promoterLevel: levelOf(p),
              ...(upline === undefined ? {} : { upline: did('p', upline), uplineLevel: levelOf(upline) }),
            }
          : undefined,
        buyerTier: tier,
        inviter,
        firstCompletedOrder: first,
        deliveredAtMs: T0 + (n % 28) * DAY,
        completedAtMs: T0 + (n % 28) * DAY + 7 * DAY,
      });
      expected.paidFen += paidFen;
      if (attributed && !selfPurchase) {
        expected.directFen += (paidFen * rate(levelOf(p), 'commissionBps')) / 10_000n;
        expected.commissionEntries++;
        if (upline !== undefined) {
          expected.overrideFen += (paidFen * rate(levelOf(upline), 'overrideBps')) / 10_000n;
          expected.commissionEntries++;
        }
      }
      expected.cashbackFen += (paidFen * cashbackBps[tier]) / 10_000n;
      expected.pointsEntries++;
      if (inviter !== undefined && first) {
        expected.referralFen += (paidFen * 800n) / 10_000n;
        expected.pointsEntries++;
      }
    }

    const { commissions, points, totals } = computeCycle(orders, SEED_SPLIT_POLICY, SEED_POLICY);
    expect(totals.orders).toBe(ORDERS);
    expect(totals.paidFen).toBe(expected.paidFen);
    expect(totals.directFen).toBe(expected.directFen);
    expect(totals.overrideFen).toBe(expected.overrideFen);
    expect(totals.promoterShareFen).toBe((expected.paidFen * 1500n) / 10_000n);
    expect(totals.overrideShareFen).toBe((expected.paidFen * 500n) / 10_000n);
    expect(totals.unusedCommissionFen).toBe(
      totals.promoterShareFen + totals.overrideShareFen - expected.directFen - expected.overrideFen,
    );
    expect(totals.cashbackFen).toBe(expected.cashbackFen);
    expect(totals.cashbackPoints).toBe(expected.cashbackFen);
    expect(totals.unusedCashbackFen).toBe((expected.paidFen * 1200n) / 10_000n - expected.cashbackFen);
    expect(totals.referralFen).toBe(expected.referralFen);
    expect(totals.referralPoints).toBe(expected.referralFen);
    expect(commissions).toHaveLength(expected.commissionEntries);
    expect(points).toHaveLength(expected.pointsEntries);
    expect(new Set(commissions.map((c) => c.beneficiary)).size).toBe(PROMOTERS);
    expect(commissions.every((c) => c.status === 'frozen')).toBe(true);
  });
});
