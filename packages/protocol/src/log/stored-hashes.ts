/**
 * The hash storage model of Go's golang.org/x/mod/sumdb/tlog: every complete subtree hash
 * (level L, n-th subtree at that level) is written once, at a dense "stored hash index", in
 * the order the log completes it. Appending record n writes its leaf hash and then the hash
 * of every subtree that record completes, so the store is append-only.
 *
 * Protocol code stays pure while the server reads hashes from a database asynchronously, so
 * everything that needs stored hashes comes in two phases: `…Indexes` lists the stored hash
 * indexes it needs, and `…From` takes those hashes, in that order, and computes the result.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { emptyRoot, MERKLE_HASH_SIZE, nodeHash } from './merkle.js';
import { assertCount, half, log2Exact, splitPoint, trailingZeros } from './tree-math.js';

/** Maps tree coordinates (level, n) to the dense index where that subtree hash is stored. */
export function storedHashIndex(level: number, n: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 62) throw new RangeError(`invalid level ${String(level)}`);
  assertCount(n, 'n');
  // Level L's n-th hash is written right after level L+1's (2n+1)-th leaf: walk down to level 0.
  let leaf = n;
  for (let l = level; l > 0; l--) leaf = 2 * leaf + 1;
  // Level 0's n-th hash is written at n + n/2 + n/4 + … (the hashes completed before it).
  let index = 0;
  for (; leaf > 0; leaf = half(leaf)) index += leaf;
  index += level;
  if (!Number.isSafeInteger(index)) throw new RangeError(`stored hash index of (${level}, ${n}) is too large`);
  return index;
}

/** The inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  assertCount(index, 'stored hash index');
  // storedHashIndex(0, n) < 2n, so the record that wrote this hash is in [index/2, index/2 + log₂ index].
  let n = half(index);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    // Record n writes 1 + trailingZeros(n + 1) hashes.
    const next = indexN + 1 + trailingZeros(n + 1);
    if (next > index) break;
    n++;
    indexN = next;
  }
  // The hash was written with record n: it is one of (0, n), (1, n/2), (2, n/4), …
  const level = index - indexN;
  return { level, n: Math.floor(n / 2 ** level) };
}

/** How many hashes are stored for a tree of n records. */
export function storedHashCount(n: number): number {
  assertCount(n, 'n');
  if (n === 0) return 0;
  // The hashes up to the last leaf, then those of the subtrees completed by that leaf.
  return storedHashIndex(0, n - 1) + 1 + trailingZeros(n);
}

function checkHashes(hashes: readonly Uint8Array[], expected: number, what: string): void {
  if (hashes.length !== expected) {
    throw new RangeError(`${what}: expected ${expected} stored hashes, got ${hashes.length}`);
  }
  for (const hash of hashes) {
    if (!(hash instanceof Uint8Array) || hash.length !== MERKLE_HASH_SIZE) {
      throw new RangeError(`${what}: every stored hash must be ${MERKLE_HASH_SIZE} bytes`);
    }
  }
}

/**
 * Phase 1 of appending record n: the stored hashes of the left siblings of the subtrees that
 * record completes, in increasing index order.
 */
export function storedHashesIndexes(n: number): number[] {
  assertCount(n, 'n');
  // Each trailing 1 bit of n completes a subtree and consumes an adjacent subtree's hash.
  const m = trailingZeros(n + 1);
  const indexes = new Array<number>(m);
  for (let i = 0; i < m; i++) indexes[m - 1 - i] = storedHashIndex(i, Math.floor(n / 2 ** i) - 1);
  return indexes;
}

/**
 * Phase 2 of appending record n: the hashes to store, starting at storedHashIndex(0, n)
 * (the leaf hash first, then each completed subtree, lowest first).
 */
export function storedHashesFrom(
  crypto: CryptoProvider,
  n: number,
  leafHash: Uint8Array,
  hashes: readonly Uint8Array[],
): Uint8Array[] {
  const m = storedHashesIndexes(n).length;
  checkHashes(hashes, m, 'storedHashesFrom');
  checkHashes([leafHash], 1, 'storedHashesFrom leaf');
  const out = [leafHash];
  let h = leafHash;
  for (let i = 0; i < m; i++) {
    h = nodeHash(crypto, hashes[m - 1 - i] as Uint8Array, h);
    out.push(h);
  }
  return out;
}

/** Convenience for synchronous stores: both phases of appending record n. */
export function storedHashes(
  crypto: CryptoProvider,
  n: number,
  leafHash: Uint8Array,
  readHashes: (indexes: number[]) => readonly Uint8Array[],
): Uint8Array[] {
  return storedHashesFrom(crypto, n, leafHash, readHashes(storedHashesIndexes(n)));
}

/**
 * A sequential reader over the hashes a `…From` call was given; each step of a proof takes
 * the next ones, mirroring the order the `…Indexes` call listed them in.
 */
export class HashCursor {
  private position = 0;
  constructor(private readonly hashes: readonly Uint8Array[]) {}
  next(): Uint8Array {
    const hash = this.hashes[this.position++];
    if (hash === undefined) throw new RangeError('not enough stored hashes');
    return hash;
  }
  get done(): boolean {
    return this.position === this.hashes.length;
  }
}

/** Appends the stored hash indexes needed for the subtree hash of records [lo, hi). */
export function subtreeIndexes(lo: number, hi: number, need: number[]): number[] {
  // Cut [lo, hi) into maximal complete subtrees, left to right; each one is stored.
  while (lo < hi) {
    const k = splitPoint(hi - lo + 1);
    const level = log2Exact(k);
    need.push(storedHashIndex(level, lo / k));
    lo += k;
  }
  return need;
}

/** Computes the subtree hash of records [lo, hi) from the hashes subtreeIndexes listed. */
export function subtreeHash(crypto: CryptoProvider, lo: number, hi: number, cursor: HashCursor): Uint8Array {
  const parts: Uint8Array[] = [];
  while (lo < hi) {
    parts.push(cursor.next());
    lo += splitPoint(hi - lo + 1);
  }
  // The complete subtrees get smaller to the right; fold from the right (RFC 9162 MTH).
  let h = parts[parts.length - 1] as Uint8Array;
  for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(crypto, parts[i] as Uint8Array, h);
  return h;
}

/** Phase 1 of the root of the tree of the first `size` records. */
export function treeHashIndexes(size: number): number[] {
  assertCount(size, 'size');
  return subtreeIndexes(0, size, []);
}

/** Phase 2 of the root of the tree of the first `size` records; the empty root for size 0. */
export function treeHashFrom(crypto: CryptoProvider, size: number, hashes: readonly Uint8Array[]): Uint8Array {
  checkHashes(hashes, treeHashIndexes(size).length, 'treeHashFrom');
  if (size === 0) return emptyRoot(crypto);
  return subtreeHash(crypto, 0, size, new HashCursor(hashes));
}

export { checkHashes as checkStoredHashes };
