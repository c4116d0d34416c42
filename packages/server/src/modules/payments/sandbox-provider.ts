import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/connection.js';
import type { PaymentProvider, ProviderEvent } from './provider.js';
import { type SandboxOutcome, sandboxChargeOutcome, sandboxOutcome, sandboxPayoutOutcome } from './sandbox.js';
import { webhookSignatureValid } from './webhook-signature.js';

const EVENT_SCHEMA = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['payment.succeeded', 'payment.failed', 'payout.succeeded', 'payout.failed']),
  data: z.object({ providerRef: z.string().min(1).max(200), amount: z.string().regex(/^[0-9]{1,19}$/) }),
  createdAt: z.string(),
});

/** Thrown for a webhook whose signature is good but whose body is not a sandbox event. */
export class MalformedWebhook extends Error {}

/** The local simulation of a provider: outcomes on request, webhooks signed with `secret`. */
export function sandboxProvider(secret: Uint8Array): PaymentProvider {
  return {
    name: 'sandbox',
    async charge(tx: Tx, request, now) {
      const outcome = (request.simulate ?? 'succeed') as SandboxOutcome;
      await sandboxOutcome(tx, 'payment', request.providerRef, request.amount, outcome, now);
    },
    async close(tx: Tx, providerRef) {
      // A charge simulated as a timeout has no outcome, and closing it makes sure it never will.
      return (await sandboxChargeOutcome(tx, providerRef)) ?? 'closed';
    },
    async payout(tx: Tx, request, now) {
      const outcome = (request.simulate ?? 'succeed') as SandboxOutcome;
      await sandboxOutcome(tx, 'payout', request.providerRef, request.amount, outcome, now);
    },
    async cancelPayout(tx: Tx, providerRef) {
      // A payout simulated as a timeout has no outcome, and cancelling it makes sure it never will.
      return (await sandboxPayoutOutcome(tx, providerRef)) ?? 'cancelled';
    },
    async refund(tx: Tx, request, now) {
      // The sandbox pays refunds back at once; it keeps a record as a real provider would.
      await tx.execute(
        sql`insert into sandbox_webhook_outbox (event_id, body, next_attempt_at, delivered_at)
            values (${`rfd_${request.refundId}`}, ${JSON.stringify({ id: `rfd_${request.refundId}`, type: 'refund.succeeded', data: { providerRef: request.providerRef, amount: request.amount.toString() } })},
                    ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
            on conflict (event_id) do nothing`,
      );
    },
    verifyWebhook(headers, rawBody, now): ProviderEvent | undefined {
      const header = headers['x-sandbox-signature'];
      if (!webhookSignatureValid(secret, typeof header === 'string' ? header : undefined, rawBody, now))
        return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        throw new MalformedWebhook('The body is not valid JSON.');
      }
      const event = EVENT_SCHEMA.safeParse(parsed);
      if (!event.success) throw new MalformedWebhook(event.error.issues[0]?.message ?? 'not a sandbox event');
      return {
        id: event.data.id,
        type: event.data.type,
        providerRef: event.data.data.providerRef,
        amount: BigInt(event.data.data.amount),
      };
    },
  };
}
