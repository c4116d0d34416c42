import type { DistributionPolicy, OrderAttribution, PromoterLevel } from '@concord/protocol';
import { z } from 'zod';
import type { Executor } from '../../db/connection.js';
import { conflict } from '../../errors.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { currentBinding } from './bindings.js';
import { findPromoter, isPromoter } from './promoters.js';

/** What the buyer signs in `orders.order.placed`: the promoter their order is attributed to, or null. */
export const SIGNED_ATTRIBUTION = z
  .object({ promoter: DID_SCHEMA })
  .strict()
  .nullable()
  .describe('The promoter who brought the buyer (from the quote), or null.');
export type SignedAttribution = z.output<typeof SIGNED_ATTRIBUTION>;

/**
 * Whom an order of `buyer` from `producer` is attributed to now: the promoter of the buyer's
 * binding while it is in force and they are still a promoter. A promoter buying is attributed to
 * themselves only where the policy lets own purchases earn; a producer's own products earn their
 * promoter-self nothing (self-dealing).
 */
export async function attributionFor(
  executor: Executor,
  policy: DistributionPolicy,
  buyer: string,
  producer: string,
  now: Date,
): Promise<SignedAttribution> {
  if (await isPromoter(executor, buyer)) {
    return policy.selfPurchaseCommission && buyer !== producer ? { promoter: buyer } : null;
  }
  const binding = await currentBinding(executor, buyer, now, policy);
  if (binding === undefined || binding.promoter === producer) return null;
  return (await isPromoter(executor, binding.promoter)) ? { promoter: binding.promoter } : null;
}

/**
 * At placement: checks that what the buyer signed is still the attribution, and snapshots the
 * promoter's and upline's levels on the order (commissions are computed from this snapshot at
 * completion, whatever changes meanwhile). 409 attribution_changed asks for a new quote.
 */
export async function snapshotAttribution(
  executor: Executor,
  policy: DistributionPolicy,
  signed: SignedAttribution,
  buyer: string,
  producer: string,
  now: Date,
): Promise<OrderAttribution | null> {
  const expected = await attributionFor(executor, policy, buyer, producer, now);
  if ((expected?.promoter ?? null) !== (signed?.promoter ?? null)) {
    throw conflict(
      'attribution_changed',
      expected === null
        ? 'This order is no longer attributed to a promoter: get a new quote and sign again.'
        : `This order is now attributed to ${expected.promoter}: get a new quote and sign again.`,
      'body.attribution',
    );
  }
  if (expected === null) return null;
  const promoter = await findPromoter(executor, expected.promoter);
  if (promoter === undefined) return null;
  const upline =
    promoter.uplineDid === null || promoter.uplineDid === buyer
      ? undefined
      : await findPromoter(executor, promoter.uplineDid);
  return {
    promoter: promoter.did,
    promoterLevel: promoter.level as PromoterLevel,
    ...(upline === undefined ? {} : { upline: upline.did, uplineLevel: upline.level as PromoterLevel }),
  };
}
