/**
 * Integer helpers for tree coordinates. Sizes and indexes are plain JS numbers (exact up to
 * 2^53), so everything here avoids the 32-bit bitwise operators.
 */

/** Throws a RangeError unless `value` is a safe non-negative integer. */
export function assertCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

export const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** floor(x / 2), the `>> 1` of a non-negative safe integer. */
export const half = (x: number): number => Math.floor(x / 2);

export const isOdd = (x: number): boolean => x % 2 === 1;

/** Number of trailing zero bits of a positive safe integer. */
export function trailingZeros(x: number): number {
  let count = 0;
  while (x > 0 && x % 2 === 0) {
    x /= 2;
    count++;
  }
  return count;
}

/** Number of bits needed to write x (0 for 0). */
export function bitLength(x: number): number {
  let bits = 0;
  while (x > 0) {
    x = half(x);
    bits++;
  }
  return bits;
}

/** Number of one bits of a non-negative safe integer. */
export function onesCount(x: number): number {
  let count = 0;
  while (x > 0) {
    count += x % 2;
    x = half(x);
  }
  return count;
}

export const isPowerOfTwo = (x: number): boolean => x > 0 && onesCount(x) === 1;

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log₂ of a power of two. */
export function log2Exact(k: number): number {
  return trailingZeros(k);
}

/** XOR of two safe non-negative integers (done on 26-bit halves to stay exact above 2^32). */
export function xor(a: number, b: number): number {
  const base = 2 ** 26;
  const lo = ((a % base) ^ (b % base)) >>> 0;
  const hi = (Math.floor(a / base) ^ Math.floor(b / base)) >>> 0;
  return hi * base + lo;
}
