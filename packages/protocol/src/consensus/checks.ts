/**
 * Input checks shared by the consensus rules (internal: not re-exported). Each throws a
 * `ConsensusError` blaming `field`; the rules call them before computing anything, so a bad input
 * never yields a partial or different result.
 */
import { WHOLE_BPS } from '../money/allocate.js';
import { MAX_ABS_FEN } from '../money/fen.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A non-empty id that canonical JSON can carry (results name accounts by these ids). */
export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > CONSENSUS_LIMITS.idCharsMax) {
    throw new ConsensusError('invalid_id', field, `an id is a string of 1–${CONSENSUS_LIMITS.idCharsMax} characters`);
  }
  if (LONE_SURROGATE.test(value)) throw new ConsensusError('invalid_id', field, 'an id holds a lone UTF-16 surrogate');
  return value;
}

/** Throws `duplicate_id` naming the second occurrence. */
export function checkDistinct(ids: readonly string[], field: string): void {
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) throw new ConsensusError('duplicate_id', `${field}[${index}]`, `"${id}" appears twice`);
    seen.add(id);
  });
}

/** A list (checked at run time too: inputs may come from JSON) of at most `max` entries. */
export function checkList<T>(value: readonly T[], field: string, max: number): readonly T[] {
  if (!Array.isArray(value)) throw new ConsensusError('invalid_count', field, 'must be a list');
  if (value.length > max) throw new ConsensusError('too_many', field, `at most ${max} entries, not ${value.length}`);
  return value;
}

/** A finite number within [min, max]. */
export function checkNumber(value: unknown, field: string, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `within [${min}, ${max}]`;
    throw new ConsensusError('invalid_number', field, `must be a finite number ${range}`);
  }
  return value;
}

/** A safe integer within [min, max]. */
export function checkCount(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConsensusError('invalid_count', field, `must be an integer within [${min}, ${max}]`);
  }
  return value;
}

/** A bigint amount of fen (or points) in [0, MAX_ABS_FEN]. */
export function checkAmount(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_ABS_FEN) {
    throw new ConsensusError('invalid_amount', field, 'must be a non-negative bigint of at most 20 digits');
  }
  return value;
}

export function checkBps(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > WHOLE_BPS) {
    throw new ConsensusError('invalid_bps', field, 'basis points are an integer within [0, 10000]');
  }
  return value;
}

/** Sort order of ids everywhere in this folder: UTF-16 code units, as canonical JSON sorts keys. */
export const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
