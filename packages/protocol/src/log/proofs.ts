/**
 * RFC 9162 inclusion (§2.1.3.1) and consistency (§2.1.4.1) proofs built from stored hashes,
 * in the same two phases as stored-hashes.ts: list the indexes, then compute from the hashes.
 * Proof hashes are ordered bottom-up, as the RFC's PATH and SUBPROOF produce them.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { checkStoredHashes, HashCursor, subtreeHash, subtreeIndexes } from './stored-hashes.js';
import { assertCount, splitPoint } from './tree-math.js';

function checkRecordArgs(index: number, size: number): void {
  assertCount(index, 'index');
  assertCount(size, 'size');
  if (index >= size) throw new RangeError(`record ${index} is not in a tree of size ${size}`);
}

function checkTreeArgs(oldSize: number, newSize: number): void {
  assertCount(oldSize, 'oldSize');
  assertCount(newSize, 'newSize');
  if (oldSize > newSize) throw new RangeError(`oldSize ${oldSize} is larger than newSize ${newSize}`);
}

// PATH(n, D[lo:hi]) as stored hash indexes: descend towards the leaf, taking the other side.
function recordProofIndexesIn(lo: number, hi: number, n: number, need: number[]): number[] {
  if (lo + 1 === hi) return need;
  const k = splitPoint(hi - lo);
  if (n < lo + k) {
    recordProofIndexesIn(lo, lo + k, n, need);
    subtreeIndexes(lo + k, hi, need);
  } else {
    subtreeIndexes(lo, lo + k, need);
    recordProofIndexesIn(lo + k, hi, n, need);
  }
  return need;
}

function recordProofIn(crypto: CryptoProvider, lo: number, hi: number, n: number, cursor: HashCursor): Uint8Array[] {
  if (lo + 1 === hi) return []; // The verifier has the leaf hash itself.
  const k = splitPoint(hi - lo);
  if (n < lo + k) {
    const proof = recordProofIn(crypto, lo, lo + k, n, cursor);
    proof.push(subtreeHash(crypto, lo + k, hi, cursor));
    return proof;
  }
  const sibling = subtreeHash(crypto, lo, lo + k, cursor);
  const proof = recordProofIn(crypto, lo + k, hi, n, cursor);
  proof.push(sibling);
  return proof;
}

/** Phase 1 of the inclusion proof of record `index` in the tree of `size` records. */
export function recordProofIndexes(index: number, size: number): number[] {
  checkRecordArgs(index, size);
  return recordProofIndexesIn(0, size, index, []);
}

/** Phase 2: the RFC 9162 inclusion proof (audit path) of record `index` in the tree of `size`. */
export function recordProofFrom(
  crypto: CryptoProvider,
  index: number,
  size: number,
  hashes: readonly Uint8Array[],
): Uint8Array[] {
  checkStoredHashes(hashes, recordProofIndexes(index, size).length, 'recordProofFrom');
  return recordProofIn(crypto, 0, size, index, new HashCursor(hashes));
}

// SUBPROOF(m, D[lo:hi], lo === 0) as stored hash indexes.
function treeProofIndexesIn(lo: number, hi: number, m: number, need: number[]): number[] {
  if (m === hi) {
    // Common ground: the verifier knows the old root itself only for the leftmost subtree.
    return lo === 0 ? need : subtreeIndexes(lo, hi, need);
  }
  const k = splitPoint(hi - lo);
  if (m <= lo + k) {
    treeProofIndexesIn(lo, lo + k, m, need);
    subtreeIndexes(lo + k, hi, need);
  } else {
    subtreeIndexes(lo, lo + k, need);
    treeProofIndexesIn(lo + k, hi, m, need);
  }
  return need;
}

function treeProofIn(crypto: CryptoProvider, lo: number, hi: number, m: number, cursor: HashCursor): Uint8Array[] {
  if (m === hi) return lo === 0 ? [] : [subtreeHash(crypto, lo, hi, cursor)];
  const k = splitPoint(hi - lo);
  if (m <= lo + k) {
    const proof = treeProofIn(crypto, lo, lo + k, m, cursor);
    proof.push(subtreeHash(crypto, lo + k, hi, cursor));
    return proof;
  }
  const sibling = subtreeHash(crypto, lo, lo + k, cursor);
  const proof = treeProofIn(crypto, lo + k, hi, m, cursor);
  proof.push(sibling);
  return proof;
}

/**
 * Phase 1 of the consistency proof from the tree of `oldSize` records to the tree of `newSize`.
 * Empty when oldSize is 0 or equals newSize: there is nothing to prove.
 */
export function treeProofIndexes(oldSize: number, newSize: number): number[] {
  checkTreeArgs(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return [];
  return treeProofIndexesIn(0, newSize, oldSize, []);
}

/** Phase 2: the RFC 9162 consistency proof from the tree of `oldSize` to the tree of `newSize`. */
export function treeProofFrom(
  crypto: CryptoProvider,
  oldSize: number,
  newSize: number,
  hashes: readonly Uint8Array[],
): Uint8Array[] {
  checkStoredHashes(hashes, treeProofIndexes(oldSize, newSize).length, 'treeProofFrom');
  if (oldSize === 0 || oldSize === newSize) return [];
  return treeProofIn(crypto, 0, newSize, oldSize, new HashCursor(hashes));
}
