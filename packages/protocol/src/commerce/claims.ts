import { isPlainObject, own } from './checks.js';
import { CommerceError, type CommerceIssue } from './commerce-error.js';
import type { ModelAttribute, QualityModelDefinition } from './quality-model.js';

/**
 * A product's claims (DESIGN §8.1, the product's digital twin): the value its producer promises
 * for attributes of one quality model version. Testers measure the same attributes; consensus
 * compares what they measured with what was claimed (`attributeConforms`).
 */

/** numeric → number, boolean → boolean, grade → one of the attribute's grades. */
export type ClaimValue = number | boolean | string;
export type Claims = Readonly<Record<string, ClaimValue>>;

/**
 * Every problem with `claims` against `model` (a validated model), or none. Codes:
 * `not_an_object`, `unknown_attribute`, `claim_missing` (a mandatory attribute left out),
 * `claim_kind_mismatch`, `invalid_number` (NaN, ±Infinity), `claim_out_of_bounds`,
 * `unknown_grade`. Issue fields are `${field}.${key}`. A member set to undefined is absent.
 */
export function claimIssues(model: QualityModelDefinition, claims: unknown, field = 'claims'): CommerceIssue[] {
  const issues: CommerceIssue[] = [];
  readClaims(model, claims, field, issues);
  return issues;
}

/**
 * Returns a frozen copy of `claims` holding only the claimed attributes, in the model's order,
 * or throws a `CommerceError` listing every issue (see `claimIssues`).
 */
export function validateClaims(model: QualityModelDefinition, claims: unknown, field = 'claims'): Claims {
  const issues: CommerceIssue[] = [];
  const clean = readClaims(model, claims, field, issues);
  if (issues.length > 0) throw CommerceError.fromIssues(issues);
  return clean;
}

function readClaims(model: QualityModelDefinition, claims: unknown, field: string, issues: CommerceIssue[]): Claims {
  const clean: Record<string, ClaimValue> = {};
  if (!isPlainObject(claims)) {
    issues.push({ code: 'not_an_object', field, message: 'claims must be an object of attribute key → value' });
    return clean;
  }
  const keys = new Set(model.attributes.map((attribute) => attribute.key));
  for (const key of Object.keys(claims)) {
    if (!keys.has(key) && claims[key] !== undefined) {
      issues.push({
        code: 'unknown_attribute',
        field: `${field}.${key}`,
        message: `the model has no attribute "${key}"`,
      });
    }
  }
  for (const attribute of model.attributes) {
    const at = `${field}.${attribute.key}`;
    // own(): an attribute named "constructor" must not find Object.prototype's member.
    const value = own(claims, attribute.key);
    if (value === undefined) {
      if (attribute.mandatory) {
        issues.push({ code: 'claim_missing', field: at, message: 'a mandatory attribute must be claimed' });
      }
      continue;
    }
    const issue = claimValueIssue(attribute, value, at);
    if (issue === undefined) clean[attribute.key] = value as ClaimValue;
    else issues.push(issue);
  }
  return Object.freeze(clean);
}

function claimValueIssue(attribute: ModelAttribute, value: unknown, field: string): CommerceIssue | undefined {
  switch (attribute.kind) {
    case 'numeric': {
      if (typeof value !== 'number') return kindMismatch(attribute, value, field);
      if (!Number.isFinite(value)) {
        return { code: 'invalid_number', field, message: 'a numeric claim must be a finite number' };
      }
      if (!withinBounds(attribute, value)) {
        return {
          code: 'claim_out_of_bounds',
          field,
          message: `${value} is outside the attribute's range [${attribute.min}, ${attribute.max}] ${attribute.unit}`,
        };
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : kindMismatch(attribute, value, field);
    case 'grade': {
      if (typeof value !== 'string') return kindMismatch(attribute, value, field);
      if (gradeIndex(attribute, value) < 0) {
        return {
          code: 'unknown_grade',
          field,
          message: `"${value}" is not one of the grades ${(attribute.grades ?? []).join(', ')}`,
        };
      }
      return undefined;
    }
  }
}

function kindMismatch(attribute: ModelAttribute, value: unknown, field: string): CommerceIssue {
  const expected = { numeric: 'a number', boolean: 'true or false', grade: 'a grade label' }[attribute.kind];
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  return {
    code: 'claim_kind_mismatch',
    field,
    message: `a ${attribute.kind} attribute is claimed with ${expected}, not ${got}`,
  };
}

/** Inclusive bounds; a numeric attribute without bounds (never validated) contains nothing. */
function withinBounds(attribute: ModelAttribute, value: number): boolean {
  const { min, max } = attribute;
  return min !== undefined && max !== undefined && value >= min && value <= max;
}

/** Position of `grade` in the attribute's grades (0 is the best), or −1. */
function gradeIndex(attribute: ModelAttribute, grade: string): number {
  return attribute.grades?.indexOf(grade) ?? -1;
}

/**
 * Whether a measured value conforms to the claimed one (DESIGN §8.4), for one attribute of a
 * validated model:
 * - numeric: |measured − claimed| ≤ tolerance, and measured within [min, max];
 * - boolean: measured === claimed;
 * - grade: measured is better than the claim or at most `tolerance` grades worse
 *   (index(measured) ≤ index(claimed) + tolerance, index 0 being the best grade).
 *
 * A numeric value outside the bounds simply does not conform. A value of the wrong kind, a
 * non-finite number or an unknown grade is not a measurement at all: that throws
 * `CommerceError` (`claim_kind_mismatch`, `invalid_number`, `unknown_grade`, blaming 'claimed'
 * or 'measured'), since answering false would blame the producer for a caller's mistake.
 */
export function attributeConforms(attribute: ModelAttribute, claimed: ClaimValue, measured: ClaimValue): boolean {
  for (const [field, value] of [
    ['claimed', claimed],
    ['measured', measured],
  ] as const) {
    // Bounds are a matter of conformance for the measurement, not a malformed value.
    const issue = claimValueIssue(attribute, value, field);
    if (issue !== undefined && issue.code !== 'claim_out_of_bounds') {
      throw new CommerceError(issue.code, issue.field, issue.message);
    }
  }
  switch (attribute.kind) {
    case 'numeric':
      return (
        Math.abs((measured as number) - (claimed as number)) <= attribute.tolerance &&
        withinBounds(attribute, measured as number)
      );
    case 'boolean':
      return measured === claimed;
    case 'grade':
      return (
        gradeIndex(attribute, measured as string) <= gradeIndex(attribute, claimed as string) + attribute.tolerance
      );
  }
}
