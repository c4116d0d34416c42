/** Shared fixtures for the settlement tests (not part of the build). */
import fc from 'fast-check';
import { splitOrder } from '../money/order-split.js';
import { type SplitPolicy, validateSplitPolicy } from '../money/split-policy.js';
import type { CycleEntry, SettlementLine, SettlementOrder } from './order-settlement.js';

export const PLATFORM = 'platform';

export const sumFen = (items: Iterable<{ readonly amountFen: bigint }>): bigint => {
  let total = 0n;
  for (const item of items) total += item.amountFen;
  return total;
};

/**
 * Any valid split policy: six shares cut from [0, 10000] by sorted cut points, so they add up
 * to at most 10000 (exactly 10000, a zero supplier share, when the last cut is at 10000).
 */
export const splitPolicyArb: fc.Arbitrary<SplitPolicy> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 6, maxLength: 6 }),
    fc.constantFrom('supplier' as const, 'platform' as const),
  )
  .map(([cuts, unusedShareDestination]) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const share = (i: number) => sorted[i]! - (i === 0 ? 0 : sorted[i - 1]!);
    return validateSplitPolicy({
      experienceFeeBps: share(0),
      trustFeeBps: share(1),
      promoterCommissionBps: share(2),
      teamOverrideBps: share(3),
      consumerCashbackBps: share(4),
      platformServiceFeeBps: share(5),
      unusedShareDestination,
    });
  });

/** The commission legs (promoter commission + team override) and the supplier leg of an order. */
export function orderLegs(order: Omit<SettlementOrder, 'heldFen' | 'lines' | 'orderId'>): {
  commissionFen: bigint;
  supplierFen: bigint;
} {
  const legs = splitOrder({
    paidFen: order.paidFen,
    policy: order.policy,
    parties: {
      supplier: order.supplier,
      platform: PLATFORM,
      buyer: order.buyer,
      promoter: order.promoter,
      upline: order.upline,
    },
  });
  const of = (shares: readonly string[]) => sumFen(legs.filter((leg) => shares.includes(leg.share)));
  return { commissionFen: of(['promoter_commission', 'team_override']), supplierFen: of(['supplier']) };
}

const EXPERTS = ['did:expert:a', 'did:expert:b', 'did:expert:c'];
const SUPPLIERS = ['did:supplier:a', 'did:supplier:b'];

export const linesArb: fc.Arbitrary<SettlementLine[]> = fc.array(
  fc.record(
    {
      amountFen: fc.bigInt({ min: 0n, max: 1_000_000n }),
      expert: fc.constantFrom(...EXPERTS),
    },
    { requiredKeys: ['amountFen'] },
  ),
  { maxLength: 5 },
);

/**
 * A settleable order: heldFen is `heldPermille`‰ of its commission legs, so never more than them.
 */
export const orderArb = (orderId: string): fc.Arbitrary<SettlementOrder> =>
  fc
    .record({
      paidFen: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      policy: splitPolicyArb,
      supplier: fc.constantFrom(...SUPPLIERS),
      promoter: fc.option(fc.constant('did:promoter'), { nil: undefined }),
      upline: fc.option(fc.constant('did:upline'), { nil: undefined }),
      heldPermille: fc.integer({ min: 0, max: 1_000 }),
      lines: linesArb,
    })
    .map(({ heldPermille, ...rest }) => {
      const base = { orderId, buyer: 'did:buyer', ...rest };
      const { commissionFen } = orderLegs(base);
      return { ...base, heldFen: (commissionFen * BigInt(heldPermille)) / 1_000n };
    });

/** The kinds an adjustment (a reversal of an earlier cycle's settlement) may carry. */
const ADJUSTMENT_KINDS = [
  'supplier',
  'platform_service_fee',
  'cashback',
  'unused_share',
  'experience_pool',
  'trust_pool',
  'expert_fee',
] as const;

export const adjustmentArb: fc.Arbitrary<CycleEntry> = fc
  .record({
    kind: fc.constantFrom(...ADJUSTMENT_KINDS),
    supplier: fc.constantFrom(...SUPPLIERS),
    expert: fc.constantFrom(...EXPERTS),
    amountFen: fc.bigInt({ min: -(10n ** 11n), max: -1n }),
  })
  .map(({ kind, supplier, expert, amountFen }) => ({
    kind,
    party:
      kind === 'supplier'
        ? supplier
        : kind === 'experience_pool'
          ? 'pool:experience'
          : kind === 'trust_pool'
            ? 'pool:trust'
            : kind === 'expert_fee'
              ? expert
              : PLATFORM,
    amountFen,
  }));
