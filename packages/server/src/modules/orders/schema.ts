import { z } from 'zod';
import { SIGNED_ATTRIBUTION } from '../distribution/attribution.js';
import { DID_SCHEMA } from '../identity/schema.js';

export const ORDER_ID = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'an order id: 6–64 of A–Z a–z 0–9 _ -');
export const REFUND_ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a refund id: 1–64 of A–Z a–z 0–9 _ -');
export const SKU_ID = z.string().min(1).max(100);
export const FEN = z.string().regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of fen, as a string');
const QUANTITY = z.number().int().min(1).max(999);

/** What the buyer signs at checkout: no personal data, only DIDs, items, amounts and the policy's hash. */
export const ORDER_PLACED_BODY = z
  .object({
    orderId: ORDER_ID,
    producer: DID_SCHEMA,
    items: z
      .array(z.object({ skuId: SKU_ID, quantity: QUANTITY, unitPriceFen: FEN }).strict())
      .min(1)
      .max(100),
    totalFen: FEN,
    currency: z.literal('CNY'),
    policyHash: z.string().regex(/^[0-9a-f]{64}$/),
    // Who brought the buyer, as the quote said: checked again at placement.
    attribution: SIGNED_ATTRIBUTION,
    // Points the buyer pays with, exactly (a whole number of fen at the policy's rate, within its
    // cap): the quote fills it in when asked to.
    pointsSpent: z
      .string()
      .regex(/^[1-9][0-9]{0,17}$/, 'a positive whole number of points, as a string')
      .optional(),
  })
  .strict();
export type OrderPlacedBody = z.output<typeof ORDER_PLACED_BODY>;

export const ORDER_REF_BODY = z.object({ orderId: ORDER_ID }).strict();
export const ORDER_CANCELLED_BODY = z
  .object({ orderId: ORDER_ID, reason: z.enum(['buyer', 'payment_failed', 'expired', 'operator']) })
  .strict();
export const ORDER_PAID_BODY = z.object({ orderId: ORDER_ID, paymentId: z.string().min(1).max(128) }).strict();
export const ORDER_SHIPPED_BODY = z
  .object({ orderId: ORDER_ID, carrier: z.string().trim().min(1).max(40) })
  .strict()
  .describe('The tracking number travels beside the envelope (POST /v1/orders/{id}/shipment), never on the log.');
export const REFUND_REQUESTED_BODY = z
  .object({
    orderId: ORDER_ID,
    refundId: REFUND_ID,
    // Lines by position in the order and how many of each; absent: everything not refunded yet.
    lines: z
      .array(z.object({ position: z.number().int().min(0).max(99), quantity: QUANTITY }).strict())
      .min(1)
      .max(100)
      .optional(),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export const REFUND_DECISION_BODY = z
  .object({ orderId: ORDER_ID, refundId: REFUND_ID, reason: z.string().trim().min(1).max(500).optional() })
  .strict();

export const ADDRESS_ID = z.string().regex(/^[0-9]{1,18}$/, 'an address id, from POST /v1/addresses');

export const ADDRESS_INPUT = z.strictObject({
  recipient: z.string().trim().min(1).max(50),
  phone: z.string().regex(/^\+?[0-9 -]{5,20}$/, 'a phone number'),
  region: z.string().trim().min(1).max(100).describe('e.g. 浙江省 杭州市 西湖区'),
  detail: z.string().trim().min(1).max(200),
});
