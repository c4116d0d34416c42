import { describe, expect, it } from 'vitest';
import { DAY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  attributedPromoter,
  type Binding,
  bindingActive,
  DEFAULT_DISTRIBUTION_POLICY,
  decideBinding,
  MAX_REFERRAL_CHAIN,
  type ReferralGraph,
} from './index.js';

const FIRST = DEFAULT_DISTRIBUTION_POLICY;
const LAST = { ...DEFAULT_DISTRIBUTION_POLICY, bindingMode: 'last_click' as const, lastClickWindowDays: 7 };

/** Promoters and who brought each in (consumer → promoter, promoter → upline). */
function graph(promoters: string[], parents: Record<string, string>): ReferralGraph {
  return {
    isPromoter: (did) => promoters.includes(did),
    parentOf: (did) => (Object.hasOwn(parents, did) ? parents[did] : undefined),
  };
}

const g = graph(['did:p', 'did:q', 'did:up'], { 'did:p': 'did:up' });
const bound = (promoter: string, atMs: number): Binding => ({
  consumer: 'did:c',
  promoter,
  boundAtMs: atMs,
  lastClickAtMs: atMs,
});

describe('first binding is permanent (default)', () => {
  it('binds an unbound consumer to the promoter of the link', () => {
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:p', atMs: T0 }, undefined, g, FIRST)).toEqual({
      action: 'bind',
      binding: bound('did:p', T0),
    });
  });

  it('keeps the first binding whatever comes later', () => {
    const existing = bound('did:p', T0);
    const click = { consumer: 'did:c', promoter: 'did:q', atMs: T0 + 400 * DAY };
    expect(decideBinding(click, existing, g, FIRST)).toEqual({
      action: 'keep',
      binding: existing,
      reason: 'first_binding_permanent',
    });
    expect(attributedPromoter(existing, T0 + 4000 * DAY, FIRST)).toBe('did:p');
  });
});

describe('last click within N days', () => {
  it('replaces the binding with another promoter’s click', () => {
    const decision = decideBinding(
      { consumer: 'did:c', promoter: 'did:q', atMs: T0 + DAY },
      bound('did:p', T0),
      g,
      LAST,
    );
    expect(decision).toEqual({ action: 'bind', binding: bound('did:q', T0 + DAY), replaces: 'did:p' });
  });

  it('renews the window on the same promoter’s click, and starts afresh after a lapse', () => {
    const existing = bound('did:p', T0);
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:p', atMs: T0 + 3 * DAY }, existing, g, LAST)).toEqual({
      action: 'renew',
      binding: { ...existing, lastClickAtMs: T0 + 3 * DAY },
    });
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:p', atMs: T0 + 8 * DAY }, existing, g, LAST)).toEqual({
      action: 'bind',
      binding: bound('did:p', T0 + 8 * DAY),
    });
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:p', atMs: T0 }, existing, g, LAST)).toMatchObject({
      action: 'keep',
      reason: 'same_promoter',
    });
  });

  it('ignores a click older than the binding’s last one', () => {
    const existing = bound('did:p', T0 + DAY);
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:q', atMs: T0 }, existing, g, LAST)).toMatchObject({
      action: 'keep',
      reason: 'older_click',
    });
  });

  it('lapses N days after the last click (inclusive)', () => {
    const existing = bound('did:p', T0);
    expect(bindingActive(existing, T0 + 7 * DAY, LAST)).toBe(true);
    expect(attributedPromoter(existing, T0 + 7 * DAY + 1, LAST)).toBeUndefined();
    expect(attributedPromoter(undefined, T0, LAST)).toBeUndefined();
  });
});

describe('refused bindings', () => {
  it('to oneself', () => {
    expect(decideBinding({ consumer: 'did:p', promoter: 'did:p', atMs: T0 }, undefined, g, FIRST)).toMatchObject({
      action: 'refuse',
      code: 'self_binding',
    });
  });

  it('to someone who is not an active promoter', () => {
    expect(decideBinding({ consumer: 'did:c', promoter: 'did:x', atMs: T0 }, undefined, g, FIRST)).toMatchObject({
      action: 'refuse',
      code: 'not_a_promoter',
    });
  });

  it('that would close a referral loop, directly or through a chain', () => {
    // did:up brought did:p in; did:up clicking did:p's link would make each the other's parent.
    expect(decideBinding({ consumer: 'did:up', promoter: 'did:p', atMs: T0 }, undefined, g, FIRST)).toMatchObject({
      action: 'refuse',
      code: 'referral_cycle',
    });
    const chain = graph(['a', 'b', 'c', 'd'], { b: 'a', c: 'b', d: 'c' });
    expect(decideBinding({ consumer: 'a', promoter: 'd', atMs: T0 }, undefined, chain, LAST)).toMatchObject({
      action: 'refuse',
      code: 'referral_cycle',
    });
    // The other way round is an ordinary binding.
    expect(decideBinding({ consumer: 'd2', promoter: 'a', atMs: T0 }, undefined, chain, LAST).action).toBe('bind');
  });

  it('even when the binding would not change', () => {
    expect(
      decideBinding({ consumer: 'did:c', promoter: 'did:x', atMs: T0 }, bound('did:p', T0), g, FIRST),
    ).toMatchObject({ action: 'refuse', code: 'not_a_promoter' });
  });
});

describe('input the rule cannot decide on', () => {
  it('refuses malformed clicks and someone else’s binding', () => {
    expect(
      thrownIssues(() => decideBinding({ consumer: '', promoter: 'did:p', atMs: T0 }, undefined, g, FIRST)),
    ).toEqual([['invalid_id', 'click.consumer']]);
    expect(
      thrownIssues(() => decideBinding({ consumer: 'did:c', promoter: 'did:p', atMs: -1 }, undefined, g, FIRST)),
    ).toEqual([['invalid_time', 'click.atMs']]);
    const other = { ...bound('did:p', T0), consumer: 'did:z' };
    expect(
      thrownIssues(() => decideBinding({ consumer: 'did:c', promoter: 'did:q', atMs: T0 }, other, g, FIRST)),
    ).toEqual([['invalid_entry', 'existing.consumer']]);
  });

  it('refuses to walk a graph that already loops, or a chain without end', () => {
    const looped = graph(['a', 'b'], { a: 'b', b: 'a' });
    expect(
      thrownIssues(() => decideBinding({ consumer: 'c', promoter: 'a', atMs: T0 }, undefined, looped, FIRST)),
    ).toEqual([['referral_cycle', 'graph']]);
    const endless: ReferralGraph = { isPromoter: () => true, parentOf: (did) => `n${Number(did.slice(1)) + 1}` };
    expect(
      thrownIssues(() => decideBinding({ consumer: 'c', promoter: 'n0', atMs: T0 }, undefined, endless, FIRST)),
    ).toEqual([['chain_too_long', 'graph']]);
    expect(MAX_REFERRAL_CHAIN).toBeGreaterThan(100);
  });
});
