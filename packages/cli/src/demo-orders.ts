import type { AppContext, KeyPair } from '@concord/server';
import type { BuyerName, ProducerName } from './demo-catalog.js';
import { type DemoClient, until } from './demo-client.js';

/**
 * The demo's buyers and their orders, one in every state an order can be in. Each order has a
 * fixed id and a plan; driving an order looks at where it is and takes the next step of its plan,
 * so loading the demo again (or after an interruption) never places or moves an order twice.
 */

export interface DemoBuyer {
  name: BuyerName;
  persona: string;
  address: { recipient: string; phone: string; region: string; detail: string };
  /**
   * The X-Device-Id the buyer's checkouts send, if any: the anti-abuse checks count orders per
   * device, so a buyer who orders more than 3 times in a day from one phone is held for review.
   */
  device?: string;
}

export const DEMO_BUYERS: DemoBuyer[] = [
  {
    name: 'consumer',
    persona: '李娜（杭州）',
    address: {
      recipient: '李娜',
      phone: '13800138001',
      region: '浙江省 杭州市 西湖区',
      detail: '文三路 478 号华星时代广场 A 座 1203 室',
    },
  },
  {
    name: 'consumer-2',
    persona: '王伟（北京）',
    address: {
      recipient: '王伟',
      phone: '13800138002',
      region: '北京市 北京市 朝阳区',
      detail: '望京街道阜通东大街 6 号院 3 号楼 1801',
    },
    // His five orders come from one phone within minutes: the fourth and fifth are held for the
    // operator's review (see demo-withdrawals.ts, which decides one and leaves the other).
    device: 'demo-phone-wangwei-0002',
  },
  {
    name: 'consumer-3',
    persona: '陈静（成都）',
    address: {
      recipient: '陈静',
      phone: '13800138003',
      region: '四川省 成都市 武侯区',
      detail: '天府大道北段 1700 号环球中心 W6 区 808',
    },
  },
];

type RefundLines = { position: number; quantity: number }[];

export type OrderStep =
  /** The producer ships it (POST /v1/orders/{id}/shipment). */
  | { do: 'ship'; carrier: string; trackingNumber: string }
  /** The buyer confirms delivery; `completeNow` opens a return window of zero days (see loadOrders). */
  | { do: 'confirm'; completeNow?: boolean }
  /** The platform completes it once the return window has passed. */
  | { do: 'complete' }
  /** The buyer cancels it before paying. */
  | { do: 'cancel' }
  | { do: 'refund'; refundId: string; reason: string; lines?: RefundLines }
  | { do: 'approve'; refundId: string }
  | { do: 'refuse'; refundId: string; reason: string };

export interface DemoOrder {
  id: string;
  /** The state the plan leaves it in (timers may move it on later, as they would any order). */
  state: 'created' | 'paid' | 'shipped' | 'delivered' | 'completed' | 'cancelled' | 'refunded';
  note: string;
  buyer: BuyerName;
  producer: ProducerName;
  items: { skuId: string; quantity: number }[];
  pay: 'succeed' | 'fail' | 'timeout';
  /** Points the buyer pays part of it with: the quote is asked for exactly these (see demo-points.ts). */
  points?: string;
  steps: OrderStep[];
}

const SF = (trackingNumber: string): OrderStep => ({ do: 'ship', carrier: '顺丰速运', trackingNumber });
const JD = (trackingNumber: string): OrderStep => ({ do: 'ship', carrier: '京东物流', trackingNumber });

export const DEMO_ORDERS: DemoOrder[] = [
  {
    id: 'demo-completed-rice-oil',
    state: 'completed',
    note: '已完成（退货期已过）',
    buyer: 'consumer',
    producer: 'producer',
    items: [
      { skuId: 'wuchang-daohuaxiang-rice:5kg', quantity: 1 },
      { skuId: 'pressed-soybean-oil:5L', quantity: 1 },
    ],
    pay: 'succeed',
    steps: [SF('SF1402658837265'), { do: 'confirm', completeNow: true }, { do: 'complete' }],
  },
  {
    id: 'demo-shipped-maofeng',
    state: 'shipped',
    note: '已发货',
    buyer: 'consumer',
    producer: 'producer-2',
    items: [{ skuId: 'huangshan-maofeng:100g', quantity: 2 }],
    pay: 'succeed',
    steps: [SF('SF1402658839911')],
  },
  {
    id: 'demo-created-oil',
    state: 'created',
    note: '待支付（支付未返回结果）',
    buyer: 'consumer',
    producer: 'producer',
    items: [{ skuId: 'pressed-soybean-oil:1-8L', quantity: 2 }],
    pay: 'timeout',
    steps: [],
  },
  {
    id: 'demo-partial-refund-fuji',
    state: 'shipped',
    note: '部分退款后发货（退一箱）',
    buyer: 'consumer',
    producer: 'producer-3',
    items: [{ skuId: 'qixia-red-fuji:5kg', quantity: 3 }],
    pay: 'succeed',
    steps: [
      {
        do: 'refund',
        refundId: 'rf-partial-fuji',
        reason: '买多了一箱，发货前申请退一箱',
        lines: [{ position: 0, quantity: 1 }],
      },
      { do: 'approve', refundId: 'rf-partial-fuji' },
      JD('JDVA28765512347'),
    ],
  },
  {
    id: 'demo-paid-gift-box',
    state: 'paid',
    note: '已支付，待发货',
    buyer: 'consumer-2',
    producer: 'producer-3',
    items: [{ skuId: 'yantai-fuji-gift-box:box-12', quantity: 1 }],
    pay: 'succeed',
    steps: [],
  },
  {
    id: 'demo-delivered-houkui',
    state: 'delivered',
    note: '已签收，退货期内',
    buyer: 'consumer-2',
    producer: 'producer-2',
    items: [{ skuId: 'taiping-houkui:100g', quantity: 1 }],
    pay: 'succeed',
    steps: [SF('SF1402658842207'), { do: 'confirm' }],
  },
  {
    id: 'demo-payment-failed-rice',
    state: 'cancelled',
    note: '已取消（支付失败）',
    buyer: 'consumer-2',
    producer: 'producer',
    items: [{ skuId: 'organic-changlixiang-rice:10kg', quantity: 1 }],
    pay: 'fail',
    steps: [],
  },
  {
    id: 'demo-refund-refused-guapian',
    state: 'delivered',
    note: '已签收，退款申请被拒绝',
    buyer: 'consumer-2',
    producer: 'producer-2',
    items: [{ skuId: 'luan-guapian:250g', quantity: 1 }],
    pay: 'succeed',
    steps: [
      SF('SF1402658845530'),
      { do: 'confirm' },
      { do: 'refund', refundId: 'rf-refused-guapian', reason: '口感偏淡，和描述的不一样' },
      {
        do: 'refuse',
        refundId: 'rf-refused-guapian',
        reason: '该批次检测报告符合 GB/T 14456.1-2017 一级指标，茶叶已拆封冲泡，不符合退款条件；冲泡建议已私信。',
      },
    ],
  },
  {
    // Wang Wei's first completed order, his fifth from one phone: held by the anti-abuse review at
    // placement, it completes without rewards; the operator's approval then pays his cashback and
    // his inviter's referral reward (see demo-withdrawals.ts).
    id: 'demo-completed-houkui-gift',
    state: 'completed',
    note: '已完成（风控复核后放行）',
    buyer: 'consumer-2',
    producer: 'producer-2',
    items: [{ skuId: 'taiping-houkui:200g', quantity: 1 }],
    pay: 'succeed',
    steps: [SF('SF1402658847718'), { do: 'confirm', completeNow: true }, { do: 'complete' }],
  },
  {
    id: 'demo-cancelled-pearl-rice',
    state: 'cancelled',
    note: '已取消（买家取消）',
    buyer: 'consumer-3',
    producer: 'producer',
    items: [{ skuId: 'dongbei-pearl-rice:10kg', quantity: 1 }],
    pay: 'timeout',
    steps: [{ do: 'cancel' }],
  },
  {
    id: 'demo-refunded-gala',
    state: 'refunded',
    note: '已全额退款（到货压伤）',
    buyer: 'consumer-3',
    producer: 'producer-3',
    items: [{ skuId: 'qixia-gala:5kg', quantity: 2 }],
    pay: 'succeed',
    steps: [
      JD('JDVA28765519080'),
      { do: 'refund', refundId: 'rf-full-gala', reason: '收到时多个果实压伤、有腐烂，申请全额退款' },
      { do: 'approve', refundId: 'rf-full-gala' },
    ],
  },
  {
    id: 'demo-completed-oil',
    state: 'completed',
    note: '已完成（退货期已过）',
    buyer: 'consumer-3',
    producer: 'producer',
    items: [{ skuId: 'pressed-soybean-oil:5L', quantity: 2 }],
    pay: 'succeed',
    steps: [SF('SF1402658850014'), { do: 'confirm', completeNow: true }, { do: 'complete' }],
  },
];

/** The parts of GET /v1/orders/{id} the driver reads. */
interface OrderView {
  id: string;
  status: string;
  shippedAt: string | null;
  deliveredAt: string | null;
  returnWindowEnds: string | null;
  refunds?: { refundId: string; status: string }[];
}

export interface OrderParties {
  buyers: Map<BuyerName, KeyPair & { addressId: string }>;
  producers: Map<ProducerName, KeyPair>;
  /** The operator key: the platform's own acts (completing an order) are signed with it. */
  operator: KeyPair;
}

/**
 * Places the demo orders (by default DEMO_ORDERS) that do not exist yet, then drives each along
 * its plan. Payment outcomes come by webhook from the sandbox a moment after checkout, so orders
 * waiting for theirs are revisited until every plan is done.
 */
export async function loadOrders(
  client: DemoClient,
  ctx: AppContext,
  parties: OrderParties,
  orders: DemoOrder[] = DEMO_ORDERS,
): Promise<void> {
  // Buyers shop side by side; each one's orders in turn, since each goes through their cart (and
  // in a fixed order, so that the anti-abuse checks hold the same orders on every fresh load).
  await Promise.all(
    [...parties.buyers].map(async ([name, buyer]) => {
      for (const order of orders.filter((o) => o.buyer === name)) {
        const found = await client.request('GET', `/v1/orders/${order.id}`, { as: buyer });
        if (found.status === 404) await place(client, order, buyer);
        else if (found.status !== 200) throw new Error(`demo: order ${order.id} answered ${found.status}`);
      }
    }),
  );
  // Rounds: each order still under way takes its next step, side by side, except the deliveries
  // that need a return window of zero days: those go one at a time with nothing else in flight.
  const pending = new Set(orders);
  await until(
    'every demo order reaching its state',
    async () => {
      const next = await Promise.all(
        [...pending].map(async (order) => ({ order, step: await nextStep(client, parties, order) })),
      );
      const steps: { order: DemoOrder; step: OrderStep }[] = [];
      for (const { order, step } of next) {
        if (step === 'done') pending.delete(order);
        else if (step !== 'wait') steps.push({ order, step });
      }
      const alone = (step: OrderStep) => step.do === 'confirm' && step.completeNow === true;
      await Promise.all(steps.filter((s) => !alone(s.step)).map((s) => take(client, parties, s.order, s.step)));
      for (const { order, step } of steps.filter((s) => alone(s.step))) {
        await withReturnWindowDays(ctx, 0, () => take(client, parties, order, step));
      }
      return pending.size === 0;
    },
    120_000,
  );
}

async function place(client: DemoClient, order: DemoOrder, buyer: KeyPair & { addressId: string }): Promise<void> {
  // The cart holds exactly this order's items: whatever else is in it stays out of the quote.
  const cart = await client.expect<{ items: { skuId: string }[] }>([200], 'GET', '/v1/cart', { as: buyer });
  for (const item of cart.body.items) {
    await client.expect([200], 'PUT', '/v1/cart/items', { as: buyer, payload: { skuId: item.skuId, quantity: 0 } });
  }
  for (const item of order.items) {
    await client.expect([200], 'PUT', '/v1/cart/items', { as: buyer, payload: item });
  }
  const quote = await client.expect<{
    orders: { body: Record<string, unknown> }[];
    unavailable: unknown[];
    pointsHeld: string;
  }>([200], 'POST', '/v1/checkout/quote', {
    as: buyer,
    ...(order.points === undefined ? {} : { payload: { points: order.points } }),
  });
  const [quoted, ...more] = quote.body.orders;
  if (quoted === undefined || more.length > 0 || quote.body.unavailable.length > 0) {
    throw new Error(`demo: the quote for ${order.id} is not one order: ${JSON.stringify(quote.body)}`);
  }
  // The quote puts at most what the buyer holds on the order; the demo's plan needs exactly its points.
  if (order.points !== undefined && quoted.body.pointsSpent !== order.points) {
    throw new Error(
      `demo: ${order.id} is to be paid with ${order.points} points, but its buyer holds ${quote.body.pointsHeld}`,
    );
  }
  const device = DEMO_BUYERS.find((b) => b.name === order.buyer)?.device;
  // The buyer signs the quoted order under the demo's own order id, so that it is found again.
  const body = { ...quoted.body, orderId: order.id };
  await client.expect([201], 'POST', '/v1/checkout', {
    as: buyer,
    headers: {
      'idempotency-key': `demo-checkout-${order.id}`,
      ...(device === undefined ? {} : { 'x-device-id': device }),
    },
    payload: {
      envelope: client.sign(buyer, 'orders.order.placed', body),
      addressId: buyer.addressId,
      simulate: order.pay,
    },
  });
}

const refundOf = (view: OrderView, refundId: string) => view.refunds?.find((r) => r.refundId === refundId);

/** Whether the step has been taken already. */
function taken(step: OrderStep, view: OrderView): boolean {
  switch (step.do) {
    case 'ship':
      return view.shippedAt !== null;
    case 'confirm':
      return view.deliveredAt !== null;
    case 'complete':
      return view.status === 'completed';
    case 'cancel':
      return view.status === 'cancelled';
    case 'refund':
      return refundOf(view, step.refundId) !== undefined;
    case 'approve':
    case 'refuse':
      return (refundOf(view, step.refundId)?.status ?? 'requested') !== 'requested';
  }
}

/** Whether the step can be taken now; when not, the order has moved on without the demo (a timer). */
function possible(step: OrderStep, view: OrderView): boolean {
  switch (step.do) {
    case 'ship':
      return view.status === 'paid';
    case 'confirm':
      return view.status === 'shipped';
    case 'complete':
      return view.status === 'delivered';
    case 'cancel':
      return view.status === 'created';
    case 'refund':
      return ['paid', 'shipped', 'delivered'].includes(view.status);
    case 'approve':
    case 'refuse':
      return refundOf(view, step.refundId)?.status === 'requested';
  }
}

/** The next step of the order's plan; 'wait' while its payment outcome is on its way. */
async function nextStep(
  client: DemoClient,
  parties: OrderParties,
  order: DemoOrder,
): Promise<OrderStep | 'done' | 'wait'> {
  const buyer = party(parties.buyers, order.buyer);
  const view = (await client.expect<OrderView>([200], 'GET', `/v1/orders/${order.id}`, { as: buyer })).body;
  if (view.status === 'created' && order.pay !== 'timeout') return 'wait';
  const step = order.steps.find((s) => !taken(s, view));
  return step === undefined || !possible(step, view) ? 'done' : step;
}

async function take(client: DemoClient, parties: OrderParties, order: DemoOrder, step: OrderStep): Promise<void> {
  const buyer = party(parties.buyers, order.buyer);
  const producer = party(parties.producers, order.producer);
  const orderId = order.id;
  switch (step.do) {
    case 'ship':
      await client.expect([201], 'POST', `/v1/orders/${orderId}/shipment`, {
        as: producer,
        payload: {
          envelope: client.sign(producer, 'orders.order.shipped', { orderId, carrier: step.carrier }),
          trackingNumber: step.trackingNumber,
        },
      });
      break;
    case 'confirm':
      await client.submit(buyer, 'orders.order.delivered', { orderId });
      break;
    case 'complete': {
      // What the order timers do once the return window has passed: they may have done it first.
      const completed = await client.submit<{ error?: { code: string } }>(
        parties.operator,
        'orders.order.completed',
        { orderId },
        [201, 409],
      );
      if (completed.status === 409 && completed.body.error?.code !== 'invalid_transition') {
        throw new Error(`demo: completing ${orderId} answered 409: ${JSON.stringify(completed.body)}`);
      }
      break;
    }
    case 'cancel':
      await client.submit(buyer, 'orders.order.cancelled', { orderId, reason: 'buyer' });
      break;
    case 'refund':
      await client.submit(buyer, 'orders.refund.requested', {
        orderId,
        refundId: step.refundId,
        reason: step.reason,
        ...(step.lines === undefined ? {} : { lines: step.lines }),
      });
      break;
    case 'approve':
      await client.submit(producer, 'orders.refund.approved', { orderId, refundId: step.refundId });
      break;
    case 'refuse':
      await client.submit(producer, 'orders.refund.refused', {
        orderId,
        refundId: step.refundId,
        reason: step.reason,
      });
      break;
  }
}

/**
 * Runs `work` with the server's return window set to `days`. A completed order needs its return
 * window to have passed; the demo's completed orders are delivered with a window of zero days,
 * while its other delivered orders keep the configured window (and stay delivered).
 */
async function withReturnWindowDays<T>(ctx: AppContext, days: number, work: () => Promise<T>): Promise<T> {
  const configured = ctx.config.returnWindowDays;
  ctx.config.returnWindowDays = days;
  try {
    return await work();
  } finally {
    ctx.config.returnWindowDays = configured;
  }
}

function party<K, V>(map: Map<K, V>, key: K): V {
  const found = map.get(key);
  if (found === undefined) throw new Error(`demo: no account ${String(key)}`);
  return found;
}
