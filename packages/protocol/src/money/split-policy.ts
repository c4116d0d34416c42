import { WHOLE_BPS } from './allocate.js';
import { MoneyError, type MoneyIssue } from './money-error.js';

/**
 * The order split policy (DESIGN §7): what part of an order's paid amount P each share takes, in
 * basis points of P. The supplier takes the rest, 10000 − Σ shares, so it has no field of its own.
 *
 * Only the arithmetic is a protocol rule (integers, none negative, Σ ≤ 10000). Business ranges —
 * a promoter commission of 10–15%, a platform fee of 5–8% — are operator configuration, checked
 * where the operator edits them, so that an auditor replaying old orders never rejects a policy
 * that was legal under the operator's rules of the day.
 */
export interface SplitPolicy {
  /** To the cycle's experience pool (experts, winning testers, platform). */
  readonly experienceFeeBps: number;
  /** To the witnesses' pool, by cosignatures in the cycle. */
  readonly trustFeeBps: number;
  /** To the attributed promoter. */
  readonly promoterCommissionBps: number;
  /** To the promoter's upline; an operator may set it to zero (DESIGN §9). */
  readonly teamOverrideBps: number;
  /** To the buyer, credited as points. */
  readonly consumerCashbackBps: number;
  /** To the platform. */
  readonly platformServiceFeeBps: number;
  /** Who takes a share that has no party: no promoter, or no upline. */
  readonly unusedShareDestination: UnusedShareDestination;
}

export type UnusedShareDestination = 'supplier' | 'platform';

/** A category's or a product's changes to the policy: only the fields it sets. */
export type SplitPolicyOverride = Partial<SplitPolicy>;

export type SplitShareField = Exclude<keyof SplitPolicy, 'unusedShareDestination'>;

/** The share fields in settlement order; `splitOrder` emits legs in this order, supplier last. */
export const SPLIT_SHARE_FIELDS: readonly SplitShareField[] = [
  'experienceFeeBps',
  'trustFeeBps',
  'promoterCommissionBps',
  'teamOverrideBps',
  'consumerCashbackBps',
  'platformServiceFeeBps',
];

const POLICY_FIELDS: readonly (keyof SplitPolicy)[] = [...SPLIT_SHARE_FIELDS, 'unusedShareDestination'];
const DESTINATIONS: readonly UnusedShareDestination[] = ['supplier', 'platform'];

export const DEFAULT_SPLIT_POLICY: SplitPolicy = Object.freeze({
  experienceFeeBps: 1500,
  trustFeeBps: 60,
  promoterCommissionBps: 1000,
  teamOverrideBps: 300,
  consumerCashbackBps: 500,
  platformServiceFeeBps: 600,
  unusedShareDestination: 'supplier',
});

/** The supplier's share: what the other shares leave of 10000 bps. */
export function supplierShareBps(policy: SplitPolicy): number {
  return WHOLE_BPS - SPLIT_SHARE_FIELDS.reduce((sum, field) => sum + policy[field], 0);
}

/**
 * Every problem with `input` as a full split policy, or none. `unusedShareDestination` may be
 * left out (it defaults to 'supplier'); every share must be present. Issue fields are the
 * property names, prefixed by `field` when given; the sum issue blames `field` itself ('policy'
 * by default).
 */
export function splitPolicyIssues(input: unknown, field?: string): MoneyIssue[] {
  const issues = layerIssues(input, field, false);
  if (issues.length > 0) return issues;
  return sumIssues(input as SplitPolicyOverride, field ?? 'policy', 'the shares');
}

/**
 * Returns `input` as a clean, frozen `SplitPolicy` or throws a `MoneyError` listing every issue
 * (codes `not_an_object`, `unknown_field`, `share_missing`, `share_not_integer`,
 * `share_negative`, `invalid_destination`, `shares_exceed_whole`).
 */
export function validateSplitPolicy(input: unknown, field?: string): SplitPolicy {
  const issues = splitPolicyIssues(input, field);
  if (issues.length > 0) throw MoneyError.fromIssues(issues);
  return freezePolicy(input as SplitPolicyOverride);
}

export interface SplitPolicyScope {
  readonly categoryId?: string | undefined;
  readonly productId?: string | undefined;
}

/**
 * The policy that applies to one product: field by field, the product's override if it sets the
 * field, else its category's, else `base`. Each layer is checked on its own (so an error names the
 * override that holds the bad value, e.g. `productOverrides.p-17.trustFeeBps`), then the merged
 * policy's sum, which blames 'policy' since no single layer owns it. Throws `MoneyError` as
 * `validateSplitPolicy` does.
 */
export function resolveSplitPolicy(
  base: SplitPolicy,
  categoryOverrides: Readonly<Record<string, SplitPolicyOverride>>,
  productOverrides: Readonly<Record<string, SplitPolicyOverride>>,
  scope: SplitPolicyScope,
): SplitPolicy {
  const layers: { override: unknown; field: string }[] = [];
  // Object.hasOwn: an id such as "constructor" must not find Object.prototype's members.
  if (scope.categoryId !== undefined && Object.hasOwn(categoryOverrides, scope.categoryId)) {
    layers.push({ override: categoryOverrides[scope.categoryId], field: `categoryOverrides.${scope.categoryId}` });
  }
  if (scope.productId !== undefined && Object.hasOwn(productOverrides, scope.productId)) {
    layers.push({ override: productOverrides[scope.productId], field: `productOverrides.${scope.productId}` });
  }
  const issues = [
    ...layerIssues(base, 'base', false),
    ...layers.flatMap((layer) => layerIssues(layer.override, layer.field, true)),
  ];
  if (issues.length > 0) throw MoneyError.fromIssues(issues);

  const merged: Record<string, unknown> = {};
  for (const key of POLICY_FIELDS) {
    merged[key] = base[key];
    for (const layer of layers) {
      const value = (layer.override as Record<string, unknown>)[key];
      if (value !== undefined) merged[key] = value;
    }
  }
  const applied = ['base', ...layers.map((layer) => layer.field)].join(' + ');
  const sumProblems = sumIssues(merged as SplitPolicyOverride, 'policy', `the shares of ${applied}`);
  if (sumProblems.length > 0) throw MoneyError.fromIssues(sumProblems);
  return freezePolicy(merged as SplitPolicyOverride);
}

function layerIssues(input: unknown, prefix: string | undefined, partial: boolean): MoneyIssue[] {
  const at = (key: string) => (prefix === undefined ? key : `${prefix}.${key}`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ code: 'not_an_object', field: prefix ?? 'policy', message: 'a split policy must be an object' }];
  }
  const record = input as Record<string, unknown>;
  const issues: MoneyIssue[] = [];
  for (const key of Object.keys(record)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
      // A misspelt share would otherwise be ignored and its default silently used.
      issues.push({ code: 'unknown_field', field: at(key), message: `unknown split policy field "${key}"` });
    }
  }
  for (const key of SPLIT_SHARE_FIELDS) {
    const value = record[key];
    if (value === undefined) {
      if (!partial) issues.push({ code: 'share_missing', field: at(key), message: 'the share is required' });
    } else if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      issues.push({ code: 'share_not_integer', field: at(key), message: 'a share is an integer number of bps' });
    } else if (value < 0) {
      issues.push({ code: 'share_negative', field: at(key), message: 'a share cannot be negative' });
    }
  }
  const destination = record.unusedShareDestination;
  if (destination !== undefined && !(DESTINATIONS as readonly unknown[]).includes(destination)) {
    issues.push({
      code: 'invalid_destination',
      field: at('unusedShareDestination'),
      message: `unused shares go to one of: ${DESTINATIONS.join(', ')}`,
    });
  }
  return issues;
}

function sumIssues(policy: SplitPolicyOverride, field: string, what: string): MoneyIssue[] {
  const totalBps = SPLIT_SHARE_FIELDS.reduce((sum, key) => sum + (policy[key] ?? 0), 0);
  if (totalBps <= WHOLE_BPS) return [];
  return [{ code: 'shares_exceed_whole', field, message: `${what} add up to ${totalBps} bps, over ${WHOLE_BPS}` }];
}

function freezePolicy(input: SplitPolicyOverride): SplitPolicy {
  // Copy field by field so that extra properties of the input never travel with the policy.
  return Object.freeze({
    experienceFeeBps: input.experienceFeeBps!,
    trustFeeBps: input.trustFeeBps!,
    promoterCommissionBps: input.promoterCommissionBps!,
    teamOverrideBps: input.teamOverrideBps!,
    consumerCashbackBps: input.consumerCashbackBps!,
    platformServiceFeeBps: input.platformServiceFeeBps!,
    unusedShareDestination: input.unusedShareDestination ?? 'supplier',
  });
}
