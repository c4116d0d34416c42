import { sql } from 'drizzle-orm';
import { type Db, rows, type Tx } from '../../db/connection.js';
import { signWebhook } from './webhook-signature.js';

export type SandboxOutcome = 'succeed' | 'fail' | 'timeout';

export type SandboxEventType = 'payment.succeeded' | 'payment.failed' | 'payout.succeeded' | 'payout.failed';

export interface SandboxEvent {
  id: string;
  type: SandboxEventType;
  data: { providerRef: string; amount: string };
  createdAt: string;
}

const eventId = (providerRef: string, type: SandboxEventType) => `evt_${providerRef}_${type.replace('.', '_')}`;

/**
 * The sandbox provider's side of a charge or a payout: it decides the outcome the caller asked
 * for and, unless it is a timeout, queues the webhook that reports it, in the caller's transaction.
 */
export async function sandboxOutcome(
  tx: Tx,
  operation: 'payment' | 'payout',
  providerRef: string,
  amount: bigint,
  outcome: SandboxOutcome,
  now: Date,
): Promise<void> {
  if (outcome === 'timeout') return;
  const type: SandboxEventType = `${operation}.${outcome === 'succeed' ? 'succeeded' : 'failed'}`;
  const event: SandboxEvent = {
    id: eventId(providerRef, type),
    type,
    data: { providerRef, amount: amount.toString() },
    createdAt: now.toISOString(),
  };
  await tx.execute(
    sql`insert into sandbox_webhook_outbox (event_id, body, next_attempt_at)
        values (${event.id}, ${JSON.stringify(event)}, ${now.toISOString()}::timestamptz) on conflict (event_id) do nothing`,
  );
}

/**
 * What the sandbox knows of a charge or a payout: the outcome it queued (delivered or not), or
 * none (a timeout). The outcome is decided in the transaction that started the operation, so a
 * timeout never gets one later: closing or cancelling it has no queued webhook to take back.
 */
async function sandboxKnownOutcome(
  tx: Tx,
  operation: 'payment' | 'payout',
  providerRef: string,
): Promise<'succeeded' | 'failed' | undefined> {
  const succeeded = eventId(providerRef, `${operation}.succeeded`);
  const found = await rows<{ event_id: string }>(
    tx,
    sql`select event_id from sandbox_webhook_outbox
        where event_id in (${succeeded}, ${eventId(providerRef, `${operation}.failed`)})`,
  );
  if (found.length === 0) return undefined;
  return found[0]?.event_id === succeeded ? 'succeeded' : 'failed';
}

/** What the sandbox knows of a charge: an outcome it queued, or none (a timeout). */
export const sandboxChargeOutcome = (tx: Tx, providerRef: string) => sandboxKnownOutcome(tx, 'payment', providerRef);

/** What the sandbox knows of a payout: an outcome it queued, or none (a timeout). */
export const sandboxPayoutOutcome = (tx: Tx, providerRef: string) => sandboxKnownOutcome(tx, 'payout', providerRef);

const ATTEMPTS_MAX = 10;
const DELIVERY_CONCURRENCY = 8;
// A webhook being sent is not picked up again by another pass for this long.
const LEASE_MS = 30_000;
const backoffMs = (attempts: number) => Math.min(60_000, 500 * 2 ** attempts);

/**
 * Delivers queued sandbox webhooks, signed with the shared secret, retrying with backoff until
 * the receiver answers 2xx. Delivery is at least once: the receiver drops duplicates by event id.
 */
export class SandboxWebhookDelivery {
  constructor(
    private readonly db: Db,
    private readonly secret: Uint8Array,
    /** Sends one signed webhook; resolves to the HTTP status. */
    private readonly send: (body: string, signature: string) => Promise<number>,
    private readonly clock: () => Date,
  ) {}

  /**
   * One pass over the due webhooks; returns how many were delivered. Each is leased first (its
   * next attempt pushed back) in a short statement, and sent outside any transaction: the
   * receiver may be this very server, on the same database connection.
   */
  async deliverDue(limit = 50): Promise<number> {
    const now = this.clock();
    const lease = new Date(now.getTime() + LEASE_MS);
    const due = await rows<{ id: string; body: string; attempts: number }>(
      this.db,
      sql`update sandbox_webhook_outbox set next_attempt_at = ${lease.toISOString()}::timestamptz
          where id in (select id from sandbox_webhook_outbox
                       where delivered_at is null and attempts < ${ATTEMPTS_MAX} and next_attempt_at <= ${now.toISOString()}::timestamptz
                       order by id limit ${limit} for update skip locked)
          returning id, body, attempts`,
    );
    let delivered = 0;
    const deliverOne = async (item: { id: string; body: string; attempts: number }) => {
      let status: number;
      let error: string | null = null;
      try {
        status = await this.send(item.body, signWebhook(this.secret, Math.floor(now.getTime() / 1000), item.body));
      } catch (e) {
        status = 0;
        error = (e as Error).message;
      }
      if (status >= 200 && status < 300) {
        delivered++;
        await this.db.execute(
          sql`update sandbox_webhook_outbox set delivered_at = ${now.toISOString()}::timestamptz, attempts = attempts + 1 where id = ${item.id}`,
        );
      } else {
        const next = new Date(now.getTime() + backoffMs(item.attempts));
        await this.db.execute(
          sql`update sandbox_webhook_outbox set attempts = attempts + 1, next_attempt_at = ${next.toISOString()}::timestamptz,
              last_error = ${error ?? `HTTP ${status}`} where id = ${item.id}`,
        );
      }
    };
    // A few at a time, as a provider's senders would: one slow answer does not hold up the rest.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(DELIVERY_CONCURRENCY, due.length) }, async () => {
        for (let i = next++; i < due.length; i = next++) await deliverOne(due[i] as (typeof due)[number]);
      }),
    );
    return delivered;
  }
}
