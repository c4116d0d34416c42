import type { Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { shardKey } from '../accounting/hot-accounts.js';

const CLEARING_SHARDS = 16;

/**
 * Where money from (and to) the provider passes on our books: its clearing account. Every payment
 * and payout moves through it, so it is a hot account, sharded by the payment's id (see
 * accounting/hot-accounts.ts); its balance is the sum of its shards.
 */
export const clearingAccount = (provider: string, ledger: string, paymentId: string) =>
  shardKey(`clearing:${provider}:${ledger}`, CLEARING_SHARDS, paymentId);

/** What a provider tells us about a payment, after its webhook was verified. */
export interface ProviderEvent {
  id: string;
  type: 'payment.succeeded' | 'payment.failed' | 'payout.succeeded' | 'payout.failed';
  providerRef: string;
  amount: bigint;
}

/**
 * A payment provider adapter. The platform starts charges and refunds; the provider reports
 * outcomes by webhooks, which the adapter authenticates. Adapters for WeChat Pay and Alipay
 * implement the same interface against their published APIs; `sandbox` simulates one locally.
 */
export interface PaymentProvider {
  readonly name: string;
  /** Starts a charge of `amount` for `providerRef`; the outcome arrives later by webhook. */
  charge(
    tx: Tx,
    request: { providerRef: string; amount: bigint; simulate?: string | undefined },
    now: Date,
  ): Promise<void>;
  /**
   * Closes a charge that has had no outcome for too long, so it can no longer succeed; answers
   * what the provider knows of it (a success whose webhook never arrived is 'succeeded').
   */
  close(tx: Tx, providerRef: string, now: Date): Promise<'closed' | 'succeeded' | 'failed'>;
  /** Sends `amount` to `destination`; the outcome arrives later by webhook. */
  payout(
    tx: Tx,
    request: { providerRef: string; amount: bigint; destination: string; simulate?: string | undefined },
    now: Date,
  ): Promise<void>;
  /**
   * Cancels a payout that has had no outcome for too long, so it can no longer succeed, or
   * answers the outcome the provider had already (a transfer sent whose webhook never arrived
   * is 'succeeded'), as WeChat Pay's and Alipay's transfer query/cancel do.
   */
  cancelPayout(tx: Tx, providerRef: string, now: Date): Promise<'cancelled' | 'succeeded' | 'failed'>;
  /** Returns `amount` of a succeeded charge to the payer. */
  refund(tx: Tx, request: { providerRef: string; refundId: string; amount: bigint }, now: Date): Promise<void>;
  /** Authenticates a webhook and returns its event; undefined when the signature is not valid. */
  verifyWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    now: Date,
  ): ProviderEvent | undefined;
}

/** The providers this server knows, by name. */
export class PaymentProviders {
  private readonly byName = new Map<string, PaymentProvider>();

  constructor(providers: readonly PaymentProvider[]) {
    for (const provider of providers) this.byName.set(provider.name, provider);
  }

  get(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }

  /** The provider a request names (the sandbox when it names none); 400 when there is none. */
  chosen(name = 'sandbox'): PaymentProvider {
    const provider = this.byName.get(name);
    if (provider === undefined) throw new AppError(400, 'unknown_provider', `No payment provider ${name}.`, 'provider');
    return provider;
  }

  /** The provider a stored payment or payout names; a missing one is a configuration error. */
  stored(name: string, what: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (provider === undefined) throw new Error(`${what} names the unknown provider ${name}`);
    return provider;
  }
}

/** Our reference for a charge or payout at its provider (`sbx_…` at the sandbox). */
export function providerRefOf(provider: PaymentProvider, id: string): string {
  return `${provider.name === 'sandbox' ? 'sbx' : provider.name}_${id}`;
}
