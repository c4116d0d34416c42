import { DistributionError, spendPointsAtCheckout } from '@concord/protocol';
import type { AppContext } from '../../context.js';
import type { Executor, Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import type { Order } from '../orders/store.js';
import { available, ensurePoints, pointsAccount } from './accounts.js';
import { ensurePointSinks, POINTS_SPENT } from './points-ledger.js';
import { distributionPolicy } from './policy.js';

/**
 * Paying part of an order with points (DESIGN §9, issue 6: "spend at checkout at a configured
 * rate"). Points are the platform's promise, so the platform keeps it: the order's total and its
 * split stay what the goods cost, the buyer pays the rest in money, and when the order is paid the
 * platform puts the fen the points cover into the order's escrow (`platform:points_redemption`, a
 * CNY account with no limit: its debit balance is what points have cost the platform). The
 * points themselves are held on the POINTS ledger from placement (buyer → `points:spent`, pending)
 * and taken when the order is paid; a cancelled order voids the hold.
 *
 * A refund gives back points and money in the proportion the order was paid, cumulatively, so
 * that the last refund returns exactly what is left of each: after refunds adding up to R of a
 * total T paid with F fen of points, floor(F·R/T) fen of points came back and the rest was money.
 */

export const POINTS_REDEMPTION = 'platform:points_redemption';

const holdIdOf = (orderId: string) => `order:${orderId}:points`;

/** What the points side of an order needs to know of it. */
type PointsPaid = Pick<Order, 'id' | 'buyerDid' | 'totalFen' | 'pointsSpent' | 'pointsFen' | 'escrowAccount'>;

const CHECKOUT_REFUSALS: Record<string, number> = { insufficient_points: 409 };

/**
 * Checks the points a buyer signed to spend on an order and holds them. The body names the exact
 * number, so the buyer never pays with more or fewer points than they signed for: a number that is
 * not a whole number of fen at the rate, or above the policy's cap, is refused with what would do.
 */
export async function holdCheckoutPoints(
  ctx: AppContext,
  tx: Tx,
  input: { orderId: string; buyer: string; totalFen: bigint; pointsSpent: bigint; now: Date },
): Promise<{ pointsSpent: bigint; pointsFen: bigint }> {
  if (input.pointsSpent === 0n) return { pointsSpent: 0n, pointsFen: 0n };
  await ensurePoints(tx, input.buyer);
  await ensurePointSinks(tx);
  const held = await available(tx, pointsAccount(input.buyer));
  let paid: ReturnType<typeof spendPointsAtCheckout>;
  try {
    paid = spendPointsAtCheckout(
      { orderFen: input.totalFen, pointsOffered: input.pointsSpent, heldPoints: held },
      distributionPolicy(ctx),
    );
  } catch (error) {
    if (!(error instanceof DistributionError)) throw error;
    throw new AppError(CHECKOUT_REFUSALS[error.code] ?? 422, error.code, error.message, 'body.pointsSpent');
  }
  if (paid.pointsSpent !== input.pointsSpent) {
    throw new AppError(
      422,
      'points_not_usable',
      `${input.pointsSpent} points cannot pay this order exactly: ${paid.pointsSpent} points would pay ${paid.fenCovered} fen. Get a new quote.`,
      'body.pointsSpent',
      { usablePoints: paid.pointsSpent.toString(), fenCovered: paid.fenCovered.toString() },
    );
  }
  await createTransfers(
    tx,
    [
      {
        id: holdIdOf(input.orderId),
        debitAccount: pointsAccount(input.buyer),
        creditAccount: POINTS_SPENT,
        amount: paid.pointsSpent,
        code: 'points_checkout',
        reference: input.orderId,
        pending: true,
      },
    ],
    input.now,
  );
  return { pointsSpent: paid.pointsSpent, pointsFen: paid.fenCovered };
}

/** The order is paid: its points are taken and the platform puts the fen they cover into escrow. */
export async function settleCheckoutPoints(tx: Tx, order: PointsPaid, now: Date): Promise<void> {
  if (order.pointsSpent === 0n) return;
  await createAccounts(tx, [{ key: POINTS_REDEMPTION, ledger: 'CNY', code: 'points_redemption' }]);
  await createTransfers(
    tx,
    [
      { id: `${holdIdOf(order.id)}:post`, postPending: holdIdOf(order.id), code: 'points_checkout' },
      {
        id: `${holdIdOf(order.id)}:fen`,
        debitAccount: POINTS_REDEMPTION,
        creditAccount: order.escrowAccount,
        amount: order.pointsFen,
        code: 'points_redemption',
        reference: order.id,
      },
    ],
    now,
  );
}

/** The order was cancelled before it was paid: its points return to the buyer. */
export async function releaseCheckoutPoints(tx: Tx, order: PointsPaid, now: Date): Promise<void> {
  if (order.pointsSpent === 0n) return;
  await createTransfers(
    tx,
    [{ id: `${holdIdOf(order.id)}:void`, voidPending: holdIdOf(order.id), code: 'points_checkout' }],
    now,
  );
}

/**
 * A refund of `amountFen` of a paid order, after `refundedFen` had been refunded: gives back the
 * points' part (points to the buyer, their fen from escrow to the platform) and returns the money
 * part, which the caller refunds through the payment provider.
 */
export async function refundCheckoutPoints(
  tx: Tx,
  order: PointsPaid & Pick<Order, 'refundedFen'>,
  refundId: string,
  amountFen: bigint,
  now: Date,
): Promise<{ pointsFen: bigint; points: bigint; moneyFen: bigint }> {
  if (order.pointsSpent === 0n) return { pointsFen: 0n, points: 0n, moneyFen: amountFen };
  const coveredBy = (refunded: bigint) => (order.pointsFen * refunded) / order.totalFen;
  const pointsFen = coveredBy(order.refundedFen + amountFen) - coveredBy(order.refundedFen);
  const rate = order.pointsSpent / order.pointsFen;
  const points = pointsFen * rate;
  if (pointsFen > 0n) {
    const id = `${holdIdOf(order.id)}:refund:${refundId}`;
    await createTransfers(
      tx,
      [
        {
          id,
          debitAccount: POINTS_SPENT,
          creditAccount: pointsAccount(order.buyerDid),
          amount: points,
          code: 'points_refund',
          reference: order.id,
        },
        {
          id: `${id}:fen`,
          debitAccount: order.escrowAccount,
          creditAccount: POINTS_REDEMPTION,
          amount: pointsFen,
          code: 'points_redemption',
          reference: order.id,
        },
      ],
      now,
    );
  }
  return { pointsFen, points, moneyFen: amountFen - pointsFen };
}

/**
 * How many points the quote should put on each order when the buyer asks to use up to `wanted`
 * points: the orders in turn, each as much as its cap allows, never more than held.
 */
export async function pointsForQuote(
  ctx: AppContext,
  executor: Executor,
  buyer: string,
  wanted: bigint,
  totals: readonly bigint[],
): Promise<{ held: bigint; perOrder: { pointsSpent: bigint; pointsFen: bigint }[] }> {
  const held = await available(executor, pointsAccount(buyer));
  let left = wanted < held ? wanted : held;
  const perOrder = totals.map((orderFen) => {
    const paid = spendPointsAtCheckout({ orderFen, pointsOffered: left, heldPoints: left }, distributionPolicy(ctx));
    left -= paid.pointsSpent;
    return { pointsSpent: paid.pointsSpent, pointsFen: paid.fenCovered };
  });
  return { held, perOrder };
}
