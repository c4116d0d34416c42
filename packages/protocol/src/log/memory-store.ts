/**
 * An in-memory hash store answering the two-phase calls synchronously: the reference store
 * for tests, and a building block for verifiers that keep a (partial) log in memory.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { leafHash as hashLeaf } from './merkle.js';
import { recordProofFrom, recordProofIndexes, treeProofFrom, treeProofIndexes } from './proofs.js';
import { storedHashesFrom, storedHashesIndexes, treeHashFrom, treeHashIndexes } from './stored-hashes.js';
import type { Tile } from './tile-paths.js';
import { encodeTile, tileHashIndexes } from './tiles.js';

export class MemoryHashStore {
  private readonly hashes: Uint8Array[] = [];
  private records = 0;

  constructor(private readonly crypto: CryptoProvider) {}

  /** Number of records appended so far. */
  get size(): number {
    return this.records;
  }

  /** Number of stored hashes (storedHashCount(size)). */
  get hashCount(): number {
    return this.hashes.length;
  }

  /** Appends an entry; returns its record index. */
  append(entry: Uint8Array): number {
    return this.appendLeafHash(hashLeaf(this.crypto, entry));
  }

  /** Appends a record by its leaf hash; returns its record index. */
  appendLeafHash(leafHash: Uint8Array): number {
    const n = this.records;
    const stored = storedHashesFrom(this.crypto, n, leafHash, this.readHashes(storedHashesIndexes(n)));
    this.hashes.push(...stored);
    this.records++;
    return n;
  }

  /** The stored hashes at the given indexes, in the same order. */
  readHashes(indexes: readonly number[]): Uint8Array[] {
    return indexes.map((index) => {
      const hash = this.hashes[index];
      if (hash === undefined) throw new RangeError(`stored hash ${index} does not exist`);
      return hash;
    });
  }

  /** Root of the tree of the first `size` records (default: all of them). */
  treeHash(size: number = this.records): Uint8Array {
    this.checkSize(size);
    return treeHashFrom(this.crypto, size, this.readHashes(treeHashIndexes(size)));
  }

  /** Inclusion proof of record `index` in the tree of `size` records. */
  recordProof(index: number, size: number = this.records): Uint8Array[] {
    this.checkSize(size);
    return recordProofFrom(this.crypto, index, size, this.readHashes(recordProofIndexes(index, size)));
  }

  /** Consistency proof from the tree of `oldSize` records to the tree of `newSize`. */
  treeProof(oldSize: number, newSize: number = this.records): Uint8Array[] {
    this.checkSize(newSize);
    return treeProofFrom(this.crypto, oldSize, newSize, this.readHashes(treeProofIndexes(oldSize, newSize)));
  }

  /** The wire form of a hash tile (its hashes must all be stored already). */
  tileData(tile: Tile): Uint8Array {
    return encodeTile(this.readHashes(tileHashIndexes(tile.level, tile.n, tile.width)));
  }

  private checkSize(size: number): void {
    if (size > this.records) throw new RangeError(`the store has ${this.records} records, not ${size}`);
  }
}
