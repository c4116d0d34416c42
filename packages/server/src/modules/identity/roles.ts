/** The parties of DESIGN §1. One account may hold several. */
export const ROLES = [
  'consumer',
  'promoter',
  'producer',
  'expert',
  'tester',
  'nominator',
  'operator',
  'custodian',
  'witness',
  'juror',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles an account applies for and an operator approves. */
export const APPLICABLE_ROLES = ['producer', 'expert', 'tester', 'promoter'] as const satisfies readonly Role[];
export type ApplicableRole = (typeof APPLICABLE_ROLES)[number];

/** Roles that only configuration grants: no envelope can give or take them. */
export const CONFIGURED_ROLES = ['operator', 'custodian'] as const satisfies readonly Role[];

export const DEFAULT_ROLE: Role = 'consumer';
