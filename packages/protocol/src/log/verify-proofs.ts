/**
 * RFC 9162 proof verification, step by step as §2.1.3.2 (inclusion) and §2.1.4.2
 * (consistency) write it. These run on untrusted input, so they never throw: anything
 * malformed (wrong hash length, bad sizes, non-arrays) is simply a failed proof.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { bytesEqual } from '../encoding/bytes.js';
import { emptyRoot, MERKLE_HASH_SIZE, nodeHash } from './merkle.js';
import { bitLength, half, isCount, isOdd, isPowerOfTwo, onesCount, trailingZeros, xor } from './tree-math.js';

const isHash = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array && value.length === MERKLE_HASH_SIZE;

const isProof = (value: unknown): value is readonly Uint8Array[] => Array.isArray(value) && value.every(isHash);

/**
 * The root implied by an inclusion proof of `leafHash` at `index` in a tree of `size`, or
 * null if the proof is malformed or has the wrong number of hashes (RFC 9162 §2.1.3.2 steps 1–4).
 */
export function rootFromInclusionProof(
  crypto: CryptoProvider,
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array | null {
  try {
    if (!isCount(index) || !isCount(size) || index >= size) return null;
    if (!isHash(leafHash) || !isProof(proof)) return null;
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0) return null;
      if (isOdd(fn) || fn === sn) {
        r = nodeHash(crypto, p, r);
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        r = nodeHash(crypto, r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 ? r : null;
  } catch {
    return null;
  }
}

/** True only if `proof` shows that `leafHash` is record `index` of the tree of `size` with `root`. */
export function verifyInclusion(
  crypto: CryptoProvider,
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(crypto, leafHash, index, size, proof);
  return computed !== null && isHash(root) && bytesEqual(computed, root);
}

/**
 * True only if `proof` shows that the tree of `oldSize` with `oldRoot` is a prefix of the tree
 * of `newSize` with `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal
 * roots. From size 0 the proof must be empty and `oldRoot` must be the empty-tree root.
 */
export function verifyConsistency(
  crypto: CryptoProvider,
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  try {
    if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) return false;
    if (!isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
    if (oldSize === 0 && !bytesEqual(oldRoot, emptyRoot(crypto))) return false;
    if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
    if (oldSize === 0) return proof.length === 0;
    // 1. An empty proof cannot link two different sizes.
    if (proof.length === 0) return false;
    // 2. If the old size is a power of two, its root is the first node of the path.
    const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
    // 3–4.
    let fn = oldSize - 1;
    let sn = newSize - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    // 5.
    let fr = path[0] as Uint8Array;
    let sr = fr;
    // 6.
    for (let i = 1; i < path.length; i++) {
      const c = path[i] as Uint8Array;
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        fr = nodeHash(crypto, c, fr);
        sr = nodeHash(crypto, c, sr);
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        sr = nodeHash(crypto, sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    // 7.
    return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
  } catch {
    return false;
  }
}

/** The number of hashes in the inclusion proof of record `index` in a tree of `size` (index < size). */
export function inclusionProofSize(index: number, size: number): number {
  if (!isCount(index) || !isCount(size) || index >= size) throw new RangeError(`no record ${index} in size ${size}`);
  // Below the level where the paths to `index` and `size - 1` meet, every level has a sibling;
  // above it, only the levels where the path turns right do.
  const inner = bitLength(xor(index, size - 1));
  return inner + onesCount(Math.floor(index / 2 ** inner));
}

/** The number of hashes in the consistency proof from `oldSize` to `newSize` (oldSize ≤ newSize). */
export function consistencyProofSize(oldSize: number, newSize: number): number {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) {
    throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return 0;
  const shift = trailingZeros(oldSize);
  const inner = bitLength(xor(oldSize - 1, newSize - 1)) - shift;
  const border = onesCount(Math.floor((oldSize - 1) / 2 ** (inner + shift)));
  return (isPowerOfTwo(oldSize) ? 0 : 1) + inner + border;
}
