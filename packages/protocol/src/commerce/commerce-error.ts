/**
 * Every rejection in the commerce folder is a `CommerceError`: a stable machine `code`, the input
 * `field` it blames (dotted path such as `model.attributes[2].max`, so a form or an API error body
 * can point at it) and a message for people. Validators that can find several problems at once
 * also list them all in `issues`; `code` and `field` are then those of the first issue.
 */

export type CommerceErrorCode =
  // shapes (any validator): the value is not of the JSON type the field needs
  | 'not_an_object'
  | 'not_an_array'
  | 'unknown_field'
  | 'field_missing'
  | 'invalid_text'
  | 'invalid_number'
  | 'invalid_boolean'
  // quality models (quality-model.ts)
  | 'invalid_category'
  | 'invalid_standards'
  | 'duplicate_standard'
  | 'invalid_attributes'
  | 'invalid_key'
  | 'duplicate_key'
  | 'invalid_kind'
  | 'invalid_unit'
  | 'invalid_bounds'
  | 'invalid_grades'
  | 'duplicate_grade'
  | 'invalid_tolerance'
  | 'invalid_weight'
  // claims, the product's digital twin (claims.ts)
  | 'claim_missing'
  | 'unknown_attribute'
  | 'claim_kind_mismatch'
  | 'claim_out_of_bounds'
  | 'unknown_grade'
  // the order and refund state machines (order-lifecycle.ts)
  | 'invalid_transition'
  | 'not_allowed'
  // order totals (order-pricing.ts)
  | 'empty_order'
  | 'too_many_lines'
  | 'invalid_quantity'
  | 'invalid_price'
  | 'total_above_maximum';

export interface CommerceIssue {
  readonly code: CommerceErrorCode;
  readonly field: string;
  readonly message: string;
}

export class CommerceError extends Error {
  override readonly name = 'CommerceError';
  readonly code: CommerceErrorCode;
  readonly field: string;
  readonly issues: readonly CommerceIssue[];

  constructor(code: CommerceErrorCode, field: string, message: string, issues?: readonly CommerceIssue[]) {
    super(message);
    this.code = code;
    this.field = field;
    this.issues = issues ?? [{ code, field, message }];
  }

  /** Throws one error that carries every issue; the first one names the code and field. */
  static fromIssues(issues: readonly CommerceIssue[]): CommerceError {
    const first = issues[0];
    if (first === undefined) throw new TypeError('CommerceError.fromIssues needs at least one issue');
    const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return new CommerceError(first.code, first.field, message, issues);
  }
}
