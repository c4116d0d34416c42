/**
 * RFC 9162 (RFC 6962) Merkle tree hashing. Leaves and interior nodes are hashed with different
 * one-byte prefixes so a leaf can never be passed off as an interior node (second preimages).
 */
import type { CryptoProvider } from '../crypto/types.js';
import { splitPoint } from './tree-math.js';

/** Every hash in the tree is a 32-byte SHA-256 digest. */
export const MERKLE_HASH_SIZE = 32;

/** SHA-256(0x00 ‖ entry): the hash of one log entry. */
export function leafHash(crypto: CryptoProvider, entry: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + entry.length);
  input[0] = 0x00;
  input.set(entry, 1);
  return crypto.sha256(input);
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash(crypto: CryptoProvider, left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return crypto.sha256(input);
}

/** MTH({}) = SHA-256(""): the root of the empty tree. */
export function emptyRoot(crypto: CryptoProvider): Uint8Array {
  return crypto.sha256(new Uint8Array(0));
}

/**
 * MTH over already-hashed leaves: split at the largest power of two smaller than n and hash
 * both sides. The reference implementation the stored-hash and tile code is tested against.
 */
export function rootFromLeafHashes(crypto: CryptoProvider, leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot(crypto);
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leafHashes[lo] as Uint8Array;
    const k = splitPoint(hi - lo);
    return nodeHash(crypto, mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, leafHashes.length);
}
