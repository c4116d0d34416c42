import { describe, expect, it } from 'vitest';
import { T0, thrownIssues } from './distribution.test-helper.js';
import {
  type OrderOrigin,
  DEFAULT_DISTRIBUTION_POLICY as P,
  screenOrder,
  selfDealingReasons,
  velocityReasons,
} from './index.js';

const MIN = 60_000;
const origin = (orderId: string, minutesBefore: number, deviceId?: string, ip?: string): OrderOrigin => ({
  orderId,
  deviceId,
  ip,
  atMs: T0 - minutesBefore * MIN,
});

describe('velocity limits (default: 3 per device, 5 per IP in 24 hours)', () => {
  const order = origin('new', 0, 'dev-1', '10.0.0.1');

  it('passes the third order from one device, reviews the fourth', () => {
    const two = [origin('a', 10, 'dev-1'), origin('b', 20, 'dev-1')];
    expect(velocityReasons(order, two, P)).toEqual([]);
    const three = [...two, origin('c', 30, 'dev-1')];
    expect(velocityReasons(order, three, P)).toEqual([
      { code: 'device_velocity', message: '4 orders from this device within 1440 minutes, over the limit of 3' },
    ]);
  });

  it('counts only the window, only the same key, and not the order itself', () => {
    const recent = [
      origin('a', 10, 'dev-1'),
      origin('b', 20, 'dev-1'),
      origin('old', 24 * 60, 'dev-1'),
      origin('other', 5, 'dev-2'),
      origin('new', 0, 'dev-1'),
      { ...origin('future', 0, 'dev-1'), atMs: T0 + 1 },
    ];
    expect(velocityReasons(order, recent, P)).toEqual([]);
  });

  it('reviews the sixth order from one IP, across devices', () => {
    const recent = [1, 2, 3, 4, 5].map((n) => origin(`o${n}`, n, `dev-${n + 10}`, '10.0.0.1'));
    expect(velocityReasons(order, recent, P).map((r) => r.code)).toEqual(['ip_velocity']);
    // An order with no IP is not counted by IP.
    expect(velocityReasons({ ...order, ip: undefined }, recent, P)).toEqual([]);
  });

  it('refuses a malformed order', () => {
    expect(thrownIssues(() => velocityReasons({ ...order, atMs: -5 }, [], P))).toEqual([
      ['invalid_time', 'order.atMs'],
    ]);
    expect(thrownIssues(() => velocityReasons(order, [{ ...order, atMs: 0.5 }], P))).toEqual([
      ['invalid_time', 'recent[0].atMs'],
    ]);
  });
});

describe('self-dealing', () => {
  it('flags a producer buying their own goods or earning commission on them', () => {
    const reasons = selfDealingReasons({ buyer: 'did:x', producer: 'did:x', promoter: 'did:x', upline: 'did:x' }, P);
    // Without self-purchase commission, a promoter buying through their own link earns nothing: not flagged.
    expect(reasons.map((r) => r.code)).toEqual(['buyer_is_producer', 'promoter_is_producer', 'upline_is_producer']);
  });

  it('flags a promoter or upline buying through their own link when that earns commission', () => {
    const policy = { ...P, selfPurchaseCommission: true };
    expect(
      selfDealingReasons({ buyer: 'did:p', promoter: 'did:p', upline: 'did:u' }, policy).map((r) => r.code),
    ).toEqual(['buyer_is_promoter']);
    expect(
      selfDealingReasons({ buyer: 'did:u', promoter: 'did:p', upline: 'did:u' }, policy).map((r) => r.code),
    ).toEqual(['buyer_is_upline']);
  });

  it('passes an ordinary order', () => {
    expect(selfDealingReasons({ buyer: 'did:b', producer: 'did:s', promoter: 'did:p', upline: 'did:u' }, P)).toEqual(
      [],
    );
  });
});

describe('screenOrder', () => {
  it('sends an order to review with every reason, or passes it', () => {
    const order = origin('new', 0, 'dev-1');
    const recent = [1, 2, 3].map((n) => origin(`o${n}`, n, 'dev-1'));
    const screening = screenOrder(order, recent, { buyer: 'did:s', producer: 'did:s' }, P);
    expect(screening.verdict).toBe('review');
    expect(screening.reasons.map((r) => r.code)).toEqual(['device_velocity', 'buyer_is_producer']);
    expect(screenOrder(order, [], { buyer: 'did:b', producer: 'did:s' }, P)).toEqual({ verdict: 'pass', reasons: [] });
  });
});
