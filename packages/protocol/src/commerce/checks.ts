/**
 * Small shape checks shared by the commerce validators (internal: not re-exported). Each one
 * pushes what it finds onto `issues` and returns the clean value, or `undefined` when the value
 * is unusable, so a validator reports every problem in one pass and builds its copy as it goes.
 */
import type { CommerceIssue } from './commerce-error.js';

export { isPlainObject, own } from '../encoding/plain-object.js';

/** One `unknown_field` issue per member of `record` outside `allowed`. */
export function unknownFieldIssues(
  record: Readonly<Record<string, unknown>>,
  allowed: readonly string[],
  prefix: string,
  what: string,
  issues: CommerceIssue[],
): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      // A misspelt member would otherwise be dropped silently from the clean copy.
      issues.push({ code: 'unknown_field', field: `${prefix}.${key}`, message: `unknown ${what} member "${key}"` });
    }
  }
}

export function missingIssue(field: string, what: string): CommerceIssue {
  return { code: 'field_missing', field, message: `${what} is required` };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextLimits {
  readonly minChars: number;
  readonly maxChars: number;
}

/**
 * A string whose length after trimming lies within the limits, counted in Unicode characters
 * (code points, as PostgreSQL's varchar counts them, so '特级' is 2). Returns the trimmed text.
 * Lone UTF-16 surrogates are refused: canonical JSON cannot carry them, so such a text could
 * never be signed or logged.
 */
export function checkText(
  value: unknown,
  field: string,
  what: string,
  limits: TextLimits,
  issues: CommerceIssue[],
): string | undefined {
  const range = limits.minChars === 0 ? `at most ${limits.maxChars}` : `${limits.minChars}–${limits.maxChars}`;
  if (typeof value !== 'string') {
    issues.push({ code: 'invalid_text', field, message: `${what} must be a string of ${range} characters` });
    return undefined;
  }
  const trimmed = value.trim();
  // A code point takes at most two UTF-16 units: past 2 × max the text is too long for sure, and
  // the exact count below never walks an unbounded string.
  const chars = trimmed.length > 2 * limits.maxChars ? Number.POSITIVE_INFINITY : [...trimmed].length;
  if (chars < limits.minChars || chars > limits.maxChars) {
    issues.push({ code: 'invalid_text', field, message: `${what} must be ${range} characters after trimming` });
    return undefined;
  }
  if (LONE_SURROGATE.test(trimmed)) {
    issues.push({ code: 'invalid_text', field, message: `${what} contains a lone UTF-16 surrogate` });
    return undefined;
  }
  return trimmed;
}

/** A finite JS number (not NaN, not ±Infinity, not a numeric string). */
export function checkFiniteNumber(
  value: unknown,
  field: string,
  what: string,
  issues: CommerceIssue[],
): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  issues.push({ code: 'invalid_number', field, message: `${what} must be a finite number` });
  return undefined;
}
