/**
 * Every rejection in the money folder is a `MoneyError`: a stable machine `code`, the input
 * `field` it blames (dotted path, so a form or an API error body can point at it) and a message
 * for people. Validators that can find several problems at once also list them all in `issues`;
 * `code` and `field` are then those of the first issue.
 */

export type MoneyErrorCode =
  // amounts (fen.ts, and amounts passed to the split functions)
  | 'invalid_amount'
  | 'amount_not_positive'
  | 'amount_above_maximum'
  // weights and basis points (allocate.ts)
  | 'no_parties'
  | 'too_many_parties'
  | 'invalid_weight'
  | 'negative_weight'
  | 'zero_total_weight'
  | 'invalid_bps'
  | 'shares_exceed_whole'
  // split policies (split-policy.ts)
  | 'not_an_object'
  | 'unknown_field'
  | 'share_missing'
  | 'share_not_integer'
  | 'share_negative'
  | 'invalid_destination'
  // order legs (order-split.ts)
  | 'invalid_party'
  | 'invalid_leg'
  | 'refund_exceeds_remaining';

export interface MoneyIssue {
  readonly code: MoneyErrorCode;
  readonly field: string;
  readonly message: string;
}

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  readonly code: MoneyErrorCode;
  readonly field: string;
  readonly issues: readonly MoneyIssue[];

  constructor(code: MoneyErrorCode, field: string, message: string, issues?: readonly MoneyIssue[]) {
    super(message);
    this.code = code;
    this.field = field;
    this.issues = issues ?? [{ code, field, message }];
  }

  /** Throws one error that carries every issue; the first one names the code and field. */
  static fromIssues(issues: readonly MoneyIssue[]): MoneyError {
    const first = issues[0];
    if (first === undefined) throw new TypeError('MoneyError.fromIssues needs at least one issue');
    const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return new MoneyError(first.code, first.field, message, issues);
  }
}
