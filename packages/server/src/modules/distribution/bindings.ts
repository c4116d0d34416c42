import { type Binding, bindingActive, type DistributionPolicy, decideBinding } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { appOf } from '../orders/transitions.js';
import { findLink, LINK_CODE } from './links.js';
import { distributionPolicy } from './policy.js';
import { isPromoter } from './promoters.js';

export const BINDING_CREATED_BODY = z.object({ code: LINK_CODE }).strict();

export interface BindingRow {
  consumer_did: string;
  promoter_did: string;
  bound_at: Date | string;
  last_click_at: Date | string;
}

export const toBinding = (row: BindingRow): Binding => ({
  consumer: row.consumer_did,
  promoter: row.promoter_did,
  boundAtMs: new Date(row.bound_at).getTime(),
  lastClickAtMs: new Date(row.last_click_at).getTime(),
});

export async function storedBinding(executor: Executor, consumer: string): Promise<Binding | undefined> {
  const [row] = await rows<BindingRow>(
    executor,
    sql`select consumer_did, promoter_did, bound_at, last_click_at from distribution_bindings where consumer_did = ${consumer}`,
  );
  return row && toBinding(row);
}

/** The consumer's binding if it still attributes orders at `now` (a last-click binding lapses). */
export async function currentBinding(
  executor: Executor,
  consumer: string,
  now: Date,
  policy: DistributionPolicy,
): Promise<Binding | undefined> {
  const binding = await storedBinding(executor, consumer);
  return binding !== undefined && bindingActive(binding, now.getTime(), policy) ? binding : undefined;
}

/**
 * Who brought whom, from `start` upwards: a promoter's upline, otherwise a consumer's binding.
 * The chain is short (a handful of links); 64 is far beyond any real one and bounds a bad graph.
 */
async function parentsFrom(tx: Tx, start: string): Promise<Map<string, string>> {
  const chain = await rows<{ did: string; parent: string | null }>(
    tx,
    sql`with recursive chain(did, parent, depth) as (
          select ${start}::text, parent.did, 0
            from (select coalesce((select upline_did from distribution_promoters where did = ${start}),
                                  (select promoter_did from distribution_bindings where consumer_did = ${start})) as did) parent
          union all
          select chain.parent,
                 coalesce((select upline_did from distribution_promoters where did = chain.parent),
                          (select promoter_did from distribution_bindings where consumer_did = chain.parent)),
                 chain.depth + 1
            from chain where chain.parent is not null and chain.depth < 64
        )
        select did, parent from chain`,
  );
  return new Map(chain.flatMap((link) => (link.parent === null ? [] : [[link.did, link.parent] as const])));
}

const REFUSAL_STATUS = { self_binding: 422, not_a_promoter: 409, referral_cycle: 422 } as const;

/**
 * A consumer arrives by a share link and signs this. A promoter's link binds them to the
 * promoter under the policy's binding mode (protocol `decideBinding`: by default the first binding
 * is permanent). A member's (not a promoter's) invitation brings an account that has never
 * completed an order its inviter, once: the referral reward comes from that first purchase, never
 * from the sign-up. A promoter is paid by commission instead, never both for one buyer.
 */
export const bindingCreated = defineEvent({
  type: 'distribution.binding.created',
  summary:
    'Arrive by a share link: bind yourself to the promoter who shared it, and record who invited you (first time only).',
  body: BINDING_CREATED_BODY,
  allowed: 'registered',
  async handle(event, { code }) {
    const { tx, actor, eventId, now } = event;
    const policy = distributionPolicy(appOf(event));
    const link = await findLink(tx, code);
    if (link === undefined) throw notFound(`Share link ${code}`, 'body.code');
    if (link.ownerDid === actor)
      throw new AppError(422, 'self_referral', 'This is your own link: no one can refer themselves.', 'body.code');
    // One click of a consumer at a time, so two links opened at once cannot both bind.
    await tx.execute(sql`select pg_advisory_xact_lock(6006, hashtext(${actor}))`);

    const parents = await parentsFrom(tx, link.ownerDid);
    // The rule asks only about the link's owner: the chain above them needs no role check.
    const ownerIsPromoter = await isPromoter(tx, link.ownerDid);
    let binding: { action: string; promoter: string | null } = { action: 'none', promoter: null };
    if (link.kind !== 'invite' || ownerIsPromoter) {
      const existing = await storedBinding(tx, actor);
      const decision = decideBinding(
        { consumer: actor, promoter: link.ownerDid, atMs: now.getTime() },
        existing,
        { isPromoter: (did) => did === link.ownerDid && ownerIsPromoter, parentOf: (did) => parents.get(did) },
        policy,
      );
      if (decision.action === 'refuse') {
        const message =
          decision.code === 'referral_cycle'
            ? `${link.ownerDid} was brought here by you (directly or through others): binding back would make a cycle.`
            : decision.code === 'not_a_promoter'
              ? `${link.ownerDid} is not a promoter (any more): this link binds no one.`
              : decision.message;
        throw new AppError(REFUSAL_STATUS[decision.code], decision.code, message, 'body.code');
      }
      if (decision.action === 'bind' || decision.action === 'renew') {
        const b = decision.binding;
        await tx.execute(
          sql`insert into distribution_bindings (consumer_did, promoter_did, link_code, bound_at, last_click_at, event_id)
              values (${actor}, ${b.promoter}, ${code}, ${new Date(b.boundAtMs).toISOString()}::timestamptz,
                      ${new Date(b.lastClickAtMs).toISOString()}::timestamptz, ${eventId.toString()}::int8)
              on conflict (consumer_did) do update set promoter_did = excluded.promoter_did, link_code = excluded.link_code,
                bound_at = excluded.bound_at, last_click_at = excluded.last_click_at, event_id = excluded.event_id`,
        );
      }
      binding = { action: decision.action, promoter: decision.binding.promoter };
    } else if ([...parents.values(), ...parents.keys()].includes(actor)) {
      throw conflict(
        'referral_cycle',
        `${link.ownerDid} was brought here by you: inviting back would make a cycle.`,
        'body.code',
      );
    }

    const invites = link.kind === 'invite' && !ownerIsPromoter;
    const [invite] = !invites
      ? []
      : await rows<{ inviter_did: string }>(
          tx,
          sql`insert into distribution_invites (invitee_did, inviter_did, link_code, invited_at, event_id)
          select ${actor}, ${link.ownerDid}, ${code}, ${now.toISOString()}::timestamptz, ${eventId.toString()}::int8
           where not exists (select 1 from orders where buyer_did = ${actor} and completed_at is not null)
             and not exists (select 1 from distribution_invites where invitee_did = ${link.ownerDid} and inviter_did = ${actor})
          on conflict (invitee_did) do nothing
          returning inviter_did`,
        );
    const [inviter] = await rows<{ inviter_did: string }>(
      tx,
      sql`select inviter_did from distribution_invites where invitee_did = ${actor}`,
    );
    return {
      code,
      binding: binding.action,
      promoter: binding.promoter,
      inviter: inviter?.inviter_did ?? null,
      invited: invite !== undefined,
    };
  },
});
