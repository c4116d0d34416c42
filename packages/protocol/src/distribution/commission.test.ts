import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY, splitOrder, validateSplitPolicy } from '../money/index.js';
import { DAY, SEED_POLICY, SEED_SPLIT_POLICY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  type CommissionInput,
  computeCommission,
  freezeUntilMs,
  orderDistributionShares,
  DEFAULT_DISTRIBUTION_POLICY as P,
  PROMOTER_LEVELS,
  releaseDueCommissions,
  useShare,
} from './index.js';

const order = (over: Partial<CommissionInput> = {}): CommissionInput => ({
  orderId: 'o-1',
  paidFen: 10_000n,
  buyer: 'did:buyer',
  attribution: { promoter: 'did:p', promoterLevel: 'promoter', upline: 'did:up', uplineLevel: 'team_lead' },
  deliveredAtMs: T0,
  ...over,
});

describe('commission at completion', () => {
  it('pays the direct commission and the upline override, frozen until delivery + 30 + 7 days', () => {
    const result = computeCommission(order(), DEFAULT_SPLIT_POLICY, P);
    const until = T0 + 37 * DAY;
    expect(result.entries).toEqual([
      {
        orderId: 'o-1',
        kind: 'direct',
        beneficiary: 'did:p',
        level: 'promoter',
        rateBps: 1000,
        amountFen: 1000n,
        freezeUntilMs: until,
        status: 'frozen',
      },
      {
        orderId: 'o-1',
        kind: 'override',
        beneficiary: 'did:up',
        level: 'team_lead',
        rateBps: 300,
        amountFen: 300n,
        freezeUntilMs: until,
        status: 'frozen',
      },
    ]);
    expect(result.direct.unusedFen + result.override.unusedFen).toBe(0n);
    expect(freezeUntilMs(T0, { ...P, freezeDays: 0, returnWindowDays: 0 })).toBe(T0);
  });

  it('pays the level rates of the seed ladder, each out of its leg, under a split that allows them', () => {
    const attribution = {
      promoter: 'did:p',
      promoterLevel: 'city_agent',
      upline: 'did:up',
      uplineLevel: 'regional_partner',
    } as const;
    const result = computeCommission(order({ attribution }), SEED_SPLIT_POLICY, SEED_POLICY);
    expect(result.entries.map((e) => [e.kind, e.rateBps, e.amountFen])).toEqual([
      ['direct', 1500, 1500n],
      ['override', 450, 450n],
    ]);
    // A team lead's 12% of the 15% leg: the other 3% goes to the unused-share destination.
    const lead = computeCommission(
      order({ attribution: { promoter: 'did:p', promoterLevel: 'team_lead' } }),
      SEED_SPLIT_POLICY,
      SEED_POLICY,
    );
    expect(lead.direct).toEqual({ legFen: 1500n, rateBps: 1200, paidFen: 1200n, unusedFen: 300n });
    expect(lead.override).toEqual({ legFen: 500n, rateBps: 0, paidFen: 0n, unusedFen: 500n });
    expect(lead.unusedTo).toBe('supplier');
  });

  it('caps a level rate at a product’s lower share', () => {
    const product = {
      ...DEFAULT_SPLIT_POLICY,
      promoterCommissionBps: 600,
      teamOverrideBps: 100,
      unusedShareDestination: 'platform' as const,
    };
    const result = computeCommission(order(), product, P);
    expect(result.entries.map((e) => [e.rateBps, e.amountFen])).toEqual([
      [600, 600n],
      [100, 100n],
    ]);
    expect(result.unusedTo).toBe('platform');
  });

  it('divides exactly the legs splitOrder gives the promoter and the upline', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (paidFen) => {
        const legs = splitOrder({
          paidFen,
          policy: DEFAULT_SPLIT_POLICY,
          parties: { supplier: 's', platform: 'pl', buyer: 'b', promoter: 'did:p', upline: 'did:up' },
        });
        const leg = (share: string) => legs.find((l) => l.share === share)?.amountFen ?? 0n;
        const shares = orderDistributionShares(paidFen, DEFAULT_SPLIT_POLICY);
        expect(shares).toEqual({
          promoterCommissionFen: leg('promoter_commission'),
          teamOverrideFen: leg('team_override'),
          consumerCashbackFen: leg('consumer_cashback'),
        });
        const entries = computeCommission(order({ paidFen }), DEFAULT_SPLIT_POLICY, P).entries;
        expect(entries.map((e) => e.amountFen)).toEqual(
          [leg('promoter_commission'), leg('team_override')].filter((a) => a > 0n),
        );
      }),
    );
  });

  it('pays nothing without an attribution', () => {
    const result = computeCommission(order({ attribution: undefined }), DEFAULT_SPLIT_POLICY, P);
    expect(result.entries).toEqual([]);
    expect(result.noCommissionReason).toBe('no_attribution');
    expect(result.direct.unusedFen + result.override.unusedFen).toBe(1300n);
  });

  it('pays nothing on a promoter’s own purchase unless configured', () => {
    const own = order({ buyer: 'did:p' });
    const none = computeCommission(own, DEFAULT_SPLIT_POLICY, P);
    expect([none.entries, none.noCommissionReason]).toEqual([[], 'self_purchase']);
    const allowed = computeCommission(own, DEFAULT_SPLIT_POLICY, { ...P, selfPurchaseCommission: true });
    expect(allowed.entries.map((e) => e.kind)).toEqual(['direct', 'override']);
  });

  it('pays no override to an upline buying through their member’s link, unless configured', () => {
    const viaMember = order({ buyer: 'did:up' });
    expect(computeCommission(viaMember, DEFAULT_SPLIT_POLICY, P).entries.map((e) => e.kind)).toEqual(['direct']);
    const allowed = computeCommission(viaMember, DEFAULT_SPLIT_POLICY, { ...P, selfPurchaseCommission: true });
    expect(allowed.entries.map((e) => e.kind)).toEqual(['direct', 'override']);
  });

  it('never pays more than two levels, and one when the policy says so', () => {
    const oneLevel = computeCommission(order(), DEFAULT_SPLIT_POLICY, { ...P, maxCommissionLevels: 1 });
    expect(oneLevel.entries.map((e) => e.kind)).toEqual(['direct']);
    expect(oneLevel.override.unusedFen).toBe(300n);
  });

  it('leaves out zero amounts (a tiny order)', () => {
    expect(computeCommission(order({ paidFen: 3n }), DEFAULT_SPLIT_POLICY, P).entries).toEqual([]);
    expect(computeCommission(order({ paidFen: 0n }), DEFAULT_SPLIT_POLICY, P).entries).toEqual([]);
  });

  it('refuses a malformed order or attribution', () => {
    const p = DEFAULT_SPLIT_POLICY;
    expect(thrownIssues(() => computeCommission(order({ paidFen: -1n }), p, P))).toEqual([
      ['invalid_amount', 'paidFen'],
    ]);
    expect(thrownIssues(() => computeCommission(order({ orderId: '' }), p, P))).toEqual([['invalid_id', 'orderId']]);
    expect(thrownIssues(() => computeCommission(order({ deliveredAtMs: 1.5 }), p, P))).toEqual([
      ['invalid_time', 'deliveredAtMs'],
    ]);
    const attribution = { promoter: 'did:p', promoterLevel: 'promoter' as const };
    expect(
      thrownIssues(() =>
        computeCommission(order({ attribution: { ...attribution, upline: 'did:p', uplineLevel: 'promoter' } }), p, P),
      ),
    ).toEqual([['invalid_attribution', 'attribution.upline']]);
    expect(
      thrownIssues(() => computeCommission(order({ attribution: { ...attribution, upline: 'did:up' } }), p, P)),
    ).toEqual([['invalid_attribution', 'attribution.uplineLevel']]);
    expect(
      thrownIssues(() =>
        computeCommission(order({ attribution: { ...attribution, promoterLevel: 'boss' as never } }), p, P),
      ),
    ).toEqual([['unknown_level', 'attribution.promoterLevel']]);
    const oneLevel = { ...P, maxCommissionLevels: 1 as const };
    expect(
      thrownIssues(() =>
        computeCommission(
          order({ attribution: { ...attribution, upline: 'did:up', uplineLevel: 'boss' as never } }),
          p,
          oneLevel,
        ),
      ),
    ).toEqual([['unknown_level', 'attribution.uplineLevel']]);
  });
});

describe('commissions never exceed their policy share (property)', () => {
  const bps = fc.integer({ min: 0, max: 2_000 });
  it('for any valid split policy, level rates and paid amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.tuple(bps, bps, bps, bps),
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.constantFrom(...PROMOTER_LEVELS),
        fc.constantFrom(...PROMOTER_LEVELS),
        (paidFen, [experience, promoterShare, overrideShare, cashback], rate, overrideRate, level, uplineLevel) => {
          const split = validateSplitPolicy({
            ...DEFAULT_SPLIT_POLICY,
            experienceFeeBps: experience,
            promoterCommissionBps: promoterShare,
            teamOverrideBps: overrideShare,
            consumerCashbackBps: cashback,
          });
          // Rates built by hand, not validated: the cap must hold on its own.
          const policy = {
            ...P,
            levels: P.levels.map((rung) => ({ ...rung, commissionBps: rate, overrideBps: overrideRate })),
          };
          const attribution = { promoter: 'did:p', promoterLevel: level, upline: 'did:up', uplineLevel };
          const result = computeCommission(order({ paidFen, attribution }), split, policy);
          const shares = orderDistributionShares(paidFen, split);
          expect(result.direct.paidFen + result.direct.unusedFen).toBe(shares.promoterCommissionFen);
          expect(result.override.paidFen + result.override.unusedFen).toBe(shares.teamOverrideFen);
          for (const entry of result.entries) {
            const [leg, share] =
              entry.kind === 'direct'
                ? [shares.promoterCommissionFen, promoterShare]
                : [shares.teamOverrideFen, overrideShare];
            expect(entry.amountFen).toBeLessThanOrEqual(leg);
            expect(entry.rateBps).toBeLessThanOrEqual(share);
            // Within a fen of paid · rate, rate being capped at the share.
            const exact = paidFen * BigInt(entry.rateBps);
            expect(entry.amountFen * 10_000n - exact).toBeLessThan(2n * 10_000n);
            expect(exact - entry.amountFen * 10_000n).toBeLessThan(2n * 10_000n);
          }
          expect(result.entries.length).toBeLessThanOrEqual(2);
        },
      ),
    );
  });

  it('useShare divides a leg exactly, the paid part never above it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat(10_000), fc.nat(10_000), (leg, rate, share) => {
        const use = useShare(leg, rate, share);
        expect(use.paidFen + use.unusedFen).toBe(leg);
        expect(use.paidFen).toBeLessThanOrEqual(leg);
        expect(use.paidFen).toBeGreaterThanOrEqual(0n);
        expect(use.rateBps).toBe(Math.min(rate, share));
      }),
    );
  });
});

describe('release', () => {
  it('releases frozen entries whose freeze has ended, and only those', () => {
    const { entries } = computeCommission(order(), DEFAULT_SPLIT_POLICY, P);
    const later = computeCommission(
      order({ orderId: 'o-2', deliveredAtMs: T0 + DAY }),
      DEFAULT_SPLIT_POLICY,
      P,
    ).entries;
    const all = [...entries, ...later];
    expect(releaseDueCommissions(all, T0 + 37 * DAY - 1)).toEqual([]);
    const released = releaseDueCommissions(all, T0 + 37 * DAY);
    expect(released.map((e) => [e.orderId, e.kind, e.status])).toEqual([
      ['o-1', 'direct', 'released'],
      ['o-1', 'override', 'released'],
    ]);
    expect(releaseDueCommissions(released, T0 + 99 * DAY)).toEqual([]);
    expect(thrownIssues(() => releaseDueCommissions(all, Number.NaN))).toEqual([['invalid_time', 'nowMs']]);
  });
});
