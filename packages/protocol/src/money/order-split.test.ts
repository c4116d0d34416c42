import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY, netLegs, reverseLegs, splitOrder, splitRefund, validateSplitPolicy } from './index.js';

const parties = {
  supplier: 'did:supplier',
  platform: 'platform',
  buyer: 'did:buyer',
  promoter: 'did:promoter',
  upline: 'did:upline',
};
const sum = (legs: readonly { amountFen: bigint }[]) => legs.reduce((s, l) => s + l.amountFen, 0n);

describe('the order split', () => {
  it('splits a 100.00 yuan order by the default policy', () => {
    const legs = splitOrder({ paidFen: 10_000n, policy: DEFAULT_SPLIT_POLICY, parties });
    expect(sum(legs)).toBe(10_000n);
    const byShare = Object.fromEntries(legs.map((l) => [l.share, l.amountFen]));
    expect(byShare).toMatchObject({
      experience_fee: 1_500n,
      trust_fee: 60n,
      promoter_commission: 1_000n,
      team_override: 300n,
      consumer_cashback: 500n,
      platform_service_fee: 600n,
      supplier: 6_040n,
    });
  });

  it('always sums to the paid amount, with or without a promoter, for any valid policy', () => {
    const bps = fc.integer({ min: 0, max: 1_600 });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 10n }),
        fc.tuple(bps, bps, bps, bps, bps, bps),
        fc.boolean(),
        (paid, [e, t, p, o, c, f], withPromoter) => {
          const policy = validateSplitPolicy({
            ...DEFAULT_SPLIT_POLICY,
            experienceFeeBps: e,
            trustFeeBps: t,
            promoterCommissionBps: p,
            teamOverrideBps: o,
            consumerCashbackBps: c,
            platformServiceFeeBps: f,
          });
          const who = withPromoter ? parties : { supplier: 'did:supplier', platform: 'platform', buyer: 'did:buyer' };
          const legs = splitOrder({ paidFen: paid, policy, parties: who });
          expect(sum(legs)).toBe(paid);
          for (const leg of legs) expect(leg.amountFen).toBeGreaterThan(0n);
          if (!withPromoter) expect(legs.some((l) => l.party === 'did:promoter')).toBe(false);
          // A full reversal cancels the split exactly.
          expect(netLegs([...legs, ...reverseLegs(legs)])).toEqual([]);
        },
      ),
    );
  });

  it('splits a partial refund so that refunds never exceed what each party got', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (paid, fraction) => {
          const legs = splitOrder({ paidFen: paid, policy: DEFAULT_SPLIT_POLICY, parties });
          const refund = BigInt(Math.floor(Number(paid) * fraction));
          const back = splitRefund(legs, refund);
          expect(sum(back)).toBe(-refund);
          for (const leg of back) {
            const original = legs.find((l) => l.share === leg.share && l.party === leg.party);
            expect(original).toBeDefined();
            expect(-leg.amountFen).toBeLessThanOrEqual(original?.amountFen ?? 0n);
          }
        },
      ),
    );
  });

  it('rejects a policy whose shares exceed 10000 bps', () => {
    expect(() => validateSplitPolicy({ ...DEFAULT_SPLIT_POLICY, experienceFeeBps: 9_000 })).toThrow();
  });
});
