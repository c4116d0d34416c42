import {
  DEFAULT_SPLIT_POLICY,
  SPLIT_SHARE_FIELDS,
  type SplitPolicy,
  type SplitPolicyOverride,
  type SplitShareField,
  splitPolicyIssues,
  supplierShareBps,
} from '@concord/protocol';
import { fenToYuan, yuanToFen } from '../../shared/format';

/** One share in the form: the platform default, or the category's own percent. */
export interface ShareValue {
  useDefault: boolean;
  percent: number | null;
}

export interface CategoryPolicyValues {
  /** Yuan as typed ("800.00"): a string so that no float ever stands between it and fen. */
  depositYuan: string | null;
  shares: Record<SplitShareField, ShareValue>;
}

/** What the form edits of a category, as GET /v1/catalog/categories serves it. */
export interface EditedCategory {
  slug: string;
  name: { zh: string; en: string };
  parent: string | null;
  depositFen: string;
  splitPolicy: Record<string, unknown> | null;
}

/** Where an issue shows: a share's input, the deposit's, or the split as a whole (its sum). */
export type PolicyField = SplitShareField | 'depositFen' | 'splitPolicy';

export interface PolicyIssue {
  field: PolicyField;
  code: string;
  message: string;
}

export const percentText = (bps: number): string => `${bps / 100}%`;

/** A percent as bps; left fractional when it has more than two decimals, so the validator names it. */
export function percentToBps(percent: number): number {
  const bps = percent * 100;
  const rounded = Math.round(bps);
  // 12.3 * 100 is 1230.0000000000002 in floating point: that is still a whole number of bps.
  return Math.abs(bps - rounded) < 1e-6 ? rounded : bps;
}

/** The form's starting values: each share the category overrides, the others on the default. */
export function formValuesOf(category: EditedCategory): CategoryPolicyValues {
  const override = category.splitPolicy ?? {};
  const shares = {} as Record<SplitShareField, ShareValue>;
  for (const field of SPLIT_SHARE_FIELDS) {
    const own = override[field];
    shares[field] =
      typeof own === 'number'
        ? { useDefault: false, percent: own / 100 }
        : { useDefault: true, percent: DEFAULT_SPLIT_POLICY[field] / 100 };
  }
  return { depositYuan: fenToYuan(category.depositFen), shares };
}

/**
 * The override the form describes: the shares not left on the default, plus what the form does not
 * edit of the category's current override (where unused shares go), so that saving keeps it.
 * A share left empty is not in it; `policyIssues` reports it.
 */
export function overrideOf(
  shares: Partial<Record<SplitShareField, ShareValue>>,
  current: Record<string, unknown> | null,
): SplitPolicyOverride {
  const override: Record<string, unknown> = {};
  if (current?.unusedShareDestination !== undefined) override.unusedShareDestination = current.unusedShareDestination;
  for (const field of SPLIT_SHARE_FIELDS) {
    const share = shares[field];
    if (share === undefined || share.useDefault || share.percent === null) continue;
    override[field] = percentToBps(share.percent);
  }
  return override as SplitPolicyOverride;
}

export const mergedPolicy = (override: SplitPolicyOverride): SplitPolicy =>
  ({ ...DEFAULT_SPLIT_POLICY, ...override }) as SplitPolicy;

/** What the supplier keeps under the override, in bps (negative when the shares go over the whole). */
export const supplierBpsOf = (override: SplitPolicyOverride): number => supplierShareBps(mergedPolicy(override));

/** Every problem with the form, each on the field it belongs to; none means it can be saved. */
export function policyIssues(values: Partial<CategoryPolicyValues>, current: Record<string, unknown> | null) {
  const issues: PolicyIssue[] = [];
  if (yuanToFen(values.depositYuan) === null) {
    issues.push({ field: 'depositFen', code: 'deposit_invalid', message: 'the deposit is an amount in yuan' });
  }
  const shares = values.shares ?? {};
  for (const field of SPLIT_SHARE_FIELDS) {
    const share = (shares as Partial<Record<SplitShareField, ShareValue>>)[field];
    if (share !== undefined && !share.useDefault && share.percent === null) {
      issues.push({ field, code: 'share_missing', message: 'the share is required' });
    }
  }
  const override = overrideOf(shares, current);
  for (const issue of splitPolicyIssues(mergedPolicy(override), 'splitPolicy')) {
    issues.push({ ...issue, field: policyFieldOf(issue.field) ?? 'splitPolicy' });
  }
  return issues;
}

/**
 * The form field a server or validator field names ("body.splitPolicy.trustFeeBps" → the trust
 * fee's input); null for one the form does not show (the name, the parent).
 */
export function policyFieldOf(field: string | undefined): PolicyField | null {
  if (field === undefined) return null;
  const path = field.replace(/^body\./, '');
  if (path === 'depositFen') return 'depositFen';
  if (path === 'splitPolicy') return 'splitPolicy';
  if (path.startsWith('splitPolicy.')) {
    const share = path.slice('splitPolicy.'.length);
    return (SPLIT_SHARE_FIELDS as readonly string[]).includes(share) ? (share as SplitShareField) : 'splitPolicy';
  }
  return null;
}

/**
 * The body of `catalog.category.defined` for the form: the category's name and parent as they are
 * (the event redefines the whole category), the deposit in fen, and the override, left out when
 * empty so that the category goes back to the platform default.
 */
export function categoryBody(category: EditedCategory, values: CategoryPolicyValues): Record<string, unknown> {
  const depositFen = yuanToFen(values.depositYuan);
  if (depositFen === null) throw new Error('the deposit is not an amount');
  const override = overrideOf(values.shares, category.splitPolicy);
  return {
    slug: category.slug,
    name: { zh: category.name.zh, en: category.name.en },
    ...(category.parent === null ? {} : { parent: category.parent }),
    depositFen,
    ...(Object.keys(override).length === 0 ? {} : { splitPolicy: override }),
  };
}
