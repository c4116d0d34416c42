import { createHmac } from 'node:crypto';
import { type OrderAttribution, type OrderOrigin, type Screening, screenOrder } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { badRequest } from '../../errors.js';
import type { Order } from '../orders/store.js';
import { distributionPolicy } from './policy.js';

/**
 * The anti-abuse signals of a checkout (DESIGN §9; seed `002_…`: 同一设备/IP多次下单自动触发风控)
 * and the screening of the order they came with.
 *
 * Orders are screened at placement, in the checkout's transaction: velocity is a property of
 * placing orders, and both signals and the order's parties (its attribution snapshot) are known
 * then. An order that fails a check is placed as usual but gets a 'pending' review; its rewards
 * (commission, points) wait at completion until an operator approves it (see reviews.ts), and an
 * operator usually decides during delivery and the return window, so an approved order's rewards
 * are not delayed.
 *
 * The device id and IP address are personal data: they are never on the log, and they are stored
 * only as keyed hashes (HMAC-SHA256 under a key derived from the server's key-encryption key), which
 * compare equal exactly when the values do — all the velocity rule needs — and reveal neither.
 */

/** The optional header a client sends with a stable, app-generated id of the device. */
export const DEVICE_ID_HEADER = 'x-device-id';
const DEVICE_ID = /^[A-Za-z0-9._:-]{8,128}$/;
/** How many earlier orders of one device or IP the check reads at most (the limits are far lower). */
const RECENT_PER_KEY_MAX = 1000;

export interface CheckoutOrigin {
  deviceId?: string | undefined;
  ip?: string | undefined;
}

/**
 * The device id (`X-Device-Id`, optional: 8–128 of A–Z a–z 0–9 . _ : -) and the client's IP of a
 * checkout request; 400 invalid_device_id for a malformed header. A loopback address is not a
 * client's (local tools, tests, or a proxy on the same host without CONCORD_TRUST_PROXY), so it is not
 * counted: counting it would put every order behind one address.
 */
export function checkoutOrigin(request: FastifyRequest): CheckoutOrigin {
  const header = request.headers[DEVICE_ID_HEADER];
  if (header !== undefined && (typeof header !== 'string' || !DEVICE_ID.test(header))) {
    throw badRequest(
      'invalid_device_id',
      'X-Device-Id must be one value of 8–128 characters of A–Z a–z 0–9 . _ : -',
      'X-Device-Id',
    );
  }
  const ip = normalizeIp(request.ip);
  return { deviceId: header, ip: ip === undefined || isLoopback(ip) ? undefined : ip };
}

function normalizeIp(ip: string | undefined): string | undefined {
  if (ip === undefined || ip === '') return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return (mapped?.[1] ?? ip).toLowerCase();
}

const isLoopback = (ip: string) => ip === '::1' || /^127\./.test(ip);

const signalKeys = new WeakMap<AppContext, Buffer>();

/** The keyed hash a signal is stored and compared as; `kind` keeps devices and IPs apart. */
function pseudonym(ctx: AppContext, kind: 'device' | 'ip', value: string): string {
  let key = signalKeys.get(ctx);
  if (key === undefined) {
    key = createHmac('sha256', ctx.keyEncryptionKey).update('concord/distribution/order-signals/v1').digest();
    signalKeys.set(ctx, key);
  }
  return createHmac('sha256', key).update(`${kind}\n${value}`).digest('hex');
}

interface SignalRow {
  order_id: string;
  device_id: string | null;
  ip: string | null;
  created_at: Date | string;
}

const toOrigin = (row: SignalRow): OrderOrigin => ({
  orderId: row.order_id,
  deviceId: row.device_id ?? undefined,
  ip: row.ip ?? undefined,
  atMs: new Date(row.created_at).getTime(),
});

/**
 * Records the signals of a just-placed order and screens it (protocol `screenOrder`: device and IP
 * velocity, self-dealing among buyer, producer, promoter and upline). An order that fails opens a
 * 'pending' review with the reasons. In the checkout's transaction: if the checkout fails, nothing
 * of this stays. Concurrent checkouts from one device or IP take turns (advisory locks, device
 * before IP, so two never wait on each other), so a burst cannot slip under the limit.
 */
export async function screenPlacedOrder(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  origin: CheckoutOrigin,
  now: Date,
): Promise<Screening> {
  const policy = distributionPolicy(ctx);
  const deviceId = origin.deviceId === undefined ? undefined : pseudonym(ctx, 'device', origin.deviceId);
  const ip = origin.ip === undefined ? undefined : pseudonym(ctx, 'ip', origin.ip);
  if (deviceId !== undefined) await tx.execute(sql`select pg_advisory_xact_lock(6007, hashtext(${deviceId}))`);
  if (ip !== undefined) await tx.execute(sql`select pg_advisory_xact_lock(6008, hashtext(${ip}))`);
  await tx.execute(
    sql`insert into distribution_order_signals (order_id, buyer_did, device_id, ip, created_at)
        values (${order.id}, ${order.buyerDid}, ${deviceId ?? null}, ${ip ?? null}, ${now.toISOString()}::timestamptz)
        on conflict (order_id) do nothing`,
  );
  const from = new Date(now.getTime() - policy.abuse.velocityWindowMinutes * 60_000).toISOString();
  const recentOn = (column: 'device_id' | 'ip', value: string | undefined) =>
    value === undefined
      ? Promise.resolve([])
      : rows<SignalRow>(
          tx,
          sql`select order_id, device_id, ip, created_at from distribution_order_signals
               where ${sql.identifier(column)} = ${value} and order_id <> ${order.id}
                 and created_at > ${from}::timestamptz and created_at <= ${now.toISOString()}::timestamptz
               order by created_at desc limit ${RECENT_PER_KEY_MAX}`,
        );
  const recent = new Map<string, OrderOrigin>();
  for (const row of [...(await recentOn('device_id', deviceId)), ...(await recentOn('ip', ip))]) {
    recent.set(row.order_id, toOrigin(row));
  }
  const attribution = order.attribution as OrderAttribution | null;
  const screening = screenOrder(
    { orderId: order.id, deviceId, ip, atMs: now.getTime() },
    [...recent.values()],
    {
      buyer: order.buyerDid,
      producer: order.producerDid,
      promoter: attribution?.promoter,
      upline: attribution?.upline,
    },
    policy,
  );
  if (screening.verdict === 'review') {
    await tx.execute(
      sql`insert into distribution_reviews (order_id, reasons, status, created_at)
          values (${order.id}, ${JSON.stringify(screening.reasons)}::jsonb, 'pending', ${now.toISOString()}::timestamptz)
          on conflict (order_id) do nothing`,
    );
  }
  return screening;
}

/**
 * Whether an order's rewards are held back: it has a review that is pending (they wait) or
 * rejected (they never come). The completion hook asks this before creating any reward.
 */
export async function rewardsWithheld(executor: Executor, orderId: string): Promise<boolean> {
  const [review] = await rows<{ status: string }>(
    executor,
    sql`select status from distribution_reviews where order_id = ${orderId}`,
  );
  return review !== undefined && review.status !== 'approved';
}
