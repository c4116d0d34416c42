import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY } from '../money/index.js';
import { DAY, SEED_SPLIT_POLICY, T0 } from './distribution.test-helper.js';
import {
  cashbackPoints,
  DEFAULT_DISTRIBUTION_POLICY,
  DistributionError,
  type DistributionPolicy,
  lotsTotal,
  type PointsLot,
  referralReward,
  retirePoints,
  spendPointsAtCheckout,
  takeFromLots,
  transferPoints,
} from './index.js';

/**
 * A tiny POINTS ledger driven only by the rule functions: every unit is minted (cashback,
 * referral) and then held, spent, burned or paid as a fee. Whatever the sequence of operations,
 * minted = held + spent + burned + fees, no lot goes negative, and a refused operation changes
 * nothing.
 */
const HOLDERS = ['did:a', 'did:b', 'did:c', 'did:d'];
const holder = fc.constantFrom(...HOLDERS);
const fraction = fc.integer({ min: 0, max: 1_000 });

type Op =
  | { kind: 'cashback'; buyer: string; paidFen: bigint; tier: 'normal' | 'silver' | 'gold' }
  | { kind: 'referral'; buyer: string; inviter: string; paidFen: bigint; first: boolean }
  | { kind: 'spend'; who: string; orderFen: bigint; offerPermille: number }
  | { kind: 'transfer'; from: string; to: string; amountPermille: number; overdraw: boolean }
  | { kind: 'retire' }
  | { kind: 'wait'; days: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('cashback' as const),
    buyer: holder,
    paidFen: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    tier: fc.constantFrom('normal' as const, 'silver' as const, 'gold' as const),
  }),
  fc.record({
    kind: fc.constant('referral' as const),
    buyer: holder,
    inviter: holder,
    paidFen: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    first: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('spend' as const),
    who: holder,
    orderFen: fc.bigInt({ min: 0n, max: 10n ** 7n }),
    offerPermille: fraction,
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    from: holder,
    to: holder,
    amountPermille: fraction,
    overdraw: fc.boolean(),
  }),
  fc.constant({ kind: 'retire' as const }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 0, max: 200 }) }),
);

function run(ops: readonly Op[], policy: DistributionPolicy, split = DEFAULT_SPLIT_POLICY) {
  const lots = new Map<string, PointsLot[]>(HOLDERS.map((h) => [h, []]));
  const held = (h: string) => lotsTotal(lots.get(h)!);
  let now = T0;
  let minted = 0n;
  let spent = 0n;
  let burned = 0n;
  let fees = 0n;
  const mint = (h: string, points: bigint) => {
    if (points === 0n) return;
    lots.get(h)!.push({ amountPoints: points, earnedAtMs: now });
    minted += points;
  };
  const check = () => {
    const heldTotal = HOLDERS.reduce((s, h) => s + held(h), 0n);
    expect(minted).toBe(heldTotal + spent + burned + fees);
    for (const h of HOLDERS) for (const l of lots.get(h)!) expect(l.amountPoints).toBeGreaterThan(0n);
  };

  for (const o of ops) {
    switch (o.kind) {
      case 'cashback':
        mint(o.buyer, cashbackPoints({ buyer: o.buyer, paidFen: o.paidFen, tier: o.tier }, split, policy).points);
        break;
      case 'referral': {
        const input = { buyer: o.buyer, inviter: o.inviter, paidFen: o.paidFen, firstCompletedOrder: o.first };
        const reward = referralReward(input, policy);
        if (reward !== undefined) mint(reward.inviter, reward.points);
        break;
      }
      case 'spend': {
        const have = held(o.who);
        const offered = (have * BigInt(o.offerPermille)) / 1_000n;
        const paid = spendPointsAtCheckout({ orderFen: o.orderFen, pointsOffered: offered, heldPoints: have }, policy);
        expect(paid.pointsSpent).toBeLessThanOrEqual(offered);
        expect(paid.fenCovered + paid.fenDue).toBe(o.orderFen);
        lots.set(o.who, takeFromLots(lots.get(o.who)!, paid.pointsSpent).left);
        spent += paid.pointsSpent;
        break;
      }
      case 'transfer': {
        const have = held(o.from);
        const amount = o.overdraw ? have + 1n : (have * BigInt(o.amountPermille)) / 1_000n;
        let transfer: ReturnType<typeof transferPoints>;
        try {
          transfer = transferPoints({ from: o.from, to: o.to, amountPoints: amount, heldPoints: have }, policy);
        } catch (error) {
          // Refused (over the balance, to oneself, zero, or eaten by the fee): nothing moves.
          expect(error).toBeInstanceOf(DistributionError);
          break;
        }
        expect(transfer.creditPoints + transfer.feePoints).toBe(transfer.debitPoints);
        const { taken, left } = takeFromLots(lots.get(o.from)!, transfer.debitPoints);
        lots.set(o.from, left);
        // The fee comes out of the oldest points sent; the recipient keeps the rest with their dates.
        const delivered = takeFromLots(taken, transfer.feePoints).left;
        lots.get(o.to)!.push(...delivered);
        fees += transfer.feePoints;
        break;
      }
      case 'retire':
        for (const h of HOLDERS) {
          const result = retirePoints(lots.get(h)!, now, policy);
          lots.set(h, result.left);
          burned += result.retiredPoints;
        }
        break;
      case 'wait':
        now += o.days * DAY;
        break;
    }
    check();
  }
  return { minted, spent, burned, fees };
}

describe('points conserve (property)', () => {
  it('minted = held + spent + burned + fees, under the monthly burn', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        run(ops, DEFAULT_DISTRIBUTION_POLICY);
      }),
    );
  });

  it('minted = held + spent + burned + fees, under expiry, other rates and a 12% cashback share', () => {
    const policy: DistributionPolicy = {
      ...DEFAULT_DISTRIBUTION_POLICY,
      points: {
        ...DEFAULT_DISTRIBUTION_POLICY.points,
        retirementMode: 'expiry',
        expiryMonths: 3,
        earnPointsPerFen: 7,
        spendPointsPerFen: 3,
        spendMaxOrderBps: 3_000,
        transferFeeBps: 250,
      },
    };
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        run(ops, policy, SEED_SPLIT_POLICY);
      }),
    );
  });

  it('exercises every bucket on a fixed sequence', () => {
    const totals = run(
      [
        { kind: 'cashback', buyer: 'did:a', paidFen: 100_000n, tier: 'gold' },
        { kind: 'referral', buyer: 'did:a', inviter: 'did:b', paidFen: 100_000n, first: true },
        { kind: 'spend', who: 'did:a', orderFen: 1_000n, offerPermille: 1_000 },
        { kind: 'transfer', from: 'did:b', to: 'did:c', amountPermille: 500, overdraw: false },
        { kind: 'retire' },
      ],
      DEFAULT_DISTRIBUTION_POLICY,
    );
    expect(totals).toEqual({ minted: 13_000n, spent: 1_000n, burned: 200n + 200n + 198n, fees: 40n });
  });
});
