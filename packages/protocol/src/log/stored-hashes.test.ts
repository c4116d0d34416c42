import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  leafHash,
  MemoryHashStore,
  rootFromLeafHashes,
  splitStoredHashIndex,
  storedHashCount,
  storedHashes,
  storedHashesIndexes,
  storedHashIndex,
  treeHashFrom,
  treeHashIndexes,
} from './index.js';

const crypto = nodeCrypto;
const entry = (i: number) => utf8Encode(`entry ${i}`);

describe('stored hash indexes (Go tlog layout)', () => {
  it('lays hashes out in the order appends complete them', () => {
    // Record 0: (0,0). Record 1: (0,1), (1,0). Record 2: (0,2). Record 3: (0,3), (1,1), (2,0). Record 4: (0,4).
    const layout = [
      [0, 0],
      [0, 1],
      [1, 0],
      [0, 2],
      [0, 3],
      [1, 1],
      [2, 0],
      [0, 4],
    ] as const;
    layout.forEach(([level, n], index) => {
      expect(storedHashIndex(level, n)).toBe(index);
      expect(splitStoredHashIndex(index)).toEqual({ level, n });
    });
  });

  it('splitStoredHashIndex inverts storedHashIndex, also far beyond 2^32', () => {
    for (let level = 0; level < 10; level++) {
      for (let n = 0; n < 100; n++) expect(splitStoredHashIndex(storedHashIndex(level, n))).toEqual({ level, n });
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 44 }), (level, n) => {
        const leaf = Math.floor(n / 2 ** level);
        expect(splitStoredHashIndex(storedHashIndex(level, leaf))).toEqual({ level, n: leaf });
      }),
    );
  });

  it('rejects coordinates that are not safe integers', () => {
    expect(() => storedHashIndex(0, -1)).toThrow(RangeError);
    expect(() => storedHashIndex(0, 1.5)).toThrow(RangeError);
    expect(() => storedHashIndex(-1, 0)).toThrow(RangeError);
    expect(() => storedHashIndex(0, 2 ** 53)).toThrow(RangeError);
    expect(() => splitStoredHashIndex(-1)).toThrow(RangeError);
  });
});

describe('appending and tree hashes', () => {
  const store = new MemoryHashStore(crypto);
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    store.append(entry(i));
    leaves.push(leafHash(crypto, entry(i)));
  }

  it('stores exactly storedHashCount(n) hashes and matches the MTH of every prefix', () => {
    const growing = new MemoryHashStore(crypto);
    expect(growing.treeHash()).toEqual(rootFromLeafHashes(crypto, []));
    for (let n = 0; n < 300; n++) {
      growing.append(entry(n));
      expect(growing.hashCount).toBe(storedHashCount(n + 1));
      expect(growing.treeHash()).toEqual(rootFromLeafHashes(crypto, leaves.slice(0, n + 1)));
      // The full store answers for every earlier size too.
      expect(store.treeHash(n + 1)).toEqual(growing.treeHash());
    }
  });

  it('writes the leaf hash at storedHashIndex(0, n) and completed subtrees right after', () => {
    const n = 255; // completes subtrees of 2, 4, …, 256 leaves
    expect(storedHashesIndexes(n)).toHaveLength(8);
    const fresh = storedHashes(crypto, n, leaves[n] as Uint8Array, (indexes) => store.readHashes(indexes));
    expect(fresh).toHaveLength(9);
    expect(fresh[0]).toEqual(leaves[n]);
    expect(store.readHashes([storedHashIndex(0, n)])[0]).toEqual(leaves[n]);
    expect(fresh[8]).toEqual(store.readHashes([storedHashIndex(8, 0)])[0]);
    expect(fresh[8]).toEqual(rootFromLeafHashes(crypto, leaves.slice(0, 256)));
  });

  it('asks for at most 1 + log2(size) hashes, in increasing order, for a tree hash', () => {
    for (let size = 1; size <= 300; size++) {
      const indexes = treeHashIndexes(size);
      expect(indexes.length).toBeLessThanOrEqual(1 + Math.log2(size));
      expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      expect(Math.max(...indexes)).toBeLessThan(storedHashCount(size));
    }
  });

  it('treats size 0 as the empty root and refuses wrong hash counts', () => {
    expect(treeHashIndexes(0)).toEqual([]);
    expect(treeHashFrom(crypto, 0, [])).toEqual(crypto.sha256(new Uint8Array(0)));
    expect(() => treeHashFrom(crypto, 3, [])).toThrow(RangeError);
    expect(() => treeHashFrom(crypto, 3, [new Uint8Array(32), new Uint8Array(31)])).toThrow(RangeError);
    expect(() => store.treeHash(301)).toThrow(RangeError);
  });
});
