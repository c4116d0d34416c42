import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { toHex, utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import { emptyRoot, leafHash, MERKLE_HASH_SIZE, nodeHash, rootFromLeafHashes } from './index.js';
import { CT_LEAVES, CT_ROOTS } from './test-vectors.js';

describe.each([nodeCrypto, nobleCrypto])('Merkle tree hashing with $name crypto', (crypto) => {
  it('reproduces the RFC 6962 / CT reference roots for sizes 0 to 8', () => {
    const leafHashes = CT_LEAVES.map((leaf) => leafHash(crypto, leaf));
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(crypto, leafHashes.slice(0, size))), `size ${size}`).toBe(CT_ROOTS[size]);
    }
  });

  it('separates leaves from nodes with the 0x00 / 0x01 prefixes', () => {
    const a = leafHash(crypto, utf8Encode('a'));
    const b = leafHash(crypto, utf8Encode('b'));
    expect(a).toEqual(crypto.sha256(Uint8Array.of(0x00, 0x61)));
    expect(nodeHash(crypto, a, b)).toEqual(crypto.sha256(Uint8Array.of(0x01, ...a, ...b)));
    expect(emptyRoot(crypto)).toEqual(crypto.sha256(new Uint8Array(0)));
    expect(a.length).toBe(MERKLE_HASH_SIZE);
  });
});

describe('rootFromLeafHashes', () => {
  it('builds the left-balanced tree of the C2SP merkle-tree example (7 entries)', () => {
    const c = nodeCrypto;
    const [a, b, cc, d, e, f, g] = Array.from({ length: 7 }, (_, i) => leafHash(c, utf8Encode(`d${i}`))) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    const h = nodeHash(c, a, b);
    const i = nodeHash(c, cc, d);
    const j = nodeHash(c, e, f);
    const k = nodeHash(c, h, i);
    const l = nodeHash(c, j, g);
    expect(rootFromLeafHashes(c, [a, b, cc, d, e, f, g])).toEqual(nodeHash(c, k, l));
  });
});
