import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { bytesEqual, fromHex, toHex, utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  consistencyProofSize,
  emptyRoot,
  inclusionProofSize,
  leafHash,
  MemoryHashStore,
  nodeHash,
  recordProofFrom,
  recordProofIndexes,
  rootFromInclusionProof,
  rootFromLeafHashes,
  treeProofFrom,
  treeProofIndexes,
  verifyConsistency,
  verifyInclusion,
} from './index.js';
import { CT_CONSISTENCY_PROOFS, CT_INCLUSION_PROOFS, CT_LEAVES, CT_ROOTS } from './test-vectors.js';

const crypto = nodeCrypto;
const hex = (hashes: Uint8Array[]) => hashes.map(toHex);
const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};
const sameProof = (a: Uint8Array[], b: Uint8Array[]) =>
  a.length === b.length && a.every((h, i) => bytesEqual(h, b[i] as Uint8Array));

describe.each([nodeCrypto, nobleCrypto])('CT reference proofs with $name crypto', (c) => {
  const store = new MemoryHashStore(c);
  for (const leaf of CT_LEAVES) store.append(leaf);
  const leafHashes = CT_LEAVES.map((leaf) => leafHash(c, leaf));

  it.each(CT_INCLUSION_PROOFS)('inclusion of record $index in size $size', ({ index, size, proof }) => {
    expect(hex(store.recordProof(index, size))).toEqual(proof);
    const root = fromHex(CT_ROOTS[size] as string);
    const path = proof.map(fromHex);
    expect(verifyInclusion(c, leafHashes[index] as Uint8Array, index, size, path, root)).toBe(true);
    expect(inclusionProofSize(index, size)).toBe(proof.length);
  });

  it.each(CT_CONSISTENCY_PROOFS)('consistency from $oldSize to $newSize', ({ oldSize, newSize, proof }) => {
    expect(hex(store.treeProof(oldSize, newSize))).toEqual(proof);
    const oldRoot = fromHex(CT_ROOTS[oldSize] as string);
    const newRoot = fromHex(CT_ROOTS[newSize] as string);
    expect(verifyConsistency(c, oldSize, newSize, oldRoot, newRoot, proof.map(fromHex))).toBe(true);
    expect(consistencyProofSize(oldSize, newSize)).toBe(proof.length);
  });
});

describe('the C2SP merkle-tree example (7 entries d0…d6)', () => {
  const store = new MemoryHashStore(crypto);
  const [a, b, c, d, e, f, g] = Array.from({ length: 7 }, (_, i) => {
    store.append(utf8Encode(`d${i}`));
    return leafHash(crypto, utf8Encode(`d${i}`));
  }) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const h = nodeHash(crypto, a, b);
  const i = nodeHash(crypto, c, d);
  const j = nodeHash(crypto, e, f);
  const k = nodeHash(crypto, h, i);
  const l = nodeHash(crypto, j, g);

  it('gives the inclusion proofs the spec lists', () => {
    expect(store.recordProof(0, 7)).toEqual([b, i, l]);
    expect(store.recordProof(3, 7)).toEqual([c, h, l]);
    expect(store.recordProof(4, 7)).toEqual([f, g, k]);
    expect(store.recordProof(6, 7)).toEqual([j, k]);
  });

  it('gives the consistency proofs the spec lists', () => {
    expect(store.treeProof(3, 7)).toEqual([c, d, h, l]);
    expect(store.treeProof(4, 7)).toEqual([l]);
    expect(store.treeProof(6, 7)).toEqual([j, g, k]);
  });
});

describe('edge cases of verification', () => {
  const store = new MemoryHashStore(crypto);
  for (let n = 0; n < 8; n++) store.append(utf8Encode(`leaf ${n}`));
  const root5 = store.treeHash(5);
  const root8 = store.treeHash(8);
  const leaf0 = leafHash(crypto, utf8Encode('leaf 0'));
  const empty = emptyRoot(crypto);

  it('a one-record tree has an empty inclusion proof and its root is the leaf hash', () => {
    expect(store.recordProof(0, 1)).toEqual([]);
    expect(verifyInclusion(crypto, leaf0, 0, 1, [], leaf0)).toBe(true);
    expect(verifyInclusion(crypto, leaf0, 0, 1, [], empty)).toBe(false);
  });

  it('never throws on malformed input, and says false', () => {
    const proof = store.recordProof(2, 8);
    const bad: [unknown, unknown, unknown, unknown, unknown][] = [
      [leaf0, 0, 0, [], leaf0],
      [leaf0, -1, 8, proof, root8],
      [leaf0, 1.5, 8, proof, root8],
      [leaf0, 0, Number.NaN, proof, root8],
      [leaf0, 0, 2 ** 60, proof, root8],
      [leaf0.subarray(1), 2, 8, proof, root8],
      [leaf0, 2, 8, [...proof.slice(1), new Uint8Array(31)], root8],
      [leaf0, 2, 8, 'not a proof', root8],
      [leaf0, 2, 8, [null, null, null], root8],
      [leaf0, 2, 8, proof, undefined],
      [null, 2, 8, proof, root8],
    ];
    for (const [leaf, index, size, path, root] of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
      const call = () => verifyInclusion(crypto, leaf as any, index as any, size as any, path as any, root as any);
      expect(call).not.toThrow();
      expect(call()).toBe(false);
    }
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
    const consistency = (...args: unknown[]) => verifyConsistency(crypto, ...(args as [any, any, any, any, any]));
    expect(consistency(5, 8, root5, root8, 'proof')).toBe(false);
    expect(consistency(8, 5, root8, root5, [])).toBe(false);
    expect(consistency(5, 8, root5.subarray(2), root8, store.treeProof(5, 8))).toBe(false);
    expect(consistency(5, 8, root5, root8, [...store.treeProof(5, 8), 42])).toBe(false);
    expect(rootFromInclusionProof(crypto, leaf0, 0, 8, [])).toBeNull();
  });

  it('handles equal sizes and the empty tree as C2SP merkle-tree describes', () => {
    expect(store.treeProof(5, 5)).toEqual([]);
    expect(verifyConsistency(crypto, 5, 5, root5, root5, [])).toBe(true);
    expect(verifyConsistency(crypto, 5, 5, root5, root8, [])).toBe(false);
    expect(verifyConsistency(crypto, 5, 5, root5, root5, [root5])).toBe(false);
    // Any tree extends the empty one, whose root is SHA-256("").
    expect(store.treeProof(0, 8)).toEqual([]);
    expect(verifyConsistency(crypto, 0, 8, empty, root8, [])).toBe(true);
    expect(verifyConsistency(crypto, 0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(crypto, 0, 8, empty, root8, [empty])).toBe(false);
    expect(verifyConsistency(crypto, 0, 8, root5, root8, [])).toBe(false);
    expect(verifyConsistency(crypto, 5, 8, root5, root8, [])).toBe(false);
  });

  it('rejects impossible arguments when building proofs', () => {
    expect(() => recordProofIndexes(8, 8)).toThrow(RangeError);
    expect(() => recordProofIndexes(-1, 8)).toThrow(RangeError);
    expect(() => treeProofIndexes(9, 8)).toThrow(RangeError);
    expect(() => recordProofFrom(crypto, 0, 8, [])).toThrow(RangeError);
    expect(() => treeProofFrom(crypto, 3, 8, [])).toThrow(RangeError);
    expect(() => store.recordProof(0, 9)).toThrow(RangeError);
  });

  it('binds the index but, as in RFC 9162, not the tree size: roots alone do not commit to a size', () => {
    // Record 0's paths in trees of 5 and of 7 records have the same shape (three right siblings),
    // so the size-5 proof "verifies" a size-7 claim against the size-5 root. Signed checkpoints
    // pin (size, root) together, which is why verifiers must take both from one checkpoint.
    const proof = store.recordProof(0, 5);
    expect(verifyInclusion(crypto, leaf0, 0, 7, proof, root5)).toBe(true);
    expect(verifyInclusion(crypto, leaf0, 0, 7, proof, store.treeHash(7))).toBe(false);
  });
});

describe('properties over random trees (up to 2000 records)', () => {
  const MAX = 2000;
  const store = new MemoryHashStore(crypto);
  const leaves: Uint8Array[] = [];
  for (let n = 0; n < MAX; n++) {
    const entry = utf8Encode(`record ${n}`);
    store.append(entry);
    leaves.push(leafHash(crypto, entry));
  }
  const roots = Array.from({ length: MAX + 1 }, (_, size) => store.treeHash(size));
  const genuineRoot = (size: number) => roots[size] ?? null;
  const genuineInclusion = (index: number, size: number) =>
    size <= MAX && index < size ? store.recordProof(index, size) : null;
  const genuineConsistency = (oldSize: number, newSize: number) =>
    newSize <= MAX && oldSize <= newSize ? store.treeProof(oldSize, newSize) : null;
  // Every single-bit change of a number below 2^12, plus one far above the tree.
  const bitFlips = (x: number) => [...Array.from({ length: 12 }, (_, k) => x ^ (1 << k)), x + 2 ** 40];
  const tamperings = (proof: Uint8Array[], bit: number, extra: Uint8Array): Uint8Array[][] => [
    ...proof.map((_, i) => proof.map((h, j) => (i === j ? flip(h, (bit + 37 * i) % 256) : h))),
    ...proof.map((_, i) => proof.filter((__, j) => j !== i)),
    ...Array.from({ length: proof.length + 1 }, (_, i) => [...proof.slice(0, i), extra, ...proof.slice(i)]),
    ...Array.from({ length: proof.length + 1 }, (_, i) => [...proof.slice(0, i), proof[0] ?? extra, ...proof.slice(i)]),
  ];

  it('has the roots of the reference MTH', () => {
    expect(roots[0]).toEqual(emptyRoot(crypto));
    for (const size of [1, 2, 3, 255, 256, 257, 1023, 1024, 1025, 1999, MAX]) {
      expect(roots[size]).toEqual(rootFromLeafHashes(crypto, leaves.slice(0, size)));
    }
  });

  it('inclusion proofs verify, and fail after any single change', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.integer({ min: 0, max: 255 }), (size, seed, bit) => {
        const index = seed % size;
        const leaf = leaves[index] as Uint8Array;
        const root = roots[size] as Uint8Array;
        const proof = store.recordProof(index, size);
        expect(proof).toHaveLength(inclusionProofSize(index, size));
        expect(verifyInclusion(crypto, leaf, index, size, proof, root)).toBe(true);
        expect(rootFromInclusionProof(crypto, leaf, index, size, proof)).toEqual(root);

        expect(verifyInclusion(crypto, flip(leaf, bit), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(crypto, leaf, index, size, proof, flip(root, bit))).toBe(false);
        for (const tampered of tamperings(proof, bit, leaves[(index + 1) % MAX] as Uint8Array)) {
          expect(verifyInclusion(crypto, leaf, index, size, tampered, root)).toBe(false);
        }
        for (const otherIndex of bitFlips(index)) {
          expect(verifyInclusion(crypto, leaf, otherIndex, size, proof, root)).toBe(false);
        }
        for (const otherSize of bitFlips(size)) {
          // Against the real root of the other size, the proof passes only if it is that size's proof.
          const otherRoot = genuineRoot(otherSize);
          if (otherRoot !== null) {
            const real = genuineInclusion(index, otherSize);
            const same = real !== null && sameProof(real, proof);
            expect(verifyInclusion(crypto, leaf, index, otherSize, proof, otherRoot)).toBe(same);
          }
          // Against the original root, a proof of the wrong length never passes.
          if (index >= otherSize || inclusionProofSize(index, otherSize) !== proof.length) {
            expect(verifyInclusion(crypto, leaf, index, otherSize, proof, root)).toBe(false);
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('consistency proofs verify, and fail after any single change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (newSize, seed, bit) => {
          const oldSize = seed % (newSize + 1);
          const oldRoot = roots[oldSize] as Uint8Array;
          const newRoot = roots[newSize] as Uint8Array;
          const proof = store.treeProof(oldSize, newSize);
          expect(proof).toHaveLength(consistencyProofSize(oldSize, newSize));
          expect(verifyConsistency(crypto, oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);

          expect(verifyConsistency(crypto, oldSize, newSize, flip(oldRoot, bit), newRoot, proof)).toBe(false);
          // (From the empty tree every new root is consistent, so only then may the new root change.)
          if (oldSize > 0) {
            expect(verifyConsistency(crypto, oldSize, newSize, oldRoot, flip(newRoot, bit), proof)).toBe(false);
          }
          if (oldSize > 0 && oldSize !== newSize) {
            expect(verifyConsistency(crypto, oldSize, newSize, newRoot, oldRoot, proof)).toBe(false);
          }
          for (const tampered of tamperings(proof, bit, leaves[0] as Uint8Array)) {
            expect(verifyConsistency(crypto, oldSize, newSize, oldRoot, newRoot, tampered)).toBe(false);
          }
          const otherSizes = [
            ...bitFlips(oldSize).map((s) => [s, newSize] as const),
            ...bitFlips(newSize).map((s) => [oldSize, s] as const),
          ];
          for (const [otherOld, otherNew] of otherSizes) {
            const rootA = genuineRoot(otherOld);
            const rootB = genuineRoot(otherNew);
            if (rootA !== null && rootB !== null) {
              const real = genuineConsistency(otherOld, otherNew);
              const same = real !== null && sameProof(real, proof);
              expect(verifyConsistency(crypto, otherOld, otherNew, rootA, rootB, proof)).toBe(same);
            }
            if (otherOld > otherNew || consistencyProofSize(otherOld, otherNew) !== proof.length) {
              expect(verifyConsistency(crypto, otherOld, otherNew, oldRoot, newRoot, proof)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('asks the store only for hashes that exist, in increasing order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), (size, seed) => {
        for (const indexes of [recordProofIndexes(seed % size, size), treeProofIndexes(seed % (size + 1), size)]) {
          expect([...indexes].sort((x, y) => x - y)).toEqual(indexes);
          expect(new Set(indexes).size).toBe(indexes.length);
          expect(() => store.readHashes(indexes)).not.toThrow();
        }
      }),
    );
  });
});
