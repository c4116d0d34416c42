/**
 * C2SP tlog-tiles on top of the stored-hash model. A level-L tile holds up to 256 consecutive
 * hashes of subtrees at tree level 8·L (level 0: leaf hashes); the 7 tree levels between two
 * tile levels are not served but recomputed from a tile's hashes. Everything here is pure:
 * callers fetch tile data themselves and pass it in, in the order the planning call listed.
 */
import type { CryptoProvider } from '../crypto/types.js';
import { bytesEqual } from '../encoding/bytes.js';
import { LogFormatError } from './log-error.js';
import { emptyRoot, MERKLE_HASH_SIZE, nodeHash } from './merkle.js';
import { splitStoredHashIndex, storedHashIndex, treeHashFrom, treeHashIndexes } from './stored-hashes.js';
import { TILE_HEIGHT, TILE_WIDTH, type Tile, tilePath } from './tile-paths.js';
import { assertCount } from './tree-math.js';

const tileKey = (tile: Tile): string => `${tile.level}/${tile.n}/${tile.width}`;

function checkTile(tile: Tile): void {
  tilePath(tile.level, tile.n, tile.width); // throws a RangeError for impossible coordinates
}

/** The stored hash indexes whose hashes make up tile (level, n, width), in order. */
export function tileHashIndexes(level: number, n: number, width: number = TILE_WIDTH): number[] {
  checkTile({ level, n, width });
  const indexes = new Array<number>(width);
  for (let i = 0; i < width; i++) indexes[i] = storedHashIndex(TILE_HEIGHT * level, n * TILE_WIDTH + i);
  return indexes;
}

/** Concatenates a tile's hashes into its wire form. */
export function encodeTile(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH) throw new RangeError(`a tile holds 1..${TILE_WIDTH} hashes`);
  const out = new Uint8Array(hashes.length * MERKLE_HASH_SIZE);
  hashes.forEach((hash, i) => {
    if (hash.length !== MERKLE_HASH_SIZE) throw new RangeError(`tile hashes must be ${MERKLE_HASH_SIZE} bytes`);
    out.set(hash, i * MERKLE_HASH_SIZE);
  });
  return out;
}

/** Splits tile data into its hashes; it must be exactly `width` hashes long. */
export function decodeTile(data: Uint8Array, width: number): Uint8Array[] {
  if (data.length !== width * MERKLE_HASH_SIZE) {
    throw new LogFormatError(`tile data is ${data.length} bytes, expected ${width * MERKLE_HASH_SIZE}`);
  }
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < width; i++) hashes.push(data.slice(i * MERKLE_HASH_SIZE, (i + 1) * MERKLE_HASH_SIZE));
  return hashes;
}

/**
 * Every hash tile of the tree of `size` records: at each level the full tiles, then the
 * partial one of width floor(size / 256^L) mod 256 if that is not zero.
 */
export function tilesForSize(size: number): Tile[] {
  assertCount(size, 'size');
  const tiles: Tile[] = [];
  for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    const full = Math.floor(count / TILE_WIDTH);
    for (let n = 0; n < full; n++) tiles.push({ level, n, width: TILE_WIDTH });
    if (count % TILE_WIDTH > 0) tiles.push({ level, n: full, width: count % TILE_WIDTH });
  }
  return tiles;
}

/** The entry bundles of the tree of `size` records (the same coordinates as its level-0 tiles). */
export function entryBundlesForSize(size: number): Tile[] {
  return tilesForSize(size).filter((tile) => tile.level === 0);
}

/**
 * The hash tiles that are new or wider in the tree of `newSize` than in the tree of `oldSize`:
 * what a log writes when it publishes a checkpoint for `newSize`. (Entry bundles: the level-0 ones.)
 */
export function tilesToPublish(oldSize: number, newSize: number): Tile[] {
  assertCount(oldSize, 'oldSize');
  assertCount(newSize, 'newSize');
  if (oldSize > newSize) throw new RangeError(`oldSize ${oldSize} is larger than newSize ${newSize}`);
  const tiles: Tile[] = [];
  for (let level = 0; Math.floor(newSize / TILE_WIDTH ** level) > 0; level++) {
    const oldCount = Math.floor(oldSize / TILE_WIDTH ** level);
    const newCount = Math.floor(newSize / TILE_WIDTH ** level);
    if (oldCount === newCount) continue;
    const full = Math.floor(newCount / TILE_WIDTH);
    for (let n = Math.floor(oldCount / TILE_WIDTH); n < full; n++) tiles.push({ level, n, width: TILE_WIDTH });
    if (newCount % TILE_WIDTH > 0) tiles.push({ level, n: full, width: newCount % TILE_WIDTH });
  }
  return tiles;
}

/**
 * The narrowest tile holding the stored hash `index`, and the range [start, end) of that
 * tile's hashes whose subtree hash it is (a single hash for levels 0, 8, 16, …).
 */
export function tileForStoredHashIndex(index: number): { tile: Tile; start: number; end: number } {
  const { level, n } = splitStoredHashIndex(index);
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const span = 2 ** (level - tileLevel * TILE_HEIGHT); // tile hashes under one hash at `level`
  const tileN = Math.floor((n * span) / TILE_WIDTH);
  const within = n - (tileN * TILE_WIDTH) / span;
  const tile = { level: tileLevel, n: tileN, width: (within + 1) * span };
  return { tile, start: within * span, end: (within + 1) * span };
}

// The k-th ancestor of a tile in the tree of `size`, as wide as it is in that tree; null if absent.
function tileAncestor(tile: Tile, k: number, size: number): Tile | null {
  const level = tile.level + k;
  const n = Math.floor(tile.n / TILE_WIDTH ** k);
  const available = Math.floor(size / TILE_WIDTH ** level); // hashes at tree level 8·level
  const start = n * TILE_WIDTH;
  if (start >= available) return null;
  return { level, n, width: Math.min(TILE_WIDTH, available - start) };
}

/** The tile (level, n) as it exists in the tree of `size` records (full or partial), or null. */
export function tileInTree(tile: Tile, size: number): Tile | null {
  checkTile(tile);
  assertCount(size, 'size');
  return tileAncestor(tile, 0, size);
}

// The subtree hash over a power-of-two run of tile hashes.
function hashOfTileRange(crypto: CryptoProvider, data: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start === 1) return data.slice(start * MERKLE_HASH_SIZE, end * MERKLE_HASH_SIZE);
  const middle = start + (end - start) / 2;
  return nodeHash(crypto, hashOfTileRange(crypto, data, start, middle), hashOfTileRange(crypto, data, middle, end));
}

/** The root of a full tile's subtree: the hash its parent tile holds for it. */
export function fullTileHash(crypto: CryptoProvider, data: Uint8Array): Uint8Array {
  if (data.length !== TILE_WIDTH * MERKLE_HASH_SIZE) throw new LogFormatError('a full tile is 8192 bytes');
  return hashOfTileRange(crypto, data, 0, TILE_WIDTH);
}

/** The stored hash `index`, computed from `data` of `tile` (which must contain it). */
export function hashFromTile(crypto: CryptoProvider, tile: Tile, data: Uint8Array, index: number): Uint8Array {
  checkTile(tile);
  if (data.length !== tile.width * MERKLE_HASH_SIZE) {
    throw new LogFormatError(`data of ${tilePath(tile.level, tile.n, tile.width)} must be ${tile.width * 32} bytes`);
  }
  const { tile: needed, start, end } = tileForStoredHashIndex(index);
  if (needed.level !== tile.level || needed.n !== tile.n || needed.width > tile.width) {
    throw new RangeError(`stored hash ${index} is not in ${tilePath(tile.level, tile.n, tile.width)}`);
  }
  return hashOfTileRange(crypto, data, start, end);
}

interface TileReadPlan {
  readonly tiles: Tile[];
  /** Stored hash indexes of the tree root, and the tile each one is read from. */
  readonly rootIndexes: number[];
  readonly rootTiles: number[];
  /** How many leading tiles the root depends on; later ones are checked against a parent. */
  readonly rootTileCount: number;
  readonly indexTiles: number[];
}

// After Go's tlog.TileHashReader: the tiles to recompute the root, then for each wanted hash its
// tile and the chain of full ancestor tiles up to one already listed (parents before children).
function planTileReads(size: number, indexes: readonly number[]): TileReadPlan {
  assertCount(size, 'size');
  const order = new Map<string, number>();
  const tiles: Tile[] = [];
  const add = (tile: Tile): number => {
    const known = order.get(tileKey(tile));
    if (known !== undefined) return known;
    order.set(tileKey(tile), tiles.length);
    tiles.push(tile);
    return tiles.length - 1;
  };

  const rootIndexes = treeHashIndexes(size);
  const rootTiles = rootIndexes.map((x) => add(tileAncestor(tileForStoredHashIndex(x).tile, 0, size) as Tile));
  const rootTileCount = tiles.length;

  const limit = size === 0 ? 0 : storedHashIndex(0, size);
  const indexTiles = indexes.map((x) => {
    assertCount(x, 'stored hash index');
    if (x >= limit) throw new RangeError(`stored hash ${x} is not in the tree of size ${size}`);
    const { tile } = tileForStoredHashIndex(x);
    let k = 0;
    for (; ; k++) {
      const ancestor = tileAncestor(tile, k, size);
      if (ancestor !== null && order.has(tileKey(ancestor))) break;
      if (k > MAX_ANCESTRY) throw new Error('tile planning failed to reach a root tile');
    }
    if (k === 0) return order.get(tileKey(tileAncestor(tile, 0, size) as Tile)) as number;
    let position = 0;
    for (k--; k >= 0; k--) {
      const ancestor = tileAncestor(tile, k, size) as Tile;
      // Only full tiles have parents; anything else is a bug in this planning.
      if (ancestor.width !== TILE_WIDTH) throw new Error('tile planning found a partial tile below another');
      position = add(ancestor);
    }
    return position;
  });
  return { tiles, rootIndexes, rootTiles, rootTileCount, indexTiles };
}

const MAX_ANCESTRY = 16;

function checkTileData(tiles: readonly Tile[], tileData: readonly Uint8Array[]): void {
  if (tileData.length !== tiles.length) {
    throw new RangeError(`expected data for ${tiles.length} tiles, got ${tileData.length}`);
  }
  tiles.forEach((tile, i) => {
    const data = tileData[i];
    if (!(data instanceof Uint8Array) || data.length !== tile.width * MERKLE_HASH_SIZE) {
      throw new LogFormatError(`data of ${tilePath(tile.level, tile.n, tile.width)} has the wrong length`);
    }
  });
}

function rootFromPlan(crypto: CryptoProvider, size: number, plan: TileReadPlan, data: readonly Uint8Array[]) {
  const hashes = plan.rootIndexes.map((x, i) => {
    const position = plan.rootTiles[i] as number;
    return hashFromTile(crypto, plan.tiles[position] as Tile, data[position] as Uint8Array, x);
  });
  return treeHashFrom(crypto, size, hashes);
}

/** Phase 1 of computing a tree root from tiles: the tiles to fetch (all partial, at most one per level). */
export function treeTiles(size: number): Tile[] {
  return planTileReads(size, []).tiles;
}

/**
 * Phase 2: the root of the tree of `size` records computed from the data of treeTiles(size).
 * Compare it with a signed checkpoint's root to authenticate those tiles.
 */
export function treeHashFromTiles(crypto: CryptoProvider, size: number, tileData: readonly Uint8Array[]): Uint8Array {
  const plan = planTileReads(size, []);
  checkTileData(plan.tiles, tileData);
  return size === 0 ? emptyRoot(crypto) : rootFromPlan(crypto, size, plan, tileData);
}

/**
 * Phase 1 of reading stored hashes from tiles: the tiles to fetch for the hashes at `indexes`
 * of the tree of `size` records, including those needed to authenticate them against its root.
 */
export function tilesForHashes(size: number, indexes: readonly number[]): Tile[] {
  return planTileReads(size, indexes).tiles;
}

/**
 * Phase 2: the stored hashes at `indexes`, read from the data of tilesForHashes(size, indexes)
 * after checking every tile against `root` (the root tiles by recomputing the root, the others
 * against the hash their parent tile holds). Throws a LogFormatError if any tile is inconsistent.
 */
export function hashesFromTiles(
  crypto: CryptoProvider,
  size: number,
  root: Uint8Array,
  indexes: readonly number[],
  tileData: readonly Uint8Array[],
): Uint8Array[] {
  const plan = planTileReads(size, indexes);
  checkTileData(plan.tiles, tileData);
  const computed = size === 0 ? emptyRoot(crypto) : rootFromPlan(crypto, size, plan, tileData);
  if (!bytesEqual(computed, root)) throw new LogFormatError('the tiles do not match the tree root');
  for (let i = plan.rootTileCount; i < plan.tiles.length; i++) {
    const tile = plan.tiles[i] as Tile;
    const parent = tileAncestor(tile, 1, size) as Tile;
    const position = plan.tiles.findIndex((t) => tileKey(t) === tileKey(parent));
    if (position < 0 || position >= i) throw new Error('tile planning lost a parent tile');
    const expected = hashFromTile(
      crypto,
      parent,
      tileData[position] as Uint8Array,
      storedHashIndex(TILE_HEIGHT * parent.level, tile.n),
    );
    if (!bytesEqual(expected, fullTileHash(crypto, tileData[i] as Uint8Array))) {
      throw new LogFormatError(`tile ${tilePath(tile.level, tile.n)} does not match its parent tile`);
    }
  }
  return indexes.map((x, i) => {
    const position = plan.indexTiles[i] as number;
    return hashFromTile(crypto, plan.tiles[position] as Tile, tileData[position] as Uint8Array, x);
  });
}
