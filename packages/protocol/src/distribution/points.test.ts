import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY } from '../money/index.js';
import { SEED_SPLIT_POLICY, thrownIssues } from './distribution.test-helper.js';
import {
  cashbackPoints,
  DEFAULT_DISTRIBUTION_POLICY as P,
  referralReward,
  spendPointsAtCheckout,
  transferPoints,
} from './index.js';

describe('cashback points', () => {
  it('pays the tier rate capped at the order’s cashback share', () => {
    const at = (tier: 'normal' | 'silver' | 'gold', split = DEFAULT_SPLIT_POLICY) =>
      cashbackPoints({ buyer: 'did:b', paidFen: 10_000n, tier }, split, P);
    // The default split sets aside 5%: every tier gets 5%.
    expect([at('normal').points, at('silver').points, at('gold').points]).toEqual([500n, 500n, 500n]);
    // A split that sets aside 12% pays each tier its rate; the rest of the leg is unused.
    expect(at('normal', SEED_SPLIT_POLICY).share).toEqual({
      legFen: 1200n,
      rateBps: 500,
      paidFen: 500n,
      unusedFen: 700n,
    });
    expect(at('silver', SEED_SPLIT_POLICY).points).toBe(800n);
    expect(at('gold', SEED_SPLIT_POLICY)).toMatchObject({
      holder: 'did:b',
      tier: 'gold',
      cashbackFen: 1200n,
      points: 1200n,
    });
  });

  it('converts fen to points at the earn rate', () => {
    const policy = { ...P, points: { ...P.points, earnPointsPerFen: 100 } };
    expect(
      cashbackPoints({ buyer: 'did:b', paidFen: 10_000n, tier: 'normal' }, DEFAULT_SPLIT_POLICY, policy).points,
    ).toBe(50_000n);
  });

  it('refuses a bad order', () => {
    const split = DEFAULT_SPLIT_POLICY;
    expect(thrownIssues(() => cashbackPoints({ buyer: 'did:b', paidFen: -5n, tier: 'gold' }, split, P))).toEqual([
      ['invalid_amount', 'paidFen'],
    ]);
    expect(
      thrownIssues(() => cashbackPoints({ buyer: 'did:b', paidFen: 5n, tier: 'platinum' as never }, split, P)),
    ).toEqual([['unknown_tier', 'tier']]);
  });
});

describe('referral reward', () => {
  const first = { buyer: 'did:b', inviter: 'did:i', paidFen: 12_345n, firstCompletedOrder: true };
  it('pays 8% of the invitee’s first completed order to the inviter, rounded down', () => {
    expect(referralReward(first, P)).toEqual({ inviter: 'did:i', rewardFen: 987n, points: 987n });
  });

  it('pays nothing for a later order, without an inviter, or to oneself', () => {
    expect(referralReward({ ...first, firstCompletedOrder: false }, P)).toBeUndefined();
    expect(referralReward({ ...first, inviter: undefined }, P)).toBeUndefined();
    expect(referralReward({ ...first, inviter: 'did:b' }, P)).toBeUndefined();
    expect(referralReward({ ...first, paidFen: 12n }, P)).toBeUndefined();
  });

  it('refuses a bad order', () => {
    expect(thrownIssues(() => referralReward({ ...first, inviter: '' }, P))).toEqual([['invalid_id', 'inviter']]);
    expect(thrownIssues(() => referralReward({ ...first, paidFen: 1 as never }, P))).toEqual([
      ['invalid_amount', 'paidFen'],
    ]);
  });
});

describe('points at checkout', () => {
  it('pays whole fen at the spend rate, up to the cap', () => {
    expect(spendPointsAtCheckout({ orderFen: 10_000n, pointsOffered: 2_500n, heldPoints: 9_000n }, P)).toEqual({
      pointsSpent: 2_500n,
      fenCovered: 2_500n,
      fenDue: 7_500n,
    });
    // No cap by default: points may pay the whole order.
    expect(spendPointsAtCheckout({ orderFen: 100n, pointsOffered: 900n, heldPoints: 900n }, P)).toEqual({
      pointsSpent: 100n,
      fenCovered: 100n,
      fenDue: 0n,
    });
    const capped = { ...P, points: { ...P.points, spendPointsPerFen: 3, spendMaxOrderBps: 5_000 } };
    expect(spendPointsAtCheckout({ orderFen: 1_001n, pointsOffered: 10_000n, heldPoints: 10_000n }, capped)).toEqual({
      pointsSpent: 1_500n,
      fenCovered: 500n,
      fenDue: 501n,
    });
    // 10 points at 3 a fen pay 3 fen; the last point stays.
    expect(spendPointsAtCheckout({ orderFen: 1_000n, pointsOffered: 10n, heldPoints: 10n }, capped).pointsSpent).toBe(
      9n,
    );
  });

  it('refuses offering more points than held', () => {
    expect(
      thrownIssues(() => spendPointsAtCheckout({ orderFen: 100n, pointsOffered: 11n, heldPoints: 10n }, P)),
    ).toEqual([['insufficient_points', 'pointsOffered']]);
  });
});

describe('points transfer', () => {
  const send = (amountPoints: bigint, heldPoints = 10_000n) =>
    transferPoints({ from: 'did:a', to: 'did:b', amountPoints, heldPoints }, P);

  it('takes a 1% fee out of the amount, rounded up', () => {
    expect(send(10_000n)).toEqual({
      from: 'did:a',
      to: 'did:b',
      debitPoints: 10_000n,
      creditPoints: 9_900n,
      feePoints: 100n,
    });
    expect(send(100n)).toMatchObject({ creditPoints: 99n, feePoints: 1n });
    expect(send(101n)).toMatchObject({ creditPoints: 99n, feePoints: 2n });
    expect(send(2n)).toMatchObject({ creditPoints: 1n, feePoints: 1n });
  });

  it('refuses transfers it cannot make', () => {
    expect(thrownIssues(() => send(10_001n))).toEqual([['insufficient_points', 'amountPoints']]);
    expect(thrownIssues(() => send(1n))).toEqual([['transfer_too_small', 'amountPoints']]);
    expect(thrownIssues(() => send(0n))).toEqual([['invalid_amount', 'amountPoints']]);
    expect(thrownIssues(() => send(-1n))).toEqual([['invalid_amount', 'amountPoints']]);
    expect(
      thrownIssues(() => transferPoints({ from: 'did:a', to: 'did:a', amountPoints: 5n, heldPoints: 9n }, P)),
    ).toEqual([['self_transfer', 'to']]);
  });

  it('charges nothing when the fee is zero', () => {
    const free = { ...P, points: { ...P.points, transferFeeBps: 0 } };
    expect(transferPoints({ from: 'did:a', to: 'did:b', amountPoints: 1n, heldPoints: 1n }, free)).toMatchObject({
      creditPoints: 1n,
      feePoints: 0n,
    });
  });
});
