import {
  CommerceError,
  DEFAULT_SPLIT_POLICY,
  MoneyError,
  orderTotalFen,
  resolveSplitPolicy,
  type SplitPolicy,
  splitPolicyHash,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { rows } from '../../db/connection.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { createAccounts } from '../accounting/ledger.js';
import { releaseStock, reserveStock, type SkuForSale, skusToSell } from '../catalog/sales.js';
import { snapshotAttribution } from '../distribution/attribution.js';
import { holdCheckoutPoints, releaseCheckoutPoints, settleCheckoutPoints } from '../distribution/points-checkout.js';
import { distributionPolicy } from '../distribution/policy.js';
import { defineEvent } from '../events/registry.js';
import { createPayment } from '../payments/service.js';
import { ORDER_CANCELLED_BODY, ORDER_PAID_BODY, ORDER_PLACED_BODY } from './schema.js';
import { loadOrder, moneyDueOf, setOrderStatus } from './store.js';
import { appOf, requirePlatform, roleInOrder, transition } from './transitions.js';

/** What checkout sends beside the envelope: never on the log. */
export interface PlacementPrivateData {
  address: { recipient: string; phone: string; region: string; detail: string };
  simulate?: 'succeed' | 'fail' | 'timeout' | undefined;
}

/** The split policy of a SKU's category (DESIGN §7: defaults, then the category's override). */
export function policyOf(sku: SkuForSale): SplitPolicy {
  try {
    return resolveSplitPolicy(
      DEFAULT_SPLIT_POLICY,
      sku.categorySplitOverride === null ? {} : { [sku.category]: sku.categorySplitOverride },
      {},
      { categoryId: sku.category },
    );
  } catch (error) {
    if (error instanceof MoneyError) throw new AppError(500, 'policy_invalid', error.message);
    throw error;
  }
}

export const escrowAccountOf = (orderId: string) => `escrow:order:${orderId}`;
export const paymentIdOf = (orderId: string) => `order-${orderId}`;

export const orderPlaced = defineEvent({
  type: 'orders.order.placed',
  summary:
    'The buyer places an order with one producer (sent through POST /v1/checkout, which adds the shipping address off the log).',
  body: ORDER_PLACED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const { tx, actor, now, eventId } = event;
    const ctx = appOf(event);
    const placement = event.privateData as PlacementPrivateData | undefined;
    if (placement?.address === undefined) {
      throw badRequest('use_checkout', 'Orders are placed through POST /v1/checkout, with a shipping address.');
    }
    const skus = await skusToSell(
      tx,
      body.items.map((item) => item.skuId),
    );
    const seen = new Set<string>();
    const changes: { skuId: string; signed: string; current: string }[] = [];
    const lines = body.items.map((item, i) => {
      const field = `body.items[${i}]`;
      if (seen.has(item.skuId)) throw badRequest('duplicate_item', `${item.skuId} appears twice.`, `${field}.skuId`);
      seen.add(item.skuId);
      const sku = skus.get(item.skuId);
      if (sku === undefined) throw notFound(`SKU ${item.skuId}`, `${field}.skuId`);
      if (sku.productStatus !== 'listed')
        throw conflict('not_for_sale', `${sku.titleZh} (${item.skuId}) is not on sale.`, `${field}.skuId`);
      if (sku.producerDid !== body.producer)
        throw new AppError(
          422,
          'producer_mismatch',
          `${item.skuId} is not sold by ${body.producer}.`,
          `${field}.skuId`,
        );
      if (BigInt(item.unitPriceFen) !== sku.priceFen)
        changes.push({ skuId: item.skuId, signed: item.unitPriceFen, current: sku.priceFen.toString() });
      return {
        sku,
        line: { skuId: item.skuId, productId: sku.productId, quantity: item.quantity, unitPriceFen: sku.priceFen },
      };
    });
    if (changes.length > 0) {
      throw new AppError(
        409,
        'price_changed',
        'Prices changed since the order was prepared: get a new quote, check it and sign again.',
        'body.items',
        { changes },
      );
    }
    let total: bigint;
    try {
      total = orderTotalFen(lines.map((l) => l.line));
    } catch (error) {
      if (error instanceof CommerceError) throw badRequest(error.code, error.message, `body.${error.field}`);
      throw error;
    }
    if (total.toString() !== body.totalFen) {
      throw new AppError(
        422,
        'total_mismatch',
        `The items add up to ${total} fen, not ${body.totalFen}.`,
        'body.totalFen',
      );
    }
    const policies = [...new Set(lines.map((l) => JSON.stringify(policyOf(l.sku))))];
    if (policies.length > 1) {
      throw new AppError(
        422,
        'mixed_policies',
        'These items fall under different split policies: place them as separate orders (a quote does so).',
        'body.items',
      );
    }
    const policy = JSON.parse(policies[0] as string) as SplitPolicy;
    if (splitPolicyHash(ctx.crypto, policy) !== body.policyHash) {
      throw conflict(
        'policy_changed',
        'The split policy changed since the order was prepared: get a new quote.',
        'body.policyHash',
      );
    }
    const attribution = await snapshotAttribution(
      tx,
      distributionPolicy(ctx),
      body.attribution,
      actor,
      body.producer,
      now,
    );
    try {
      await reserveStock(
        tx,
        lines.map((l) => l.line),
      );
    } catch (error) {
      if (error instanceof AppError && error.field !== undefined) {
        throw new AppError(error.status, error.code, error.message, `body.${error.field}`, error.details);
      }
      throw error;
    }
    const escrowAccount = escrowAccountOf(body.orderId);
    const paymentId = paymentIdOf(body.orderId);
    const payBy = new Date(now.getTime() + ctx.config.orderPaymentMinutes * 60_000);
    const { address } = placement;
    const points = await holdCheckoutPoints(ctx, tx, {
      orderId: body.orderId,
      buyer: actor,
      totalFen: total,
      pointsSpent: BigInt(body.pointsSpent ?? '0'),
      now,
    });
    const moneyDue = moneyDueOf({ totalFen: total, pointsFen: points.pointsFen });
    // Paid in full with points: nothing for a payment provider to do, so the order is paid now.
    const status = moneyDue === 0n ? 'paid' : 'created';
    const [inserted] = await rows<{ id: string }>(
      tx,
      sql`insert into orders (id, buyer_did, producer_did, status, total_fen, points_spent, points_fen, currency, policy, policy_hash, attribution,
                              escrow_account, payment_id, placed_event_id, ship_recipient, ship_phone, ship_region, ship_detail,
                              pay_by, paid_at, created_at)
          values (${body.orderId}, ${actor}, ${body.producer}, ${status}, ${total.toString()}::int8,
                  ${points.pointsSpent.toString()}::int8, ${points.pointsFen.toString()}::int8, ${body.currency},
                  ${JSON.stringify(policy)}::jsonb, ${body.policyHash},
                  ${attribution === null ? null : JSON.stringify(attribution)}::jsonb, ${escrowAccount}, ${paymentId}, ${eventId.toString()}::int8,
                  ${address.recipient}, ${address.phone}, ${address.region}, ${address.detail},
                  ${payBy.toISOString()}::timestamptz, ${status === 'paid' ? now.toISOString() : null}::timestamptz,
                  ${now.toISOString()}::timestamptz)
          on conflict (id) do nothing returning id`,
    );
    if (inserted === undefined) throw conflict('order_exists', `Order ${body.orderId} exists.`, 'body.orderId');
    // Each line keeps the model version its product claims against now: that model's expert
    // earns from the sale, whatever the product is republished under before the cycle closes.
    await tx.execute(
      sql`insert into order_lines (order_id, position, sku_id, product_id, title_zh, title_en, quantity, unit_price_fen,
                                   model_id, model_version)
          values ${sql.join(
            lines.map(
              (l, i) =>
                sql`(${body.orderId}, ${i}, ${l.line.skuId}, ${l.line.productId}, ${l.sku.titleZh}, ${l.sku.titleEn}, ${l.line.quantity}, ${l.line.unitPriceFen.toString()}::int8,
                     ${l.sku.modelId}, ${l.sku.modelVersion}::int)`,
            ),
            sql`, `,
          )}`,
    );
    await tx.execute(
      sql`delete from order_carts where buyer_did = ${actor} and sku_id in ${body.items.map((item) => item.skuId)}`,
    );
    const [escrow] = await createAccounts(tx, [{ key: escrowAccount, ledger: body.currency, code: 'escrow' }]);
    const paid = { id: body.orderId, buyerDid: actor, totalFen: total, escrowAccount, ...points };
    if (status === 'paid') {
      await settleCheckoutPoints(tx, paid, now);
    } else {
      await createPayment(ctx, tx, {
        id: paymentId,
        escrowAccount,
        escrow,
        amount: moneyDue,
        ledger: body.currency,
        simulate: placement.simulate,
        purpose: 'order',
        reference: body.orderId,
      });
    }
    return {
      orderId: body.orderId,
      status,
      totalFen: total.toString(),
      ...(points.pointsSpent > 0n
        ? { pointsSpent: points.pointsSpent.toString(), pointsFen: points.pointsFen.toString() }
        : {}),
      moneyDueFen: moneyDue.toString(),
      payBy: payBy.toISOString(),
      paymentId,
    };
  },
});

export const orderPaid = defineEvent({
  type: 'orders.order.paid',
  summary: "The platform records that an order's payment is held in escrow (from the provider's webhook).",
  body: ORDER_PAID_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform records payments, from the provider.');
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    if (body.paymentId !== order.paymentId)
      throw new AppError(422, 'payment_mismatch', `Order ${order.id} is paid by ${order.paymentId}.`, 'body.paymentId');
    const status = transition(order, 'pay', 'system');
    await settleCheckoutPoints(event.tx, order, event.now);
    await setOrderStatus(event.tx, order.id, status, [sql`paid_at = ${event.now.toISOString()}::timestamptz`]);
    return { orderId: order.id, status };
  },
});

export const orderCancelled = defineEvent({
  type: 'orders.order.cancelled',
  summary:
    'An unpaid order is cancelled: by its buyer or the operator, or by the platform when payment failed or the payment window passed. Its stock returns.',
  body: ORDER_CANCELLED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const order = await loadOrder(event.tx, body.orderId, { lock: true });
    const systemReason = body.reason === 'expired' || body.reason === 'payment_failed';
    if (systemReason) requirePlatform(event, `Only the platform cancels an order as ${body.reason}.`);
    if (body.reason === 'buyer' && event.actor !== order.buyerDid)
      throw forbidden('not_your_order', 'Only the buyer cancels an order as the buyer.');
    const action = body.reason === 'expired' ? 'expire' : body.reason === 'payment_failed' ? 'fail_payment' : 'cancel';
    const status = transition(order, action, systemReason ? 'system' : roleInOrder(event, order));
    if (body.reason === 'expired' && order.payBy.getTime() > event.now.getTime())
      throw conflict('not_due', `Order ${order.id} may be paid until ${order.payBy.toISOString()}.`, 'body.orderId');
    await releaseStock(
      event.tx,
      order.lines.map((line) => ({ skuId: line.skuId, quantity: line.quantity })),
    );
    await releaseCheckoutPoints(event.tx, order, event.now);
    await setOrderStatus(event.tx, order.id, status, [
      sql`cancelled_at = ${event.now.toISOString()}::timestamptz`,
      sql`cancel_reason = ${body.reason}`,
    ]);
    return { orderId: order.id, status, reason: body.reason };
  },
});
