/**
 * Small checks shared by the distribution rules (internal: not re-exported).
 *
 * Two families. The `require…` guards protect the rule functions, whose inputs are typed but may
 * still come from a database row or a request body: each throws a `DistributionError` naming the
 * field. The `read…` readers serve the policy validator, which must report every problem in one
 * pass: each pushes what it finds onto `issues` and returns the clean value, or `undefined`.
 */
import { isPlainObject, own } from '../encoding/plain-object.js';
import { WHOLE_BPS } from '../money/allocate.js';
import { MAX_ABS_FEN } from '../money/fen.js';
import { DistributionError, type DistributionIssue } from './distribution-error.js';

/** One day in milliseconds; every time in this folder is epoch milliseconds (UTC). */
export const MS_PER_DAY = 86_400_000;

/** Bounds an id (a DID, an order id, a device hash): long enough for any of them, short enough to index. */
export const MAX_ID_CHARS = 512;

// ---------------------------------------------------------------------------------------------
// Guards for rule inputs (throw)

/** A bigint amount (fen, points or tokens) in [0, MAX_ABS_FEN]; the same bound as money, so any amount prints. */
export function requireAmount(value: unknown, field: string, what = 'the amount'): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_ABS_FEN) {
    throw new DistributionError('invalid_amount', field, `${what} is a bigint from 0 to ${MAX_ABS_FEN}`);
  }
  return value;
}

/** A non-empty id of at most MAX_ID_CHARS characters. */
export function requireId(value: unknown, field: string, what = 'the id'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_CHARS) {
    throw new DistributionError(
      'invalid_id',
      field,
      `${what} is a non-empty string of at most ${MAX_ID_CHARS} characters`,
    );
  }
  return value;
}

/** Epoch milliseconds: a safe non-negative integer. */
export function requireTimeMs(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DistributionError('invalid_time', field, 'a time is a non-negative integer of epoch milliseconds');
  }
  return value;
}

/** A safe integer in [min, max]. */
export function requireInteger(value: unknown, field: string, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new DistributionError('invalid_integer', field, `${what} is an integer from ${min} to ${max}`);
  }
  return value;
}

/** An array of at most `max` items: every list a rule walks has a bound. */
export function requireList<T>(value: readonly T[], field: string, max: number, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new DistributionError('not_an_array', field, `${what} must be a list`);
  if (value.length > max) {
    throw new DistributionError('too_many_items', field, `${what}: at most ${max} items, not ${value.length}`);
  }
  return value;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

// ---------------------------------------------------------------------------------------------
// Readers for the policy validator (push issues)

/**
 * `value` as an object with only the `allowed` members, or undefined (with an issue). A misspelt
 * member would otherwise be dropped silently and its default used in its place.
 */
export function readObject(
  value: unknown,
  field: string,
  what: string,
  allowed: readonly string[],
  issues: DistributionIssue[],
): Record<string, unknown> | undefined {
  if (value === undefined) {
    issues.push({ code: 'field_missing', field, message: `${what} is required` });
    return undefined;
  }
  if (!isPlainObject(value)) {
    issues.push({ code: 'not_an_object', field, message: `${what} must be an object` });
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.push({ code: 'unknown_field', field: `${field}.${key}`, message: `unknown ${what} member "${key}"` });
    }
  }
  return value;
}

/** Reads member `key` of `record` with `read`, reporting it missing when absent. */
export function member<T>(
  record: Readonly<Record<string, unknown>>,
  key: string,
  field: string,
  issues: DistributionIssue[],
  read: (value: unknown, at: string, issues: DistributionIssue[]) => T | undefined,
): T | undefined {
  const at = `${field}.${key}`;
  const value = own(record, key);
  if (value === undefined) {
    issues.push({ code: 'field_missing', field: at, message: `${key} is required` });
    return undefined;
  }
  return read(value, at, issues);
}

export function readInteger(min: number, max: number) {
  return (value: unknown, field: string, issues: DistributionIssue[]): number | undefined => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    issues.push({ code: 'invalid_integer', field, message: `an integer from ${min} to ${max}` });
    return undefined;
  };
}

export function readBps(value: unknown, field: string, issues: DistributionIssue[]): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= WHOLE_BPS) return value;
  issues.push({ code: 'invalid_bps', field, message: `basis points are an integer from 0 to ${WHOLE_BPS}` });
  return undefined;
}

const DECIMAL = /^(0|[1-9][0-9]{0,17})$/;

/**
 * A non-negative amount as a bigint, or as its decimal text (the canonical JSON form of an
 * amount, so a policy read from a JSON config needs no conversion first).
 */
export function readAmount(value: unknown, field: string, issues: DistributionIssue[]): bigint | undefined {
  const big = typeof value === 'string' && DECIMAL.test(value) ? BigInt(value) : value;
  if (typeof big === 'bigint' && big >= 0n && big <= MAX_ABS_FEN) return big;
  issues.push({
    code: 'invalid_amount',
    field,
    message: `an amount is a bigint or decimal text from 0 to ${MAX_ABS_FEN}`,
  });
  return undefined;
}

export function readBoolean(value: unknown, field: string, issues: DistributionIssue[]): boolean | undefined {
  if (typeof value === 'boolean') return value;
  issues.push({ code: 'invalid_boolean', field, message: 'true or false' });
  return undefined;
}

export function readChoice<T extends string>(choices: readonly T[]) {
  return (value: unknown, field: string, issues: DistributionIssue[]): T | undefined => {
    if ((choices as readonly unknown[]).includes(value)) return value as T;
    issues.push({ code: 'invalid_choice', field, message: `one of: ${choices.join(', ')}` });
    return undefined;
  };
}
