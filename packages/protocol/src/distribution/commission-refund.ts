import { ceilDiv, minBig, requireAmount, requireList, requireTimeMs } from './checks.js';
import type { CommissionEntry, CommissionKind } from './commission.js';
import { DistributionError } from './distribution-error.js';

/**
 * Commissions on refund (DESIGN §6, §9): a refund takes back, from every commission of the order,
 * the refunded fraction of what it still holds. Commission still frozen is cancelled; commission
 * already released is clawed back, as a debt recovered from the beneficiary's later earnings.
 */

export type ReversalAction = 'cancel' | 'clawback';

export interface CommissionReversal {
  readonly orderId: string;
  readonly kind: CommissionKind;
  readonly beneficiary: string;
  /** What is taken back: positive. */
  readonly amountFen: bigint;
  /** 'cancel' for a frozen entry, 'clawback' (a debt) for a released one. */
  readonly action: ReversalAction;
  readonly atMs: number;
}

export interface CommissionRefund {
  /** One per entry that loses something, in the entries' order. */
  readonly reversals: CommissionReversal[];
  /** Every entry as it stands after the refund (amounts reduced, none left out): pass these to the next refund. */
  readonly remaining: CommissionEntry[];
  readonly cancelledFen: bigint;
  /** New debt: released commission the beneficiaries must give back. */
  readonly clawedBackFen: bigint;
}

/** The most commission entries one order can have: a direct commission and an override. */
const MAX_ENTRIES_PER_ORDER = 2;

/**
 * The reversal of `refundFen` out of `paidFen`, where `paidFen` is what of the order is still
 * paid (the paid amount less earlier refunds) and `entries` are the order's commissions as they
 * stand now (the `remaining` of the previous refund). Each entry gives back
 * ⌈amount · refund / paid⌉:
 * - a full refund (refundFen = paidFen) takes back every entry entirely;
 * - successive partial refunds add up to exactly the full reversal: what is left after each is
 *   ⌊amount · (paid − refund) / paid⌋, and the last refund takes all of that;
 * - rounding up the reversal (down what is left) keeps each remaining commission within its share
 *   of the remaining paid amount, the same bound the split put on it.
 * A frozen entry is cancelled, a released one clawed back; `nowMs` stamps the reversals.
 *
 * Throws `DistributionError`: `invalid_amount`, `invalid_time`, `refund_exceeds_paid` (refundFen
 * over paidFen), `invalid_entry` (entries of several orders, more than two, or an entry holding
 * more than the order's remaining paid amount), `too_many_items`.
 */
export function reverseCommission(
  entries: readonly CommissionEntry[],
  refundFen: bigint,
  paidFen: bigint,
  nowMs: number,
): CommissionRefund {
  requireList(entries, 'entries', MAX_ENTRIES_PER_ORDER, 'the commissions of one order');
  requireAmount(refundFen, 'refundFen', 'the refund');
  requireAmount(paidFen, 'paidFen', 'the paid amount');
  requireTimeMs(nowMs, 'nowMs');
  if (refundFen > paidFen) {
    throw new DistributionError(
      'refund_exceeds_paid',
      'refundFen',
      `the refund of ${refundFen} fen exceeds the ${paidFen} fen still paid`,
    );
  }
  const orderId = entries[0]?.orderId;
  entries.forEach((entry, index) => {
    requireAmount(entry.amountFen, `entries[${index}].amountFen`, 'a commission');
    if (entry.orderId !== orderId) {
      throw new DistributionError('invalid_entry', `entries[${index}].orderId`, 'the entries are of several orders');
    }
    if (entry.amountFen > paidFen) {
      throw new DistributionError(
        'invalid_entry',
        `entries[${index}].amountFen`,
        'a commission cannot hold more than the order still paid: pass the entries as they stand',
      );
    }
  });

  const reversals: CommissionReversal[] = [];
  const remaining: CommissionEntry[] = [];
  let cancelledFen = 0n;
  let clawedBackFen = 0n;
  for (const entry of entries) {
    // paidFen > 0 here whenever refundFen > 0; a zero refund takes nothing.
    const takenFen = refundFen === 0n ? 0n : minBig(entry.amountFen, ceilDiv(entry.amountFen * refundFen, paidFen));
    remaining.push({ ...entry, amountFen: entry.amountFen - takenFen });
    if (takenFen === 0n) continue;
    const action: ReversalAction = entry.status === 'released' ? 'clawback' : 'cancel';
    if (action === 'cancel') cancelledFen += takenFen;
    else clawedBackFen += takenFen;
    reversals.push({
      orderId: entry.orderId,
      kind: entry.kind,
      beneficiary: entry.beneficiary,
      amountFen: takenFen,
      action,
      atMs: nowMs,
    });
  }
  return { reversals, remaining, cancelledFen, clawedBackFen };
}

export interface DebtRecovery {
  /** What the beneficiary receives of the earning. */
  readonly payableFen: bigint;
  /** What the earning repays of the debt. */
  readonly recoveredFen: bigint;
  readonly debtLeftFen: bigint;
}

/**
 * A clawback debt recovered from a later earning (a released commission): the earning repays the
 * debt first, and only the rest is paid out. payable + recovered = earning, and the debt left is
 * the debt less what was recovered.
 */
export function recoverDebt(earningFen: bigint, debtFen: bigint): DebtRecovery {
  requireAmount(earningFen, 'earningFen', 'the earning');
  requireAmount(debtFen, 'debtFen', 'the debt');
  const recoveredFen = minBig(earningFen, debtFen);
  return { payableFen: earningFen - recoveredFen, recoveredFen, debtLeftFen: debtFen - recoveredFen };
}
