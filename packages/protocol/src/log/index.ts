// The transparency log: RFC 9162 Merkle hashing and proofs over Go tlog's stored-hash model,
// served as C2SP tlog-tiles.
export { decodeEntryBundle, encodeEntryBundle, MAX_ENTRY_SIZE } from './entry-bundle.js';
export { LogFormatError } from './log-error.js';
export { MemoryHashStore } from './memory-store.js';
export { emptyRoot, leafHash, MERKLE_HASH_SIZE, nodeHash, rootFromLeafHashes } from './merkle.js';
export { recordProofFrom, recordProofIndexes, treeProofFrom, treeProofIndexes } from './proofs.js';
export {
  splitStoredHashIndex,
  storedHashCount,
  storedHashes,
  storedHashesFrom,
  storedHashesIndexes,
  storedHashIndex,
  treeHashFrom,
  treeHashIndexes,
} from './stored-hashes.js';
export {
  entriesTilePath,
  MAX_TILE_LEVEL,
  type ParsedTilePath,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  tilePath,
} from './tile-paths.js';
export {
  decodeTile,
  encodeTile,
  entryBundlesForSize,
  fullTileHash,
  hashesFromTiles,
  hashFromTile,
  tileForStoredHashIndex,
  tileHashIndexes,
  tileInTree,
  tilesForHashes,
  tilesForSize,
  tilesToPublish,
  treeHashFromTiles,
  treeTiles,
} from './tiles.js';
export {
  consistencyProofSize,
  inclusionProofSize,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify-proofs.js';
