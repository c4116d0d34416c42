/**
 * Every rejection in the consensus folder is a `ConsensusError`: a stable machine `code`, the input
 * `field` it blames (dotted path such as `voters[3].votes`, so an API error body can point at it)
 * and a message for people. The rules here are replayed by auditors from the log, so a bad input
 * is always an error, never a silently different outcome.
 */

export type ConsensusErrorCode =
  // shared shapes (checks.ts)
  | 'invalid_id'
  | 'duplicate_id'
  | 'invalid_number'
  | 'invalid_amount'
  | 'invalid_bps'
  | 'invalid_count'
  | 'too_many'
  // experience power and round weights (experience.ts)
  | 'invalid_accuracy'
  | 'invalid_time'
  | 'invalid_policy'
  // sortition (sortition.ts)
  | 'invalid_seed'
  // commit–reveal (commit.ts)
  | 'invalid_salt'
  | 'invalid_commit'
  | 'invalid_report'
  | 'invalid_deadline'
  // jury (jury.ts)
  | 'invalid_instance'
  | 'invalid_bond';

export interface ConsensusIssue {
  readonly code: ConsensusErrorCode;
  readonly field: string;
  readonly message: string;
}

export class ConsensusError extends Error {
  override readonly name = 'ConsensusError';
  readonly code: ConsensusErrorCode;
  readonly field: string;
  readonly issues: readonly ConsensusIssue[];

  constructor(code: ConsensusErrorCode, field: string, message: string, issues?: readonly ConsensusIssue[]) {
    super(message);
    this.code = code;
    this.field = field;
    this.issues = issues ?? [{ code, field, message }];
  }

  /** One error that carries every issue; the first one names the code and field. */
  static fromIssues(issues: readonly ConsensusIssue[]): ConsensusError {
    const first = issues[0];
    if (first === undefined) throw new TypeError('ConsensusError.fromIssues needs at least one issue');
    const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return new ConsensusError(first.code, first.field, message, issues);
  }
}
