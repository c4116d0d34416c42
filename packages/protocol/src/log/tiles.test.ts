import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  decodeTile,
  encodeTile,
  entryBundlesForSize,
  fullTileHash,
  hashesFromTiles,
  hashFromTile,
  LogFormatError,
  leafHash,
  MemoryHashStore,
  rootFromLeafHashes,
  storedHashIndex,
  type Tile,
  tileForStoredHashIndex,
  tileHashIndexes,
  tileInTree,
  tilePath,
  tilesForHashes,
  tilesForSize,
  tilesToPublish,
  treeHashFromTiles,
  treeTiles,
} from './index.js';

const crypto = nodeCrypto;
const paths = (tiles: Tile[]) => tiles.map((t) => tilePath(t.level, t.n, t.width));

describe('which tiles a tree has', () => {
  it('matches the spec: 70,000 records are 273 full + 1 partial level-0, 1 full + 1 partial level-1, 1 level-2', () => {
    const tiles = tilesForSize(70_000);
    const level0 = tiles.filter((t) => t.level === 0);
    expect(level0).toHaveLength(274);
    expect(level0.slice(0, 273).every((t) => t.width === 256)).toBe(true);
    expect(level0[273]).toEqual({ level: 0, n: 273, width: 112 });
    expect(tiles.filter((t) => t.level === 1)).toEqual([
      { level: 1, n: 0, width: 256 },
      { level: 1, n: 1, width: 17 },
    ]);
    expect(tiles.filter((t) => t.level === 2)).toEqual([{ level: 2, n: 0, width: 1 }]);
    expect(tiles).toHaveLength(277);
    expect(entryBundlesForSize(70_000)).toEqual(level0);
  });

  it('matches the spec: 256 records are one full level-0 tile and a level-1 tile of width 1', () => {
    expect(paths(tilesForSize(256))).toEqual(['tile/0/000', 'tile/1/000.p/1']);
    expect(tilesForSize(0)).toEqual([]);
    expect(paths(tilesForSize(1))).toEqual(['tile/0/000.p/1']);
  });

  it('publishes exactly the new and grown tiles', () => {
    expect(tilesToPublish(0, 70_000)).toEqual(tilesForSize(70_000));
    expect(tilesToPublish(500, 500)).toEqual([]);
    expect(paths(tilesToPublish(255, 257))).toEqual(['tile/0/000', 'tile/0/001.p/1', 'tile/1/000.p/1']);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const steps = [0, ...sizes.sort((a, b) => a - b)];
        const published = new Set<string>();
        for (let i = 1; i < steps.length; i++) {
          for (const path of paths(tilesToPublish(steps[i - 1] as number, steps[i] as number))) published.add(path);
        }
        // After the last checkpoint every tile of that tree has been published.
        for (const path of paths(tilesForSize(steps[steps.length - 1] as number))) expect(published).toContain(path);
      }),
    );
  });

  it('finds the tile of a stored hash and its version in a given tree', () => {
    expect(tileHashIndexes(0, 0, 2)).toEqual([0, 1]);
    expect(tileHashIndexes(1, 0, 1)).toEqual([storedHashIndex(8, 0)]);
    expect(tileForStoredHashIndex(storedHashIndex(8, 0))).toEqual({
      tile: { level: 1, n: 0, width: 1 },
      start: 0,
      end: 1,
    });
    // Level 3 of the tree lies inside level-0 tiles: hash (3, 33) covers leaves 264..271 = tile 1's hashes 8..15.
    expect(tileForStoredHashIndex(storedHashIndex(3, 33))).toEqual({
      tile: { level: 0, n: 1, width: 16 },
      start: 8,
      end: 16,
    });
    expect(tileInTree({ level: 0, n: 1, width: 16 }, 300)).toEqual({ level: 0, n: 1, width: 44 });
    expect(tileInTree({ level: 0, n: 1, width: 16 }, 600)).toEqual({ level: 0, n: 1, width: 256 });
    expect(tileInTree({ level: 0, n: 1, width: 16 }, 256)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (index) => {
        const { tile, start, end } = tileForStoredHashIndex(index);
        expect(start).toBeLessThan(end);
        expect(end).toBe(tile.width);
        expect(tileHashIndexes(tile.level, tile.n, tile.width).length).toBe(tile.width);
      }),
    );
  });
});

describe('hashes and roots from tiles', () => {
  const MAX = 70_000;
  const store = new MemoryHashStore(crypto);
  for (let i = 0; i < MAX; i++) store.append(utf8Encode(`tile record ${i}`));
  const tileData = (tile: Tile) => store.tileData(tile);

  it('serves tiles whose hashes are the stored hashes', () => {
    expect(tileData({ level: 0, n: 3, width: 7 })).toEqual(encodeTile(store.readHashes(tileHashIndexes(0, 3, 7))));
    const data = tileData({ level: 0, n: 0, width: 256 });
    expect(decodeTile(data, 256)[5]).toEqual(leafHash(crypto, utf8Encode('tile record 5')));
    // A full tile's own hash is what the tile above holds for it.
    expect(fullTileHash(crypto, data)).toEqual(store.readHashes([storedHashIndex(8, 0)])[0]);
    expect(decodeTile(tileData({ level: 1, n: 0, width: 3 }), 3)[2]).toEqual(
      fullTileHash(crypto, tileData({ level: 0, n: 2, width: 256 })),
    );
    expect(() => decodeTile(data.subarray(1), 256)).toThrow(LogFormatError);
  });

  it('computes the tree root from the partial tiles alone, for sizes up to 70,000', () => {
    expect(treeHashFromTiles(crypto, MAX, treeTiles(MAX).map(tileData))).toEqual(
      rootFromLeafHashes(crypto, store.readHashes(Array.from({ length: MAX }, (_, n) => storedHashIndex(0, n)))),
    );
    expect(treeHashFromTiles(crypto, 0, [])).toEqual(crypto.sha256(new Uint8Array(0)));
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: MAX }), fc.constantFrom(1, 255, 256, 257, 65_535, 65_536, 65_537)),
        (size) => {
          const tiles = treeTiles(size);
          expect(tiles.length).toBeLessThanOrEqual(3);
          expect(treeHashFromTiles(crypto, size, tiles.map(tileData))).toEqual(store.treeHash(size));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads any stored hash from the tile holding it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), (size, seed) => {
        const index = seed % storedHashIndex(0, size);
        const tile = tileInTree(tileForStoredHashIndex(index).tile, size) as Tile;
        expect(hashFromTile(crypto, tile, tileData(tile), index)).toEqual(store.readHashes([index])[0]);
      }),
      { numRuns: 60 },
    );
    expect(() =>
      hashFromTile(crypto, { level: 0, n: 1, width: 256 }, tileData({ level: 0, n: 1, width: 256 }), 0),
    ).toThrow(RangeError);
  });

  it('reads hashes through tiles authenticated against the root, and detects any changed byte', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.nat(),
        (size, seeds, tamperSeed) => {
          const limit = storedHashIndex(0, size);
          const indexes = seeds.map((s) => s % limit);
          const tiles = tilesForHashes(size, indexes);
          const data = tiles.map(tileData);
          const root = store.treeHash(size);
          expect(hashesFromTiles(crypto, size, root, indexes, data)).toEqual(store.readHashes(indexes));
          // Every byte of every fetched tile is checked, directly or through its parent.
          const which = tamperSeed % data.length;
          const tampered = data.map((d, i) => {
            if (i !== which) return d;
            const copy = d.slice();
            copy[tamperSeed % copy.length] = (copy[tamperSeed % copy.length] as number) ^ 1;
            return copy;
          });
          expect(() => hashesFromTiles(crypto, size, root, indexes, tampered)).toThrow(LogFormatError);
          expect(() => hashesFromTiles(crypto, size, store.treeHash(size - 1), indexes, data)).toThrow(LogFormatError);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('checks lower tiles even when several root hashes share one tile', () => {
    // Size 300 = 256 + 32 + 8 + 4: three root hashes live in tile/0/001.p/44, so fewer tiles than
    // root hashes precede the full tile/0/000 (the case Go's TileHashReader once skipped).
    const size = 300;
    const indexes = [storedHashIndex(0, 3)];
    const tiles = tilesForHashes(size, indexes);
    expect(paths(tiles)).toEqual(['tile/1/000.p/1', 'tile/0/001.p/44', 'tile/0/000']);
    const data = tiles.map(tileData);
    const forged = data[2]?.slice() as Uint8Array;
    forged.set(new Uint8Array(32), 3 * 32);
    expect(() =>
      hashesFromTiles(crypto, size, store.treeHash(size), indexes, [data[0], data[1], forged] as Uint8Array[]),
    ).toThrow(/does not match its parent/);
  });

  it('refuses indexes outside the tree and data of the wrong shape', () => {
    expect(() => tilesForHashes(10, [storedHashIndex(0, 10)])).toThrow(RangeError);
    expect(() => tilesForHashes(0, [0])).toThrow(RangeError);
    expect(() => treeHashFromTiles(crypto, 300, [])).toThrow(RangeError);
    expect(() =>
      treeHashFromTiles(
        crypto,
        300,
        treeTiles(300).map((t) => tileData(t).subarray(32)),
      ),
    ).toThrow(LogFormatError);
  });
});
