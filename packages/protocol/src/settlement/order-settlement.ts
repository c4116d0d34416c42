import { byId } from '../consensus/checks.js';
import { allocate } from '../money/allocate.js';
import { MoneyError } from '../money/money-error.js';
import { EXPERIENCE_POOL_PARTY, splitOrder, TRUST_POOL_PARTY } from '../money/order-split.js';
import type { SplitPolicy } from '../money/split-policy.js';

/**
 * What the settlement of one order moves out of its escrow (DESIGN §6, §7): the split policy
 * snapshotted on the order cuts what the order still has paid into its legs. The commission legs
 * are the distribution module's business — it holds the commissions on the escrow at completion
 * and releases them when their freeze ends — so the settlement moves only what those holds leave
 * of the two legs, to the policy's unused-share destination. Everything else leaves the escrow
 * here: to the supplier, the platform (its service fee, and the cashback fen that back the points
 * the buyer earned), and the cycle's two pools. Pure: the server and `concord verify` compute it
 * alike.
 */

/** The account kinds a settlement pays into; a cycle's Merkle leaves are (party, kind, amount). */
export type SettlementKind =
  | 'supplier'
  | 'platform_service_fee'
  | 'cashback'
  | 'unused_share'
  | 'experience_expert'
  | 'experience_tester'
  | 'experience_nominator'
  | 'experience_platform'
  | 'trust_fee';

export const SETTLEMENT_KINDS: readonly SettlementKind[] = [
  'supplier',
  'platform_service_fee',
  'cashback',
  'unused_share',
  'experience_expert',
  'experience_tester',
  'experience_nominator',
  'experience_platform',
  'trust_fee',
];

/** One line of an order, as far as the experts' share cares: what it paid and whose model its product uses. */
export interface SettlementLine {
  readonly amountFen: bigint;
  readonly expert?: string | undefined;
}

export interface SettlementOrder {
  readonly orderId: string;
  /** What the order still has paid (its total less refunds) when it is settled. */
  readonly paidFen: bigint;
  /** The commissions held on its escrow (they stay there, see above). */
  readonly heldFen: bigint;
  readonly policy: SplitPolicy;
  readonly supplier: string;
  readonly buyer: string;
  readonly promoter?: string | undefined;
  readonly upline?: string | undefined;
  readonly lines: readonly SettlementLine[];
}

/** What a cycle adds up: a party's leg, a pool's intake, or an expert's part of the experience fees. */
export type CycleEntryKind = SettlementKind | 'experience_pool' | 'trust_pool' | 'expert_fee';

export interface CycleEntry {
  readonly kind: CycleEntryKind;
  readonly party: string;
  readonly amountFen: bigint;
}

export interface OrderSettlement {
  readonly orderId: string;
  /** paidFen − heldFen: what leaves the escrow. */
  readonly movedFen: bigint;
  /** The legs to parties, the two pools' intake and the experts' fee parts (not money: weights). */
  readonly entries: CycleEntry[];
}

const COMMISSION_SHARES = new Set(['promoter_commission', 'team_override']);

/**
 * The settlement of one order. The money entries (every kind but 'expert_fee') add up to
 * `movedFen` exactly. Should the holds ever exceed the commission legs (a fen of rounding after
 * partial refunds), the supplier's leg makes up the difference, so the escrow always empties.
 *
 * Throws `MoneyError`: `splitOrder`'s errors, and `invalid_amount` when heldFen is negative or
 * more than the order's commission legs and supplier leg together.
 */
export function settleOrder(order: SettlementOrder, platform: string): OrderSettlement {
  const legs = splitOrder({
    paidFen: order.paidFen,
    policy: order.policy,
    parties: {
      supplier: order.supplier,
      platform,
      buyer: order.buyer,
      promoter: order.promoter,
      upline: order.upline,
    },
  });
  if (typeof order.heldFen !== 'bigint' || order.heldFen < 0n)
    throw new MoneyError('invalid_amount', 'heldFen', 'the held commissions are a non-negative bigint of fen');
  let commissionFen = 0n;
  let supplierFen = 0n;
  let experienceFen = 0n;
  const entries: CycleEntry[] = [];
  for (const leg of legs) {
    if (COMMISSION_SHARES.has(leg.share)) commissionFen += leg.amountFen;
    else if (leg.share === 'supplier') supplierFen += leg.amountFen;
    else if (leg.share === 'experience_fee') {
      experienceFen = leg.amountFen;
      entries.push({ kind: 'experience_pool', party: EXPERIENCE_POOL_PARTY, amountFen: leg.amountFen });
    } else if (leg.share === 'trust_fee')
      entries.push({ kind: 'trust_pool', party: TRUST_POOL_PARTY, amountFen: leg.amountFen });
    else if (leg.share === 'consumer_cashback')
      entries.push({ kind: 'cashback', party: platform, amountFen: leg.amountFen });
    else entries.push({ kind: 'platform_service_fee', party: platform, amountFen: leg.amountFen });
  }
  let unusedFen = commissionFen - order.heldFen;
  if (unusedFen < 0n) {
    supplierFen += unusedFen;
    unusedFen = 0n;
    if (supplierFen < 0n)
      throw new MoneyError(
        'invalid_amount',
        'heldFen',
        `the held commissions exceed what order ${order.orderId} can pay`,
      );
  }
  const unusedTo = order.policy.unusedShareDestination === 'platform' ? platform : order.supplier;
  if (unusedFen > 0n) entries.push({ kind: 'unused_share', party: unusedTo, amountFen: unusedFen });
  if (supplierFen > 0n) entries.push({ kind: 'supplier', party: order.supplier, amountFen: supplierFen });

  const lineTotal = order.lines.reduce((sum, line) => sum + line.amountFen, 0n);
  if (experienceFen > 0n && lineTotal > 0n) {
    const parts = allocate(
      experienceFen,
      order.lines.map((line) => line.amountFen),
    );
    order.lines.forEach((line, i) => {
      if (line.expert !== undefined && parts[i]! > 0n)
        entries.push({ kind: 'expert_fee', party: line.expert, amountFen: parts[i]! });
    });
  }
  return { orderId: order.orderId, movedFen: order.paidFen - order.heldFen, entries };
}

/** Entries summed by (kind, party), zero sums left out, sorted by kind then party. */
export const sumEntries = (entries: Iterable<CycleEntry>): CycleEntry[] =>
  sumByKey(entries, (entry) => [entry.kind, entry.party]).map(({ key: [kind, party], amountFen }) => ({
    kind: kind as CycleEntryKind,
    party,
    amountFen,
  }));

/**
 * Amounts summed by a two-part key, zero sums left out, sorted by the key (first part, then
 * second): a cycle's entries by (kind, party), its leaves by (party, kind).
 */
export function sumByKey<T extends { readonly amountFen: bigint }>(
  items: Iterable<T>,
  keyOf: (item: T) => readonly [string, string],
): { key: readonly [string, string]; amountFen: bigint }[] {
  const sums = new Map<string, { key: readonly [string, string]; amountFen: bigint }>();
  for (const item of items) {
    const key = keyOf(item);
    const id = `${key[0]}\n${key[1]}`;
    sums.set(id, { key, amountFen: (sums.get(id)?.amountFen ?? 0n) + item.amountFen });
  }
  return [...sums.values()]
    .filter((sum) => sum.amountFen !== 0n)
    .sort((a, b) => byId(a.key[0], b.key[0]) || byId(a.key[1], b.key[1]));
}

/** Whether an entry moves money (an expert's fee part is only a weight). */
export const isMoneyEntry = (entry: CycleEntry) => entry.kind !== 'expert_fee';
