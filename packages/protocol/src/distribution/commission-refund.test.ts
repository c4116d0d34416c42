import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_POLICY, validateSplitPolicy } from '../money/index.js';
import { DAY, SEED_POLICY, SEED_SPLIT_POLICY, T0, thrownIssues } from './distribution.test-helper.js';
import {
  type CommissionEntry,
  computeCommission,
  DEFAULT_DISTRIBUTION_POLICY as P,
  recoverDebt,
  releaseDueCommissions,
  reverseCommission,
} from './index.js';

const attribution = {
  promoter: 'did:p',
  promoterLevel: 'promoter',
  upline: 'did:up',
  uplineLevel: 'team_lead',
} as const;
const entriesOf = (paidFen: bigint, split = DEFAULT_SPLIT_POLICY, policy = P) =>
  computeCommission({ orderId: 'o-1', paidFen, buyer: 'did:b', attribution, deliveredAtMs: T0 }, split, policy).entries;
const sum = (xs: readonly { amountFen: bigint }[]) => xs.reduce((s, x) => s + x.amountFen, 0n);

describe('reverseCommission', () => {
  it('cancels frozen commission on a full refund', () => {
    const entries = entriesOf(10_000n);
    const refund = reverseCommission(entries, 10_000n, 10_000n, T0 + DAY);
    expect(refund.reversals).toEqual([
      { orderId: 'o-1', kind: 'direct', beneficiary: 'did:p', amountFen: 1000n, action: 'cancel', atMs: T0 + DAY },
      { orderId: 'o-1', kind: 'override', beneficiary: 'did:up', amountFen: 300n, action: 'cancel', atMs: T0 + DAY },
    ]);
    expect([refund.cancelledFen, refund.clawedBackFen]).toEqual([1300n, 0n]);
    expect(refund.remaining.map((e) => e.amountFen)).toEqual([0n, 0n]);
  });

  it('claws back released commission as a debt', () => {
    const released = releaseDueCommissions(entriesOf(10_000n), T0 + 40 * DAY);
    const refund = reverseCommission(released, 2_500n, 10_000n, T0 + 41 * DAY);
    expect(refund.reversals.map((r) => [r.action, r.amountFen])).toEqual([
      ['clawback', 250n],
      ['clawback', 75n],
    ]);
    expect([refund.cancelledFen, refund.clawedBackFen]).toEqual([0n, 325n]);
    expect(refund.remaining.map((e) => [e.status, e.amountFen])).toEqual([
      ['released', 750n],
      ['released', 225n],
    ]);
  });

  it('treats a frozen and a released entry of one order each by its status', () => {
    const [direct, override] = entriesOf(10_000n) as [CommissionEntry, CommissionEntry];
    const refund = reverseCommission([{ ...direct, status: 'released' }, override], 10_000n, 10_000n, T0);
    expect(refund.reversals.map((r) => r.action)).toEqual(['clawback', 'cancel']);
  });

  it('rounds each reversal up, so what stays is never more than its share of what stays paid', () => {
    // 10% of 15 fen is 1.5 and the split rounded it up to 2: a third refunded gives back ⌈2/3⌉ = 1,
    // leaving 1 fen on 10 fen still paid, within its 10%.
    const entries = entriesOf(15n).filter((e) => e.kind === 'direct');
    expect(entries.map((e) => e.amountFen)).toEqual([2n]);
    expect(reverseCommission(entries, 5n, 15n, T0).reversals.map((r) => r.amountFen)).toEqual([1n]);
  });

  it('takes nothing on a zero refund, or from nothing', () => {
    expect(reverseCommission(entriesOf(10_000n), 0n, 10_000n, T0).reversals).toEqual([]);
    expect(reverseCommission([], 50n, 100n, T0)).toEqual({
      reversals: [],
      remaining: [],
      cancelledFen: 0n,
      clawedBackFen: 0n,
    });
  });

  it('refuses a refund over what is still paid, and entries it cannot reverse', () => {
    const entries = entriesOf(10_000n);
    expect(thrownIssues(() => reverseCommission(entries, 10_001n, 10_000n, T0))).toEqual([
      ['refund_exceeds_paid', 'refundFen'],
    ]);
    const other = { ...entries[1]!, orderId: 'o-2' };
    expect(thrownIssues(() => reverseCommission([entries[0]!, other], 1n, 10_000n, T0))).toEqual([
      ['invalid_entry', 'entries[1].orderId'],
    ]);
    expect(thrownIssues(() => reverseCommission(entries, 1n, 500n, T0))).toEqual([
      ['invalid_entry', 'entries[0].amountFen'],
    ]);
    expect(thrownIssues(() => reverseCommission([...entries, entries[0]!], 1n, 10_000n, T0))).toEqual([
      ['too_many_items', 'entries'],
    ]);
    expect(thrownIssues(() => reverseCommission(entries, -1n, 10_000n, T0))).toEqual([['invalid_amount', 'refundFen']]);
  });
});

describe('commissions always reverse exactly on refund (property)', () => {
  const paid = fc.bigInt({ min: 1n, max: 10n ** 11n });
  /** Cuts `total` into 1–6 positive refunds. */
  const refundsOf = (total: bigint, cuts: number[]) => {
    const points = [...new Set(cuts.map((c) => (total * BigInt(c)) / 1_000_000n))]
      .filter((p) => p > 0n && p < total)
      .sort((a, b) => (a < b ? -1 : 1));
    const bounds = [0n, ...points, total];
    return bounds.slice(1).map((b, i) => b - bounds[i]!);
  };

  it('successive partial refunds that add up to the order take back every commission entirely', () => {
    fc.assert(
      fc.property(
        paid,
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 10 }),
        (paidFen, cuts, seedLadder, releaseAfter) => {
          const original = seedLadder ? entriesOf(paidFen, SEED_SPLIT_POLICY, SEED_POLICY) : entriesOf(paidFen);
          const refunds = refundsOf(paidFen, cuts);
          expect(refunds.reduce((s, r) => s + r, 0n)).toBe(paidFen);
          let entries: CommissionEntry[] = original;
          let stillPaid = paidFen;
          let reversed = 0n;
          let cancelled = 0n;
          let clawedBack = 0n;
          refunds.forEach((refundFen, step) => {
            // Half-way the commissions may be released: later refunds claw back instead of cancelling.
            if (step === releaseAfter) entries = entries.map((e) => ({ ...e, status: 'released' as const }));
            const result = reverseCommission(entries, refundFen, stillPaid, T0 + step);
            expect(sum(result.reversals)).toBe(result.cancelledFen + result.clawedBackFen);
            reversed += sum(result.reversals);
            cancelled += result.cancelledFen;
            clawedBack += result.clawedBackFen;
            entries = result.remaining;
            stillPaid -= refundFen;
            // What stays is within its share of what stays paid (rounded up: the split's own bound).
            for (const entry of entries) {
              expect(entry.amountFen).toBeGreaterThanOrEqual(0n);
              const shareBps = BigInt(entry.kind === 'direct' ? (seedLadder ? 1500 : 1000) : seedLadder ? 500 : 300);
              expect(entry.amountFen * 10_000n).toBeLessThan(stillPaid * shareBps + 10_000n);
            }
          });
          expect(reversed).toBe(sum(original));
          expect(cancelled + clawedBack).toBe(sum(original));
          expect(entries.every((e) => e.amountFen === 0n)).toBe(true);
        },
      ),
    );
  });

  it('a full refund returns everything, for any split policy', () => {
    const bps = fc.integer({ min: 0, max: 2_500 });
    fc.assert(
      fc.property(paid, bps, bps, (paidFen, promoterShare, overrideShare) => {
        const split = validateSplitPolicy({
          ...DEFAULT_SPLIT_POLICY,
          promoterCommissionBps: promoterShare,
          teamOverrideBps: overrideShare,
        });
        const entries = entriesOf(paidFen, split);
        const result = reverseCommission(entries, paidFen, paidFen, T0);
        expect(result.reversals.map((r) => r.amountFen)).toEqual(entries.map((e) => e.amountFen));
      }),
    );
  });
});

describe('recoverDebt', () => {
  it('repays the debt from an earning first', () => {
    expect(recoverDebt(1000n, 300n)).toEqual({ payableFen: 700n, recoveredFen: 300n, debtLeftFen: 0n });
    expect(recoverDebt(200n, 300n)).toEqual({ payableFen: 0n, recoveredFen: 200n, debtLeftFen: 100n });
    expect(recoverDebt(200n, 0n)).toEqual({ payableFen: 200n, recoveredFen: 0n, debtLeftFen: 0n });
    expect(thrownIssues(() => recoverDebt(1n, -1n))).toEqual([['invalid_amount', 'debtFen']]);
  });
});
