import {
  type Binding,
  bindingActive,
  type DistributionPolicy,
  type OrderAttribution,
  type PromoterLevel,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';
import { conflict } from '../../errors.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { type BindingRow, toBinding } from './bindings.js';
import { CURRENT_PROMOTERS, findPromoter, type Promoter, type PromoterRow, toPromoter } from './promoters.js';

/** What the buyer signs in `orders.order.placed`: the promoter their order is attributed to, or null. */
export const SIGNED_ATTRIBUTION = z
  .object({ promoter: DID_SCHEMA })
  .strict()
  .nullable()
  .describe('The promoter who brought the buyer (from the quote), or null.');
export type SignedAttribution = z.output<typeof SIGNED_ATTRIBUTION>;

/**
 * The promoter an order of `buyer` from `producer` is attributed to now: the promoter of the
 * buyer's binding while it is in force and they are still a promoter. A promoter buying is
 * attributed to themselves only where the policy lets own purchases earn; a producer's own
 * products earn their promoter-self nothing (self-dealing).
 */
async function attributedPromoter(
  executor: Executor,
  policy: DistributionPolicy,
  buyer: string,
  producer: string,
  now: Date,
): Promise<Promoter | undefined> {
  const { self, binding } = await promoterAndBindingOf(executor, buyer);
  if (self !== undefined) return policy.selfPurchaseCommission && buyer !== producer ? self : undefined;
  if (binding === undefined || !bindingActive(binding, now.getTime(), policy) || binding.promoter === producer)
    return undefined;
  return findPromoter(executor, binding.promoter);
}

/** The buyer as a promoter, and the buyer's stored binding: one statement (every quote and checkout asks). */
async function promoterAndBindingOf(
  executor: Executor,
  buyer: string,
): Promise<{ self: Promoter | undefined; binding: Binding | undefined }> {
  const [row] = await rows<{ self: PromoterRow | string | null; binding: BindingRow | string | null }>(
    executor,
    sql`select (select row_to_json(p) from ${CURRENT_PROMOTERS} where p.did = ${buyer}) as self,
               (select row_to_json(b) from distribution_bindings b where b.consumer_did = ${buyer}) as binding`,
  );
  const self = row?.self == null ? undefined : toPromoter(fromJsonb(row.self));
  const binding = row?.binding == null ? undefined : toBinding(fromJsonb(row.binding));
  return { self, binding };
}

/** What the quote asks the buyer to sign (see `attributedPromoter`). */
export async function attributionFor(
  executor: Executor,
  policy: DistributionPolicy,
  buyer: string,
  producer: string,
  now: Date,
): Promise<SignedAttribution> {
  const promoter = await attributedPromoter(executor, policy, buyer, producer, now);
  return promoter === undefined ? null : { promoter: promoter.did };
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
  const promoter = await attributedPromoter(executor, policy, buyer, producer, now);
  if ((promoter?.did ?? null) !== (signed?.promoter ?? null)) {
    throw conflict(
      'attribution_changed',
      promoter === undefined
        ? 'This order is no longer attributed to a promoter: get a new quote and sign again.'
        : `This order is now attributed to ${promoter.did}: get a new quote and sign again.`,
      'body.attribution',
    );
  }
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
