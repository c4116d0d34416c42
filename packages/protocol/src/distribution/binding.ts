import { MS_PER_DAY, requireId, requireTimeMs } from './checks.js';
import { DistributionError } from './distribution-error.js';
import type { DistributionPolicy } from './policy.js';

/**
 * Binding a consumer to the promoter whose share link brought them (DESIGN §9). The rule sees the
 * referral graph through a two-method interface, so it never knows whether the edges come from a
 * table, a cache or a test's map.
 */

/** A consumer's binding: the promoter their orders are attributed to. */
export interface Binding {
  readonly consumer: string;
  readonly promoter: string;
  /** When this promoter first bound the consumer. */
  readonly boundAtMs: number;
  /** The latest click that made or renewed the binding; in 'last_click' mode the window runs from it. */
  readonly lastClickAtMs: number;
}

/** A consumer arriving through a promoter's share link. */
export interface ShareClick {
  readonly consumer: string;
  readonly promoter: string;
  readonly atMs: number;
}

/** The referral graph, as the binding rule needs to see it. */
export interface ReferralGraph {
  /** Whether `did` is an approved, active promoter. */
  isPromoter(did: string): boolean;
  /** Who brought `did` in: their binding's promoter (for a promoter, their upline), if any. */
  parentOf(did: string): string | undefined;
}

export type BindingRefusal = 'self_binding' | 'not_a_promoter' | 'referral_cycle';

export type BindingDecision =
  /** A new binding: the first one, or (last_click mode) one that replaces `replaces`. */
  | { readonly action: 'bind'; readonly binding: Binding; readonly replaces?: string }
  /** The same promoter clicked again in last_click mode: the window restarts. */
  | { readonly action: 'renew'; readonly binding: Binding }
  /** Nothing changes. */
  | {
      readonly action: 'keep';
      readonly binding: Binding;
      readonly reason: 'first_binding_permanent' | 'same_promoter' | 'older_click';
    }
  /** The click cannot bind; nothing is written. */
  | { readonly action: 'refuse'; readonly code: BindingRefusal; readonly message: string };

/** The longest upline chain the cycle check walks; a real chain is a handful of links. */
export const MAX_REFERRAL_CHAIN = 10_000;

/**
 * What a share-link click does to the consumer's binding under `policy.bindingMode`:
 * - refused when the consumer is the promoter (`self_binding`), the link's owner is not an active
 *   promoter (`not_a_promoter`), or the promoter's chain of parents reaches the consumer, so that
 *   binding would close a loop (`referral_cycle`) — checked before anything else, since such a
 *   click is bad whether or not it would change the binding;
 * - 'first' mode: an existing binding is permanent (keep); otherwise bind;
 * - 'last_click' mode: a binding lapses `lastClickWindowDays` after its last click; a click from
 *   the bound promoter renews it, a click from another promoter replaces it, and a click older
 *   than the binding's last one (delivered out of order) changes nothing.
 *
 * Throws `DistributionError` for malformed input (`invalid_id`, `invalid_time`), for an existing
 * binding of another consumer (`invalid_entry`), and `chain_too_long` / `referral_cycle` when the
 * graph itself is broken (a chain over MAX_REFERRAL_CHAIN links, or a loop not through the
 * consumer) — data the rule cannot decide on.
 */
export function decideBinding(
  click: ShareClick,
  existing: Binding | undefined,
  graph: ReferralGraph,
  policy: DistributionPolicy,
): BindingDecision {
  const consumer = requireId(click.consumer, 'click.consumer', 'the consumer');
  const promoter = requireId(click.promoter, 'click.promoter', 'the promoter');
  const atMs = requireTimeMs(click.atMs, 'click.atMs');
  if (existing !== undefined && existing.consumer !== consumer) {
    throw new DistributionError('invalid_entry', 'existing.consumer', 'the existing binding is of another consumer');
  }

  if (consumer === promoter) {
    return { action: 'refuse', code: 'self_binding', message: 'a promoter cannot be bound to themselves' };
  }
  if (!graph.isPromoter(promoter)) {
    return { action: 'refuse', code: 'not_a_promoter', message: `${promoter} is not an active promoter` };
  }
  if (chainReaches(graph, promoter, consumer)) {
    return {
      action: 'refuse',
      code: 'referral_cycle',
      message: `${promoter} was brought in, directly or through others, by ${consumer}`,
    };
  }

  const fresh: Binding = { consumer, promoter, boundAtMs: atMs, lastClickAtMs: atMs };
  if (existing === undefined) return { action: 'bind', binding: fresh };
  if (policy.bindingMode === 'first') {
    return { action: 'keep', binding: existing, reason: 'first_binding_permanent' };
  }
  if (atMs < existing.lastClickAtMs) return { action: 'keep', binding: existing, reason: 'older_click' };
  if (existing.promoter === promoter) {
    if (atMs === existing.lastClickAtMs) return { action: 'keep', binding: existing, reason: 'same_promoter' };
    // A lapsed binding renewed by the same promoter starts afresh: the lapse ended the old one.
    const lapsed = !bindingActive(existing, atMs, policy);
    return lapsed
      ? { action: 'bind', binding: fresh }
      : { action: 'renew', binding: { ...existing, lastClickAtMs: atMs } };
  }
  return { action: 'bind', binding: fresh, replaces: existing.promoter };
}

/**
 * Whether `binding` still attributes orders at `atMs`: always in 'first' mode; in 'last_click'
 * mode until `lastClickWindowDays` after its last click (inclusive).
 */
export function bindingActive(binding: Binding, atMs: number, policy: DistributionPolicy): boolean {
  requireTimeMs(atMs, 'atMs');
  if (policy.bindingMode === 'first') return true;
  return atMs <= binding.lastClickAtMs + policy.lastClickWindowDays * MS_PER_DAY;
}

/** The promoter an order placed at `atMs` is attributed to, if any (snapshotted on the order at checkout). */
export function attributedPromoter(
  binding: Binding | undefined,
  atMs: number,
  policy: DistributionPolicy,
): string | undefined {
  if (binding === undefined) return undefined;
  return bindingActive(binding, atMs, policy) ? binding.promoter : undefined;
}

/** Whether following parents from `start` reaches `target` (start itself included). */
function chainReaches(graph: ReferralGraph, start: string, target: string): boolean {
  const seen = new Set<string>();
  let current: string | undefined = start;
  while (current !== undefined) {
    if (current === target) return true;
    if (seen.has(current)) {
      throw new DistributionError(
        'referral_cycle',
        'graph',
        `the referral graph already holds a loop through ${current}; it must be repaired first`,
      );
    }
    if (seen.size >= MAX_REFERRAL_CHAIN) {
      throw new DistributionError(
        'chain_too_long',
        'graph',
        `the chain from ${start} is over ${MAX_REFERRAL_CHAIN} links`,
      );
    }
    seen.add(current);
    current = graph.parentOf(current);
  }
  return false;
}
