import { type CryptoProvider, MemoryHashStore } from '@concord/protocol';

/**
 * What a replay check may ask of the log beyond the entry in hand: the root of an earlier tree
 * size (a round's draw is seeded by a published checkpoint's root, which anyone can recompute
 * from the entries). The hash store is built only when first asked, from the leaf hashes the
 * verifier has already checked, so a log without rounds costs nothing extra.
 */
export interface LogPrefix {
  /** The root of the tree of the first `size` entries, or undefined when `size` is not before `index`. */
  rootAt(size: number, index: number): Uint8Array | undefined;
}

export class LeafPrefix implements LogPrefix {
  private store: MemoryHashStore | undefined;

  constructor(
    private readonly crypto: CryptoProvider,
    private readonly leaves: readonly (Uint8Array | undefined)[],
  ) {}

  rootAt(size: number, index: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(size) || size < 0 || size > index) return undefined;
    this.store ??= new MemoryHashStore(this.crypto);
    while (this.store.size < size) {
      const leaf = this.leaves[this.store.size];
      if (leaf === undefined) return undefined; // an entry the verifier could not read
      this.store.appendLeafHash(leaf);
    }
    return this.store.treeHash(size);
  }
}
