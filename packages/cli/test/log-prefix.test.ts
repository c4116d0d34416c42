import { rootFromLeafHashes } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeafPrefix } from '../src/verify/log-prefix.js';

const leafOf = (i: number) => nodeCrypto.sha256(new TextEncoder().encode(`leaf ${i}`));

describe('the root of an earlier tree size, from the verified leaves', () => {
  it('equals the RFC 9162 root of the first `size` leaves, asked in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.nat(300), { maxLength: 12 }), (count, asks) => {
        const leaves = Array.from({ length: count }, (_, i) => leafOf(i));
        const prefix = new LeafPrefix(nodeCrypto, leaves);
        for (const size of asks) {
          const root = prefix.rootAt(size, count);
          if (size > count) expect(root).toBeUndefined();
          else expect(root).toEqual(rootFromLeafHashes(nodeCrypto, leaves.slice(0, size)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a size that is not before the entry asking, or a leaf it could not read', () => {
    const leaves = [leafOf(0), leafOf(1), undefined, leafOf(3)];
    const prefix = new LeafPrefix(nodeCrypto, leaves);
    expect(prefix.rootAt(2, 1)).toBeUndefined();
    expect(prefix.rootAt(-1, 3)).toBeUndefined();
    expect(prefix.rootAt(2, 3)).toEqual(rootFromLeafHashes(nodeCrypto, leaves.slice(0, 2) as Uint8Array[]));
    expect(prefix.rootAt(4, 4)).toBeUndefined();
  });
});
