import { type AppContext, type KeyPair, runPointsRetirement } from '@concord/server';
import type { BuyerName } from './demo-catalog.js';
import type { DemoClient } from './demo-client.js';
import { releaseDemoCommissions } from './demo-distribution.js';
import { type DemoOrder, loadOrders, type OrderParties } from './demo-orders.js';

/**
 * Points in every state (issue 6), on the demo's buyers, once their first orders have completed:
 * - earned: cashback on every completed order, and 李娜's referral reward on the first completed
 *   order of 王伟, whom she invited (paid when the operator clears it: see demo-withdrawals.ts);
 * - sent: 陈静 gives 王伟 500 points, of which the platform keeps 1%;
 * - spent: 李娜 pays part of an order with points; it completes like any other (cashback on its
 *   whole total) and its commission is released, for the promoter's withdrawals to draw on;
 * - on hold: an order whose payment never returns holds its points;
 * - given back: an order paid partly with points and refunded in full before shipping;
 * - burned: the monthly retirement (5% of what each member holds), run once.
 * Every step looks first whether it was taken, so loading the demo again changes nothing.
 */

/** 李娜's orders paid partly with points: placed after her referral reward, which pays for them. */
export const DEMO_POINTS_ORDERS: DemoOrder[] = [
  {
    id: 'demo-points-rice',
    state: 'completed',
    note: '积分抵扣 ¥20，已完成',
    buyer: 'consumer',
    producer: 'producer',
    items: [{ skuId: 'wuchang-daohuaxiang-rice:10kg', quantity: 2 }],
    pay: 'succeed',
    points: '2000',
    steps: [
      { do: 'ship', carrier: '顺丰速运', trackingNumber: 'SF1402658853376' },
      { do: 'confirm', completeNow: true },
      { do: 'complete' },
    ],
  },
  {
    id: 'demo-points-oil-waiting',
    state: 'created',
    note: '待支付，抵扣的积分冻结中（支付未返回结果）',
    buyer: 'consumer',
    producer: 'producer',
    items: [{ skuId: 'pressed-soybean-oil:5L', quantity: 1 }],
    pay: 'timeout',
    points: '500',
    steps: [],
  },
  {
    id: 'demo-points-refund-pearl',
    state: 'refunded',
    note: '积分抵扣，发货前全额退款，积分退回',
    buyer: 'consumer',
    producer: 'producer',
    items: [{ skuId: 'dongbei-pearl-rice:10kg', quantity: 1 }],
    pay: 'succeed',
    points: '800',
    steps: [
      { do: 'refund', refundId: 'rf-points-pearl', reason: '收货地址填错了，发货前申请退款后重新下单' },
      { do: 'approve', refundId: 'rf-points-pearl' },
    ],
  },
];

/** The transfer between members: its id names the Idempotency-Key, so a retry replays it. */
const DEMO_TRANSFER = { id: 'demo-points-gift', from: 'consumer-3', to: 'consumer-2', points: '500' } as const;

export async function loadPoints(client: DemoClient, ctx: AppContext, parties: OrderParties): Promise<void> {
  const buyer = (name: BuyerName) => parties.buyers.get(name) as KeyPair;
  await ensureTransfer(client, buyer(DEMO_TRANSFER.from), buyer(DEMO_TRANSFER.to));
  await loadOrders(client, ctx, parties, DEMO_POINTS_ORDERS);
  await releaseDemoCommissions(ctx, 'demo-points-rice');
  // Last, so that it takes its share of the points every other step left.
  await retireOnce(client, ctx, parties.operator);
}

interface TransferView {
  from: string;
  to: string;
  debitPoints: string;
  creditPoints: string;
  feePoints: string;
}

interface PointsView {
  balance: string;
  awards: { orderId: string; kind: 'cashback' | 'referral'; points: string; reversedPoints: string }[];
  transfers: TransferView[];
  movements: { code: string; reference: string | null; points: string }[];
}

// The demo's members have far fewer than 100 movements, so one page shows them all.
const pointsOf = async (client: DemoClient, pair: KeyPair) =>
  (await client.expect<PointsView>([200], 'GET', '/v1/points?limit=100', { as: pair })).body;

/** Sends the demo's gift of points unless the sender's history shows it sent already. */
async function ensureTransfer(client: DemoClient, from: KeyPair, to: KeyPair): Promise<void> {
  const sent = (await pointsOf(client, from)).transfers.some(
    (t) => t.from === from.did && t.to === to.did && t.debitPoints === DEMO_TRANSFER.points,
  );
  if (sent) return;
  await client.expect([201], 'POST', '/v1/points/transfers', {
    as: from,
    headers: { 'idempotency-key': `demo-points-transfer-${DEMO_TRANSFER.id}` },
    payload: { to: to.did, points: DEMO_TRANSFER.points },
  });
}

/**
 * The monthly retirement, as the server's job runs it at its first tick of a month (15 minutes
 * after start), so the demo shows burned points at once. Only when nothing was ever burned: a
 * later run of the demo, even in another month, leaves the points as they are (the job itself
 * retires each month once, whatever the demo did).
 */
async function retireOnce(client: DemoClient, ctx: AppContext, operator: KeyPair): Promise<void> {
  const summary = await client.expect<{ burnedPoints: string }>([200], 'GET', '/v1/points/summary', { as: operator });
  if (BigInt(summary.body.burnedPoints) > 0n) return;
  await runPointsRetirement(ctx, ctx.clock());
}

const sum = (values: string[]) => values.reduce((total, v) => total + BigInt(v), 0n);

/**
 * One line per buyer: the points held now, then how they came and went, e.g. `points: 2534 held;
 * earned cashback 989 + 1990, referral 2560; spent 2000 on demo-points-rice; …; burned 133`.
 */
export async function pointsLines(
  client: DemoClient,
  buyers: Map<BuyerName, KeyPair>,
  nameOf: (did: string) => string,
): Promise<string[]> {
  const lines = ['Points (held now; earned, sent, spent, on hold, given back, burned):'];
  for (const [name, pair] of buyers) {
    const view = await pointsOf(client, pair);
    const parts = [`points: ${view.balance} held`];
    // The awards come newest first; shown in the order they were earned.
    const awards = [...view.awards].reverse();
    const earned = (['cashback', 'referral'] as const)
      .map((kind) => [kind, awards.filter((a) => a.kind === kind).map((a) => a.points)] as const)
      .filter(([, points]) => points.length > 0)
      .map(([kind, points]) => `${kind} ${points.join(' + ')}`);
    if (earned.length > 0) parts.push(`earned ${earned.join(', ')}`);
    for (const t of view.transfers) {
      parts.push(
        t.from === pair.did
          ? `sent ${t.debitPoints} to ${nameOf(t.to)} (fee ${t.feePoints})`
          : `received ${t.creditPoints} from ${nameOf(t.from)}`,
      );
    }
    for (const order of DEMO_POINTS_ORDERS.filter((o) => o.buyer === name)) {
      parts.push(await orderPoints(client, pair, order.id, view));
    }
    const burned = -sum(view.movements.filter((m) => m.code === 'points_burn').map((m) => m.points));
    if (burned > 0n) parts.push(`burned ${burned}`);
    lines.push(`  ${name.padEnd(10)} ${parts.join('; ')}`);
  }
  return lines;
}

/** What became of the points an order was paid with, as its status says. */
async function orderPoints(client: DemoClient, buyer: KeyPair, orderId: string, view: PointsView): Promise<string> {
  const order = (
    await client.expect<{ status: string; pointsSpent: string }>([200], 'GET', `/v1/orders/${orderId}`, { as: buyer })
  ).body;
  switch (order.status) {
    case 'created':
      return `${order.pointsSpent} on hold for ${orderId}`;
    case 'cancelled':
      return `${order.pointsSpent} released by cancelled ${orderId}`;
    case 'refunded': {
      const back = sum(
        view.movements.filter((m) => m.code === 'points_refund' && m.reference === orderId).map((m) => m.points),
      );
      return `${back} back from refunded ${orderId}`;
    }
    default:
      return `spent ${order.pointsSpent} on ${orderId}`;
  }
}
