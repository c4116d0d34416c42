import type { OrderStatus, RefundStatus, SplitPolicy } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, fromJsonb, preparedRows, rows, type Tx } from '../../db/connection.js';
import { notFound } from '../../errors.js';

export interface OrderLine {
  position: number;
  skuId: string;
  productId: string;
  titleZh: string;
  /** The English title when the order was placed, if the product had one. */
  titleEn: string | null;
  quantity: number;
  unitPriceFen: bigint;
  refundedQuantity: number;
}

export interface Order {
  id: string;
  buyerDid: string;
  producerDid: string;
  status: OrderStatus;
  totalFen: bigint;
  /** Points the buyer paid with, and the fen they covered (the platform's part of the escrow). */
  pointsSpent: bigint;
  pointsFen: bigint;
  refundedFen: bigint;
  currency: string;
  policy: SplitPolicy;
  policyHash: string;
  attribution: unknown;
  escrowAccount: string;
  paymentId: string;
  shipping: { recipient: string; phone: string; region: string; detail: string };
  carrier: string | null;
  trackingNumber: string | null;
  payBy: Date;
  paidAt: Date | null;
  shippedAt: Date | null;
  deliverBy: Date | null;
  deliveredAt: Date | null;
  completeAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  createdAt: Date;
  lines: OrderLine[];
}

export interface Refund {
  refundId: string;
  status: RefundStatus;
  amountFen: bigint;
  lines: { position: number; quantity: number }[];
  reason: string;
  decisionReason: string | null;
  decidedBy: string | null;
  createdAt: Date;
}

/** The money part of an order: what the payment provider is asked for (the rest was paid in points). */
export const moneyDueOf = (order: Pick<Order, 'totalFen' | 'pointsFen'>) => order.totalFen - order.pointsFen;

type Row = Record<string, unknown>;
const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

function toOrder(row: Row, lines: Row[]): Order {
  return {
    id: row.id as string,
    buyerDid: row.buyer_did as string,
    producerDid: row.producer_did as string,
    status: row.status as OrderStatus,
    totalFen: BigInt(row.total_fen as string),
    pointsSpent: BigInt(row.points_spent as string),
    pointsFen: BigInt(row.points_fen as string),
    refundedFen: BigInt(row.refunded_fen as string),
    currency: row.currency as string,
    policy: row.policy as SplitPolicy,
    policyHash: row.policy_hash as string,
    attribution: row.attribution ?? null,
    escrowAccount: row.escrow_account as string,
    paymentId: row.payment_id as string,
    shipping: {
      recipient: row.ship_recipient as string,
      phone: row.ship_phone as string,
      region: row.ship_region as string,
      detail: row.ship_detail as string,
    },
    carrier: (row.carrier as string | null) ?? null,
    trackingNumber: (row.tracking_number as string | null) ?? null,
    payBy: date(row.pay_by) as Date,
    paidAt: date(row.paid_at),
    shippedAt: date(row.shipped_at),
    deliverBy: date(row.deliver_by),
    deliveredAt: date(row.delivered_at),
    completeAt: date(row.complete_at),
    completedAt: date(row.completed_at),
    cancelledAt: date(row.cancelled_at),
    cancelReason: (row.cancel_reason as string | null) ?? null,
    createdAt: date(row.created_at) as Date,
    lines: lines.map((line) => ({
      position: Number(line.position),
      skuId: line.sku_id as string,
      productId: line.product_id as string,
      titleZh: line.title_zh as string,
      titleEn: (line.title_en as string | null) ?? null,
      quantity: Number(line.quantity),
      unitPriceFen: BigInt(line.unit_price_fen as string),
      refundedQuantity: Number(line.refunded_quantity),
    })),
  };
}

// An order's lines as JSON beside its row, so that one statement reads the whole order (money as
// text: a JSON number would lose a bigint).
const LINES_JSON = sql`coalesce((select json_agg(json_build_object('position', l.position, 'sku_id', l.sku_id,
    'product_id', l.product_id, 'title_zh', l.title_zh, 'title_en', l.title_en, 'quantity', l.quantity,
    'unit_price_fen', l.unit_price_fen::text, 'refunded_quantity', l.refunded_quantity) order by l.position)
    from order_lines l where l.order_id = o.id), '[]'::json) as lines_json`;

const withLines = (row: Row): Order => toOrder(row, fromJsonb(row.lines_json as Row[] | string));

/** One order with its lines, if it exists; `lock` takes the order's row lock (every transition does). */
export async function findOrder(executor: Executor, id: string, lock = false): Promise<Order | undefined> {
  const [row] = await rows<Row>(
    executor,
    sql`select o.*, ${LINES_JSON} from orders o where o.id = ${id} ${lock ? sql`for update of o` : sql``}`,
  );
  return row === undefined ? undefined : withLines(row);
}

/** One order with its lines; 404 naming `field` when there is none. */
export async function loadOrder(
  executor: Executor,
  id: string,
  options: { lock?: boolean; field?: string } = {},
): Promise<Order> {
  const order = await findOrder(executor, id, options.lock);
  if (order === undefined) throw notFound(`Order ${id}`, options.field ?? 'body.orderId');
  return order;
}

export async function listOrders(
  executor: Executor,
  filter: { buyer?: string; producer?: string; status?: OrderStatus; beforeSeq?: bigint; limit: number },
): Promise<{ orders: Order[]; lastSeq: bigint | null }> {
  const conditions = [sql`true`];
  if (filter.buyer !== undefined) conditions.push(sql`o.buyer_did = ${filter.buyer}`);
  if (filter.producer !== undefined) conditions.push(sql`o.producer_did = ${filter.producer}`);
  if (filter.status !== undefined) conditions.push(sql`o.status = ${filter.status}`);
  if (filter.beforeSeq !== undefined) conditions.push(sql`o.seq < ${filter.beforeSeq.toString()}::int8`);
  const found = await rows<Row>(
    executor,
    sql`select o.*, ${LINES_JSON} from orders o
        where ${sql.join(conditions, sql` and `)} order by o.seq desc limit ${filter.limit}`,
  );
  return {
    orders: found.map(withLines),
    lastSeq: found.length === 0 ? null : BigInt(found[found.length - 1]?.seq as string),
  };
}

export async function orderRefunds(executor: Executor, orderId: string): Promise<Refund[]> {
  const found = await rows<Row>(
    executor,
    sql`select * from order_refunds where order_id = ${orderId} order by created_at, refund_id`,
  );
  return found.map((row) => ({
    refundId: row.refund_id as string,
    status: row.status as RefundStatus,
    amountFen: BigInt(row.amount_fen as string),
    lines: row.lines as { position: number; quantity: number }[],
    reason: row.reason as string,
    decisionReason: (row.decision_reason as string | null) ?? null,
    decidedBy: (row.decided_by as string | null) ?? null,
    createdAt: date(row.created_at) as Date,
  }));
}

/** Records that settlement cycle `cycle` settled these orders (in the close's transaction). */
export async function markSettled(tx: Tx, ids: readonly string[], cycle: number): Promise<void> {
  await preparedRows(tx, 'orders_mark_settled', 'update orders set settled_cycle = $2 where id = any($1::text[])', [
    ids,
    cycle,
  ]);
}

/** Sets the order's status and the columns that go with the step, in one statement. */
export async function setOrderStatus(
  tx: Tx,
  id: string,
  status: OrderStatus,
  columns: ReturnType<typeof sql>[] = [],
): Promise<void> {
  await tx.execute(sql`update orders set ${sql.join([sql`status = ${status}`, ...columns], sql`, `)} where id = ${id}`);
}
