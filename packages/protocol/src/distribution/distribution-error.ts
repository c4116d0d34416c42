/**
 * Every rejection in the distribution folder is a `DistributionError`: a stable machine `code`,
 * the input `field` it blames (a dotted path such as `policy.levels[2].commissionBps`, so a form
 * or an API error body can point at it) and a message for people. Validators that can find
 * several problems at once also list them all in `issues`; `code` and `field` are then those of
 * the first issue.
 */

export type DistributionErrorCode =
  // shapes (any validator or rule): the value is not of the type or range the field needs
  | 'not_an_object'
  | 'not_an_array'
  | 'unknown_field'
  | 'field_missing'
  | 'invalid_integer'
  | 'invalid_bps'
  | 'invalid_amount'
  | 'invalid_boolean'
  | 'invalid_choice'
  | 'invalid_id'
  | 'invalid_time'
  | 'too_many_items'
  // the distribution policy (policy.ts)
  | 'invalid_split_policy'
  | 'invalid_ladder'
  | 'ladder_not_monotonic'
  | 'rate_exceeds_split_share'
  | 'commission_depth_exceeded'
  // levels and tiers (levels.ts, tiers.ts, commission.ts)
  | 'unknown_level'
  | 'unknown_tier'
  // binding (binding.ts)
  | 'self_binding'
  | 'not_a_promoter'
  | 'referral_cycle'
  | 'chain_too_long'
  // commissions and their reversal (commission.ts, commission-refund.ts)
  | 'invalid_attribution'
  | 'invalid_entry'
  | 'refund_exceeds_paid'
  // points (points.ts, points-retire.ts)
  | 'insufficient_points'
  | 'self_transfer'
  | 'transfer_too_small'
  // suppliers (supplier.ts)
  | 'insufficient_tokens'
  | 'invalid_rating';

export interface DistributionIssue {
  readonly code: DistributionErrorCode;
  readonly field: string;
  readonly message: string;
}

export class DistributionError extends Error {
  override readonly name = 'DistributionError';
  readonly code: DistributionErrorCode;
  readonly field: string;
  readonly issues: readonly DistributionIssue[];

  constructor(code: DistributionErrorCode, field: string, message: string, issues?: readonly DistributionIssue[]) {
    super(message);
    this.code = code;
    this.field = field;
    this.issues = issues ?? [{ code, field, message }];
  }

  /** Throws one error that carries every issue; the first one names the code and field. */
  static fromIssues(issues: readonly DistributionIssue[]): DistributionError {
    const first = issues[0];
    if (first === undefined) throw new TypeError('DistributionError.fromIssues needs at least one issue');
    const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return new DistributionError(first.code, first.field, message, issues);
  }
}
