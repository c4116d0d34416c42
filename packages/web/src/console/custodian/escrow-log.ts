import { api, unwrap } from '../../api/client';

/** A public log entry's envelope (GET /v1/log/entries/{index}). */
interface LogEntry {
  index: number;
  envelope: { type: string; actor: string; ts: string; body: Record<string, unknown> };
}

const entry = (index: number): Promise<LogEntry> =>
  unwrap(api.GET('/v1/log/entries/{index}', { params: { path: { index } } })) as unknown as Promise<LogEntry>;

/** One paid order's escrow, as the public log tells it. */
export interface EscrowHold {
  orderId: string;
  /** The ledger account its money is held in. */
  account: string;
  paymentId: string;
  paidAt: string;
  /** The orders.order.paid entry. */
  paidIndex: number;
  /** From the orders.order.placed entry, when found among the recent ones. */
  totalFen: string | null;
  pointsSpent: string | null;
  buyer: string | null;
  producer: string | null;
  placedIndex: number | null;
}

export interface EscrowPage {
  holds: EscrowHold[];
  nextCursor: string | null;
}

/** Placed orders looked at to find each paid order's amount: the newest, in batches. */
const PLACED_SCAN_MAX = 100;
const BATCH = 10;

/**
 * The escrow holds the custodian can find without the operator's ledger access: each
 * `orders.order.paid` on the public log (a platform act: the payment provider reported the money
 * in, and it is held in `escrow:order:<id>`), with its amount from the buyer's signed
 * `orders.order.placed`.
 */
export async function escrowHolds(before: string | undefined, limit = 20): Promise<EscrowPage> {
  const paid = await unwrap(
    api.GET('/v1/log/entries', {
      params: { query: { type: 'orders.order.paid', limit, ...(before === undefined ? {} : { before }) } },
    }),
  );
  const paidEntries = await Promise.all(paid.items.map((item) => entry(item.index)));
  const holds: EscrowHold[] = paidEntries.map((e) => {
    const orderId = String(e.envelope.body.orderId);
    return {
      orderId,
      account: `escrow:order:${orderId}`,
      paymentId: String(e.envelope.body.paymentId ?? ''),
      paidAt: e.envelope.ts,
      paidIndex: e.index,
      totalFen: null,
      pointsSpent: null,
      buyer: null,
      producer: null,
      placedIndex: null,
    };
  });
  if (holds.length === 0) return { holds, nextCursor: paid.nextCursor };
  const wanted = new Map(holds.map((hold) => [hold.orderId, hold]));
  // An order is placed before it is paid: its placed entry sits below the newest paid one.
  const newest = Math.max(...holds.map((hold) => hold.paidIndex));
  const placed = await unwrap(
    api.GET('/v1/log/entries', {
      params: { query: { type: 'orders.order.placed', limit: PLACED_SCAN_MAX, before: String(newest) } },
    }),
  );
  const missing = () => holds.some((hold) => hold.placedIndex === null);
  for (let at = 0; at < placed.items.length && missing(); at += BATCH) {
    const batch = await Promise.all(placed.items.slice(at, at + BATCH).map((item) => entry(item.index)));
    for (const e of batch) {
      const hold = wanted.get(String(e.envelope.body.orderId));
      if (hold === undefined || hold.placedIndex !== null) continue;
      const body = e.envelope.body;
      hold.placedIndex = e.index;
      hold.totalFen = typeof body.totalFen === 'string' ? body.totalFen : null;
      hold.pointsSpent = typeof body.pointsSpent === 'string' ? body.pointsSpent : null;
      hold.buyer = e.envelope.actor;
      hold.producer = typeof body.producer === 'string' ? body.producer : null;
    }
  }
  return { holds, nextCursor: paid.nextCursor };
}

/** What became of paid orders' escrow, as far as public data tells: settled, or (partly) refunded. */
export interface EscrowFates {
  /** Order id → the settlement cycle that emptied its escrow. */
  settled: Map<string, number>;
  /** Orders with an approved refund (whole or part of the money went back to the buyer). */
  refunded: Set<string>;
}

/**
 * Settled orders come from the closed cycles' inputs documents (public JSON Lines, one
 * `{"order": {orderId, …}}` line per settled order); refunds from `orders.refund.approved` on the log.
 */
export async function escrowFates(): Promise<EscrowFates> {
  const cycles = await unwrap(api.GET('/v1/settlement/cycles', { params: { query: { limit: 100 } } }));
  const settled = new Map<string, number>();
  await Promise.all(
    cycles.items
      .filter((cycle) => cycle.status === 'closed' && cycle.orders > 0)
      .map(async (cycle) => {
        const text = await unwrap(
          api.GET('/v1/settlement/cycles/{cycle}/inputs', {
            params: { path: { cycle: cycle.cycle } },
            parseAs: 'text',
          }),
        );
        for (const line of String(text ?? '').split('\n')) {
          if (!line.startsWith('{"order"')) continue;
          const orderId = (JSON.parse(line) as { order?: { orderId?: unknown } }).order?.orderId;
          if (typeof orderId === 'string') settled.set(orderId, cycle.cycle);
        }
      }),
  );
  const refunds = await unwrap(
    api.GET('/v1/log/entries', { params: { query: { type: 'orders.refund.approved', limit: 100 } } }),
  );
  const refunded = new Set<string>();
  for (let at = 0; at < refunds.items.length; at += BATCH) {
    const batch = await Promise.all(refunds.items.slice(at, at + BATCH).map((item) => entry(item.index)));
    for (const e of batch) if (typeof e.envelope.body.orderId === 'string') refunded.add(e.envelope.body.orderId);
  }
  return { settled, refunded };
}
