import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { toHex, utf8Decode } from '../encoding/bytes.js';
import { emptyRoot, leafHash, rootFromLeafHashes } from '../log/merkle.js';
import { nodeCrypto } from '../node.js';
import { type CycleLeaf, CycleTree, cycleLeafBytes, SETTLEMENT_KINDS, verifyCycleLeaf } from './index.js';

const crypto = nodeCrypto;

const leafArb: fc.Arbitrary<CycleLeaf> = fc.record({
  party: fc.oneof(fc.constantFrom('platform', 'did:key:z6Mk', 'did:w:0'), fc.string({ minLength: 1, maxLength: 12 })),
  kind: fc.constantFrom(...SETTLEMENT_KINDS),
  amountFen: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).filter((x) => x !== 0n),
});

/** Leaves as a cycle has them: one per (party, kind). */
const leavesArb = fc.uniqueArray(leafArb, {
  selector: (l) => JSON.stringify([l.party, l.kind]),
  minLength: 1,
  maxLength: 200,
});

describe('cycleLeafBytes', () => {
  it('is the canonical JSON of the leaf, the amount as a decimal string', () => {
    const bytes = cycleLeafBytes({ party: 'did:x', kind: 'supplier', amountFen: -1_234n });
    expect(utf8Decode(bytes)).toBe('{"amountFen":"-1234","kind":"supplier","party":"did:x"}');
    expect(utf8Decode(cycleLeafBytes({ party: '"é"', kind: 'trust_fee', amountFen: 10n ** 20n }))).toBe(
      '{"amountFen":"100000000000000000000","kind":"trust_fee","party":"\\"é\\""}',
    );
  });
});

describe('CycleTree', () => {
  it('has the empty root and no valid proof when the cycle has no leaf', () => {
    const tree = new CycleTree(crypto, []);
    expect(tree.root).toEqual(emptyRoot(crypto));
    expect(tree.leaves).toEqual([]);
    const leaf: CycleLeaf = { party: 'p', kind: 'supplier', amountFen: 1n };
    expect(verifyCycleLeaf(crypto, leaf, 0, 0, [], tree.root)).toBe(false);
  });

  it('roots a single leaf at its leaf hash, with an empty proof', () => {
    const leaf: CycleLeaf = { party: 'p', kind: 'supplier', amountFen: 1n };
    const tree = new CycleTree(crypto, [leaf]);
    expect(tree.root).toEqual(leafHash(crypto, cycleLeafBytes(leaf)));
    expect(tree.proof(0)).toEqual([]);
    expect(verifyCycleLeaf(crypto, leaf, 0, 1, [], tree.root)).toBe(true);
    expect(verifyCycleLeaf(crypto, { ...leaf, amountFen: 2n }, 0, 1, [], tree.root)).toBe(false);
  });

  it('gives the same root with either crypto provider', () => {
    const leaves: CycleLeaf[] = [
      { party: 'a', kind: 'supplier', amountFen: 1n },
      { party: 'b', kind: 'trust_fee', amountFen: -2n },
      { party: 'c', kind: 'cashback', amountFen: 3n },
    ];
    expect(toHex(new CycleTree(nodeCrypto, leaves).root)).toBe(toHex(new CycleTree(nobleCrypto, leaves).root));
  });

  it('proves every leaf against the root, and nothing else', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = new CycleTree(crypto, leaves);
        const size = leaves.length;
        const root = tree.root;
        // The root is the RFC 9162 root over the leaves' bytes, in their order.
        expect(root).toEqual(
          rootFromLeafHashes(
            crypto,
            leaves.map((l) => leafHash(crypto, cycleLeafBytes(l))),
          ),
        );
        const proofs = leaves.map((_, i) => tree.proof(i));
        leaves.forEach((leaf, i) => {
          const proof = proofs[i]!;
          expect(verifyCycleLeaf(crypto, leaf, i, size, proof, root)).toBe(true);
          // A tampered amount, party or kind.
          expect(verifyCycleLeaf(crypto, { ...leaf, amountFen: leaf.amountFen + 1n }, i, size, proof, root)).toBe(
            false,
          );
          expect(verifyCycleLeaf(crypto, { ...leaf, party: `${leaf.party}x` }, i, size, proof, root)).toBe(false);
          const otherKind = SETTLEMENT_KINDS.find((k) => k !== leaf.kind)!;
          expect(verifyCycleLeaf(crypto, { ...leaf, kind: otherKind }, i, size, proof, root)).toBe(false);
          // A wrong index, a wrong size, another root.
          if (size > 1) {
            expect(verifyCycleLeaf(crypto, leaf, (i + 1) % size, size, proof, root)).toBe(false);
            // Another leaf's proof (the next one's) does not prove this leaf, at either index.
            const j = (i + 1) % size;
            expect(verifyCycleLeaf(crypto, leaf, i, size, proofs[j]!, root)).toBe(false);
            expect(verifyCycleLeaf(crypto, leaf, j, size, proofs[j]!, root)).toBe(false);
            // Another leaf at this leaf's index, with this leaf's proof.
            expect(verifyCycleLeaf(crypto, leaves[j]!, i, size, proof, root)).toBe(false);
          }
          // (A wrong size is not always caught by the proof alone — RFC 9162 proofs of leaf 0 of 3
          // and of 4 leaves have the same shape — so the cycle's size travels with its root.)
          expect(verifyCycleLeaf(crypto, leaf, size, size, proof, root)).toBe(false);
          expect(verifyCycleLeaf(crypto, leaf, i, size, proof, emptyRoot(crypto))).toBe(false);
        });
      }),
      { numRuns: 20 },
    );
  });

  it('changes its root when a leaf changes, is added or the order changes', () => {
    fc.assert(
      fc.property(leavesArb, leafArb, (leaves, extra) => {
        const root = toHex(new CycleTree(crypto, leaves).root);
        const first = leaves[0]!;
        const changed = [{ ...first, amountFen: -first.amountFen }, ...leaves.slice(1)];
        expect(toHex(new CycleTree(crypto, changed).root)).not.toBe(root);
        expect(toHex(new CycleTree(crypto, [...leaves, extra]).root)).not.toBe(root);
        if (leaves.length > 1) {
          expect(toHex(new CycleTree(crypto, [...leaves].reverse()).root)).not.toBe(root);
        }
      }),
      { numRuns: 20 },
    );
  });
});
