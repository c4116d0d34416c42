import { ORDER_STATUSES, type OrderStatus } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows } from '../../db/connection.js';
import { AppError, badRequest, notFound } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { checkoutOrigin, screenPlacedOrder } from '../distribution/signals.js';
import { ENVELOPE_SCHEMA } from '../events/schema.js';
import { RECEIPT_SCHEMA, receiptView, sequenceReceipts, submitEnvelope } from '../events/service.js';
import { authenticate } from '../identity/service.js';
import { findPayment } from '../payments/service.js';
import { ADDRESSES_MAX, deleteAddress, listAddresses, saveAddress } from './addresses.js';
import { cartItems, quoteCart, setCartItem } from './cart.js';
import type { PlacementPrivateData } from './events-placement.js';
import { ADDRESS_ID, ADDRESS_INPUT, ORDER_ID, SKU_ID } from './schema.js';
import { findOrder, listOrders, loadOrder, moneyDueOf, type Order, orderRefunds } from './store.js';

const ORDER_VIEW = z.object({
  id: z.string(),
  buyer: z.string(),
  producer: z.string(),
  status: z.enum(ORDER_STATUSES as [OrderStatus, ...OrderStatus[]]),
  totalFen: z.string(),
  pointsSpent: z.string().describe('Points the buyer paid with (0: none).'),
  pointsFen: z.string().describe('The fen those points covered.'),
  moneyFen: z.string().describe('What was paid in money: totalFen less pointsFen.'),
  refundedFen: z.string(),
  currency: z.string(),
  policyHash: z.string(),
  paymentId: z.string(),
  paymentStatus: z.string().optional(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable().optional(),
  shipping: z.object({ recipient: z.string(), phone: z.string(), region: z.string(), detail: z.string() }).optional(),
  payBy: z.string(),
  paidAt: z.string().nullable(),
  shippedAt: z.string().nullable(),
  deliverBy: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  returnWindowEnds: z.string().nullable(),
  completedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  createdAt: z.string(),
  lines: z.array(
    z.object({
      position: z.number(),
      skuId: z.string(),
      productId: z.string(),
      titleZh: z.string(),
      titleEn: z.string().nullable().describe('the English title when the order was placed, if any'),
      quantity: z.number(),
      unitPriceFen: z.string(),
      refundedQuantity: z.number(),
    }),
  ),
  refunds: z
    .array(
      z.object({
        refundId: z.string(),
        status: z.string(),
        amountFen: z.string(),
        lines: z.array(z.object({ position: z.number(), quantity: z.number() })),
        reason: z.string(),
        decisionReason: z.string().nullable(),
        createdAt: z.string(),
      }),
    )
    .optional(),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** An order as its buyer or producer sees it; the address and tracking number only to them. */
function orderView(order: Order, viewer: string) {
  const party = viewer === order.buyerDid || viewer === order.producerDid;
  return {
    id: order.id,
    buyer: order.buyerDid,
    producer: order.producerDid,
    status: order.status,
    totalFen: order.totalFen.toString(),
    pointsSpent: order.pointsSpent.toString(),
    pointsFen: order.pointsFen.toString(),
    moneyFen: moneyDueOf(order).toString(),
    refundedFen: order.refundedFen.toString(),
    currency: order.currency,
    policyHash: order.policyHash,
    paymentId: order.paymentId,
    carrier: order.carrier,
    ...(party ? { shipping: order.shipping, trackingNumber: order.trackingNumber } : {}),
    payBy: order.payBy.toISOString(),
    paidAt: iso(order.paidAt),
    shippedAt: iso(order.shippedAt),
    deliverBy: iso(order.deliverBy),
    deliveredAt: iso(order.deliveredAt),
    returnWindowEnds: iso(order.completeAt),
    completedAt: iso(order.completedAt),
    cancelledAt: iso(order.cancelledAt),
    cancelReason: order.cancelReason,
    createdAt: order.createdAt.toISOString(),
    lines: order.lines.map((line) => ({ ...line, unitPriceFen: line.unitPriceFen.toString() })),
  };
}

const CART_VIEW = z.object({
  items: z.array(
    z.object({
      skuId: z.string(),
      productId: z.string().nullable(),
      titleZh: z.string().nullable(),
      titleEn: z.string().nullable(),
      quantity: z.number(),
      cartPriceFen: z.string(),
      priceFen: z.string().nullable(),
      priceChanged: z.boolean(),
      available: z.boolean(),
      stock: z.number(),
    }),
  ),
});

export const orderRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const security = [{ session: [] }];

    app.get(
      '/v1/cart',
      {
        schema: {
          tags: ['orders'],
          summary: 'My cart, at today’s prices (price changes flagged)',
          security,
          response: { 200: CART_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => ({ items: await cartItems(ctx.database.db, await authenticate(ctx, request)) }),
    );

    app.put(
      '/v1/cart/items',
      {
        schema: {
          tags: ['orders'],
          summary: 'Put a quantity of a SKU in my cart (0 takes it out)',
          security,
          body: z.strictObject({ skuId: SKU_ID, quantity: z.number().int().min(0).max(999) }),
          response: { 200: CART_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const buyer = await authenticate(ctx, request);
        await setCartItem(ctx.database.db, buyer, request.body.skuId, request.body.quantity);
        return { items: await cartItems(ctx.database.db, buyer) };
      },
    );

    app.post(
      '/v1/addresses',
      {
        schema: {
          tags: ['orders'],
          summary: 'Save a shipping address (personal data: kept in the database, never on the log)',
          description: `A buyer keeps at most ${ADDRESSES_MAX} addresses: saving one more answers 409 too_many_addresses, nothing saved; delete one first.`,
          security,
          body: ADDRESS_INPUT,
          response: { 201: ADDRESS_INPUT.extend({ id: z.string() }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const buyer = await authenticate(ctx, request);
        return reply.status(201).send(await saveAddress(ctx.database.db, buyer, request.body));
      },
    );

    app.get(
      '/v1/addresses',
      {
        schema: {
          tags: ['orders'],
          summary: `My shipping addresses, oldest first (at most ${ADDRESSES_MAX})`,
          security,
          response: { 200: z.object({ items: z.array(ADDRESS_INPUT.extend({ id: z.string() })) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => ({ items: await listAddresses(ctx.database.db, await authenticate(ctx, request)) }),
    );

    app.delete(
      '/v1/addresses/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'Delete one of my shipping addresses (orders placed with it keep their copy)',
          security,
          params: z.object({ id: ADDRESS_ID }),
          response: { 204: z.undefined(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteAddress(ctx.database.db, await authenticate(ctx, request), request.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/v1/checkout/quote',
      {
        schema: {
          tags: ['orders'],
          summary: 'Prepare my cart’s orders at today’s prices: the bodies to review and sign',
          description:
            'One order per producer (and split policy). Sign each `body` as an `orders.order.placed` envelope and send it to POST /v1/checkout. `priceChanges` lists items whose price moved since they were put in the cart: show them to the buyer before signing. To pay with points, say how many at most (`points`): the quote puts on each order, in turn, as many as its cap allows (`body.pointsSpent`) and says what is left to pay in money (`moneyDueFen`).',
          security,
          body: z
            .strictObject({
              points: z
                .string()
                .regex(/^[0-9]{1,18}$/, 'a whole number of points, as a string')
                .optional()
                .describe('The most points to pay with, over all the orders.'),
            })
            .nullish(),
          response: {
            200: z.object({
              orders: z.array(
                z.object({
                  body: z.record(z.string(), z.unknown()),
                  policy: z.record(z.string(), z.unknown()),
                  pointsFen: z.string().describe('The fen the points on this order cover.'),
                  moneyDueFen: z.string().describe('What is left to pay in money.'),
                }),
              ),
              pointsHeld: z.string().describe('The points the buyer can spend now.'),
              unavailable: z.array(z.object({ skuId: z.string(), reason: z.string() })),
              priceChanges: z.array(z.object({ skuId: z.string(), cartPriceFen: z.string(), priceFen: z.string() })),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const buyer = await authenticate(ctx, request);
        const quote = await quoteCart(ctx, ctx.database.db, buyer, BigInt(request.body?.points ?? '0'));
        return {
          ...quote,
          pointsHeld: quote.pointsHeld.toString(),
          orders: quote.orders.map((o) => ({
            body: o.body,
            policy: { ...o.policy },
            pointsFen: o.pointsFen.toString(),
            moneyDueFen: o.moneyDueFen.toString(),
          })),
        };
      },
    );

    app.post(
      '/v1/checkout',
      {
        schema: {
          tags: ['orders'],
          summary: 'Place a signed order and pay it into escrow (requires an Idempotency-Key)',
          description:
            'Takes the `orders.order.placed` envelope the buyer signed from a quote, reserves the stock (never more than there is), records the order with the shipping address (off the log) and starts the payment; its webhook moves the order to paid. Prices that changed since the quote answer 409 price_changed: quote, review and sign again. An optional `X-Device-Id` header (8–128 of A–Z a–z 0–9 . _ : -, a stable id the app keeps) and the client IP feed the anti-abuse velocity checks; they are stored only as keyed hashes and never logged.',
          security,
          body: z.strictObject({
            envelope: ENVELOPE_SCHEMA,
            addressId: z.string().regex(/^[0-9]{1,18}$/),
            simulate: z.enum(['succeed', 'fail', 'timeout']).default('succeed').describe('sandbox payment outcome'),
          }),
          response: { 201: z.object({ order: ORDER_VIEW, receipt: RECEIPT_SCHEMA }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const buyer = await authenticate(ctx, request);
        const { envelope, addressId, simulate } = request.body;
        if (envelope.actor !== buyer)
          throw badRequest('actor_mismatch', 'Sign the order with the key you are signed in with.', 'envelope.actor');
        if (envelope.type !== 'orders.order.placed')
          throw badRequest('wrong_type', 'Checkout takes an orders.order.placed envelope.', 'envelope.type');
        // Device (X-Device-Id) and IP for the anti-abuse checks: personal data, never on the log.
        const origin = checkoutOrigin(request);
        const outcome = await idempotent(
          ctx.database,
          ctx.crypto,
          request,
          buyer,
          async (tx, slot) => {
            const [address] = await rows<{ recipient: string; phone: string; region: string; detail: string }>(
              tx,
              sql`select recipient, phone, region, detail from order_addresses where id = ${addressId}::int8 and buyer_did = ${buyer}`,
            );
            if (address === undefined) throw notFound('Address', 'addressId');
            const privateData: PlacementPrivateData = { address, simulate };
            const receipt = await submitEnvelope(ctx, envelope, { tx, privateData, sequenceLater: true });
            if (receipt.replayed) throw new AppError(409, 'order_exists', 'This order was placed already.', 'envelope');
            const order = await loadOrder(tx, String(receipt.result.orderId));
            await screenPlacedOrder(ctx, tx, order, origin, ctx.clock());
            // Last, and committing with it: from here to the commit every other checkout waits for
            // the log's counter, so the answer (its receipt's index filled in by the database) is
            // stored in the same statement and the commit goes in the same message.
            const view = orderView(order, buyer);
            const body = () => ({ order: view, receipt: receiptView(receipt) }); // the receipt's index comes last
            await sequenceReceipts(tx, [receipt], {
              commit: true,
              answer: slot && { ...slot, status: 201, body: body() },
            });
            return { status: 201 as const, body: body(), answered: true };
          },
          { required: true },
        );
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.post(
      '/v1/orders/:id/shipment',
      {
        schema: {
          tags: ['orders'],
          summary:
            'Ship a paid order: the signed orders.order.shipped envelope and the tracking number (kept off the log)',
          security,
          params: z.object({ id: ORDER_ID }),
          body: z.strictObject({ envelope: ENVELOPE_SCHEMA, trackingNumber: z.string().trim().min(4).max(40) }),
          response: { 200: RECEIPT_SCHEMA, 201: RECEIPT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const producer = await authenticate(ctx, request);
        const { envelope, trackingNumber } = request.body;
        if (envelope.actor !== producer)
          throw badRequest('actor_mismatch', 'Sign with the key you are signed in with.', 'envelope.actor');
        if (
          envelope.type !== 'orders.order.shipped' ||
          (envelope.body as { orderId?: unknown }).orderId !== request.params.id
        )
          throw badRequest(
            'wrong_event',
            `Send an orders.order.shipped envelope for ${request.params.id}.`,
            'envelope',
          );
        const receipt = await submitEnvelope(ctx, envelope, { privateData: { trackingNumber } });
        return reply.status(receipt.replayed ? 200 : 201).send(receiptView(receipt));
      },
    );

    app.get(
      '/v1/orders',
      {
        schema: {
          tags: ['orders'],
          summary: 'My orders as buyer, or as producer (`as=producer`); newest first, by pages',
          security,
          querystring: z.object({
            as: z.enum(['buyer', 'producer']).default('buyer'),
            status: z.enum(ORDER_STATUSES as [OrderStatus, ...OrderStatus[]]).optional(),
            cursor: z
              .string()
              .regex(/^[0-9]{1,18}$/)
              .optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          }),
          response: {
            200: z.object({ items: z.array(ORDER_VIEW), nextCursor: z.string().nullable() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const { as, status, cursor, limit } = request.query;
        const { orders, lastSeq } = await listOrders(ctx.database.db, {
          ...(as === 'buyer' ? { buyer: did } : { producer: did }),
          ...(status === undefined ? {} : { status }),
          ...(cursor === undefined ? {} : { beforeSeq: BigInt(cursor) }),
          limit,
        });
        return {
          items: orders.map((order) => orderView(order, did)),
          nextCursor: orders.length === limit && lastSeq !== null ? lastSeq.toString() : null,
        };
      },
    );

    app.get(
      '/v1/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'One order with its refunds and payment state (its buyer, its producer or the operator)',
          security,
          params: z.object({ id: ORDER_ID }),
          response: { 200: ORDER_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await authenticate(ctx, request);
        const order = await findOrder(ctx.database.db, request.params.id);
        const operator = ctx.config.operatorDids?.includes(did) ?? false;
        if (order === undefined || !(operator || did === order.buyerDid || did === order.producerDid))
          throw notFound(`Order ${request.params.id}`, 'id');
        const refunds = await orderRefunds(ctx.database.db, order.id);
        const payment = await findPayment(ctx.database.db, order.paymentId);
        return {
          ...orderView(order, did),
          paymentStatus: payment?.status ?? (moneyDueOf(order) === 0n ? 'paid_with_points' : 'unknown'),
          refunds: refunds.map((r) => ({
            ...r,
            amountFen: r.amountFen.toString(),
            createdAt: r.createdAt.toISOString(),
          })),
        };
      },
    );
  };
