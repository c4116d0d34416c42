import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bytesEqual,
  CheckpointError,
  type CryptoProvider,
  canonicalBytes,
  checkEnvelopeShape,
  decodeEntryBundle,
  decodeTile,
  entriesTilePath,
  entryBundlesForSize,
  fromBase64,
  fullTileHash,
  leafHash,
  NoteError,
  openTrustedCheckpoint,
  rootFromLeafHashes,
  signingBytesOfCanonical,
  type TlogCheckpoint,
  tilePath,
  tilesForSize,
  toBase64,
  treeHashFromTiles,
  treeTiles,
  utf8Decode,
  verifyConsistency,
  verifyEnvelope,
} from '@concord/protocol';
import { getJson, getText } from './http.js';
import { LeafPrefix, type LogPrefix } from './log-prefix.js';
import type { ReplayCheck } from './replay-checks.js';
import { TileCache } from './tile-cache.js';
import type { TrustVerifiers } from './trust.js';

export interface Divergence {
  /** The log index at fault, when the problem is one entry. */
  index?: number;
  reason: string;
}

export interface VerifyReport {
  origin: string;
  size: number;
  rootHash: string;
  cosignatures: number;
  /** Size of the checkpoint this state directory saw last time, if any. */
  previousSize: number | undefined;
  /** Whether the log provably extends the checkpoint seen last time (undefined on a first run). */
  consistentWithPrevious: boolean | undefined;
  entriesVerified: number;
  divergences: Divergence[];
}

export interface VerifyLogOptions {
  baseUrl: string;
  crypto: CryptoProvider;
  trust: TrustVerifiers;
  stateDir: string;
  /** Body schema of each event type (undefined: an unknown type). */
  bodyCheck: (type: string, body: unknown) => string | undefined;
  replayChecks: ReplayCheck[];
  progress?: { start(total: number): void; update(done: number): void; stop(): void };
}

const MAX_REPORTED = 1000;

/**
 * Verifies the whole log as an outsider: the checkpoint's signature and cosignature quorum,
 * every entry against the hash tiles, the root recomputed from the entries, consistency with
 * the checkpoint seen last time, every envelope's signature and schema, and the replay checks.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<VerifyReport> {
  const { crypto, trust } = options;
  const divergences: Divergence[] = [];
  const diverge = (divergence: Divergence) => {
    if (divergences.length < MAX_REPORTED) divergences.push(divergence);
  };

  const note = await getText(`${options.baseUrl}/log/checkpoint`);
  let opened: ReturnType<typeof openTrustedCheckpoint>;
  try {
    opened = openTrustedCheckpoint(crypto, trust, note);
  } catch (error) {
    if (!(error instanceof NoteError || error instanceof CheckpointError)) throw error;
    // No signature from any trusted key: above all, not the log's (another key, or another log).
    const reason =
      error instanceof NoteError && error.code === 'unverified_note'
        ? `checkpoint: not signed by the trusted log key ${trust.origin} (${error.message})`
        : `checkpoint: ${error.message}`;
    return {
      origin: trust.origin,
      size: 0,
      rootHash: '',
      cosignatures: 0,
      previousSize: undefined,
      consistentWithPrevious: undefined,
      entriesVerified: 0,
      divergences: [{ reason }],
    };
  }
  const { checkpoint, cosignatures } = opened;
  for (const reason of opened.problems) diverge({ reason });
  const size = checkpoint.size;
  mkdirSync(options.stateDir, { recursive: true });
  let previousSize: number | undefined;
  const report = (entriesVerified: number, consistentWithPrevious: boolean | undefined): VerifyReport => ({
    origin: checkpoint.origin,
    size,
    rootHash: toBase64(checkpoint.rootHash),
    cosignatures,
    previousSize,
    consistentWithPrevious,
    entriesVerified,
    divergences,
  });

  // Consistency with the checkpoint this state directory saw last time: the old tree must be a
  // prefix of the new one. If not, the log forked: stop here (cached tiles would be misleading).
  const statePath = join(options.stateDir, 'checkpoint.json');
  if (existsSync(statePath)) {
    const previous = JSON.parse(readFileSync(statePath, 'utf8')) as { size: number; rootHash: string };
    previousSize = previous.size;
    const rewritten = await isRewritten(options, previous, checkpoint);
    if (rewritten !== undefined) {
      diverge({ reason: rewritten });
      return report(0, false);
    }
  }
  const tiles = new TileCache(options.baseUrl, join(options.stateDir, 'tiles'));

  // The hash tiles must reproduce the signed root; their level-0 hashes name each entry's leaf.
  const rootTiles = treeTiles(size);
  const rootTileData: Uint8Array[] = [];
  for (const tile of rootTiles) rootTileData.push(await tiles.get(tilePath(tile.level, tile.n, tile.width)));
  if (size > 0 && !bytesEqual(treeHashFromTiles(crypto, size, rootTileData), checkpoint.rootHash)) {
    diverge({ reason: 'the hash tiles do not reproduce the checkpoint root (a stored tree hash was changed)' });
  }

  // Every full tile must hash to the value its parent tile holds for it (each parent read once).
  const allTiles = tilesForSize(size);
  const byPosition = new Map(allTiles.map((tile) => [`${tile.level}/${tile.n}`, tile]));
  const parentHashes = new Map<string, Uint8Array[]>();
  const PREFETCH = 32;
  const fullTiles = allTiles.filter((tile) => tile.width === 256);
  for (const [i, tile] of fullTiles.entries()) {
    // The next few tiles download while this one is checked.
    tiles.prefetch(fullTiles.slice(i, i + PREFETCH).map((next) => tilePath(next.level, next.n, next.width)));
    const parentKey = `${tile.level + 1}/${Math.floor(tile.n / 256)}`;
    const parent = byPosition.get(parentKey);
    if (parent === undefined) continue;
    let hashes = parentHashes.get(parentKey);
    if (hashes === undefined) {
      hashes = decodeTile(await tiles.get(tilePath(parent.level, parent.n, parent.width)), parent.width);
      parentHashes.set(parentKey, hashes);
    }
    const data = await tiles.get(tilePath(tile.level, tile.n, tile.width));
    if (!bytesEqual(fullTileHash(crypto, data), hashes[tile.n % 256] as Uint8Array)) {
      const first = tile.n * 256 ** (tile.level + 1);
      diverge({
        index: first,
        reason: `hash tile ${tilePath(tile.level, tile.n)} (entries from ${first}) does not match the tile above it`,
      });
    }
  }

  const leaves: Uint8Array[] = new Array(size);
  const prefix = new LeafPrefix(crypto, leaves);
  options.progress?.start(size);
  let verified = 0;
  const bundles = entryBundlesForSize(size);
  for (let b = 0; b < bundles.length; b++) {
    const bundle = bundles[b] as (typeof bundles)[number];
    tiles.prefetch(
      bundles
        .slice(b, b + PREFETCH)
        .flatMap((next) => [tilePath(0, next.n, next.width), entriesTilePath(next.n, next.width)]),
    );
    const first = bundle.n * 256;
    const hashes = decodeTile(await tiles.get(tilePath(0, bundle.n, bundle.width)), bundle.width);
    let entries: Uint8Array[];
    try {
      entries = decodeEntryBundle(await tiles.get(entriesTilePath(bundle.n, bundle.width)), bundle.width);
    } catch (error) {
      diverge({ index: first, reason: `entry bundle ${bundle.n}: ${(error as Error).message}` });
      continue;
    }
    for (let i = 0; i < entries.length; i++) {
      const index = first + i;
      const entry = entries[i] as Uint8Array;
      const leaf = leafHash(crypto, entry);
      leaves[index] = leaf;
      if (!bytesEqual(leaf, hashes[i] as Uint8Array))
        diverge({ index, reason: 'the entry does not match its leaf hash in the tree' });
      const reason = checkEntry(options, index, entry, prefix);
      if (reason !== undefined) diverge({ index, reason });
      verified++;
    }
    options.progress?.update(verified);
  }
  options.progress?.stop();
  for (const check of options.replayChecks) for (const found of check.finish?.() ?? []) diverge(found);

  if (verified === size && !bytesEqual(rootFromLeafHashes(crypto, leaves), checkpoint.rootHash)) {
    diverge({ reason: 'the entries do not reproduce the checkpoint root' });
  }

  if (divergences.length === 0) {
    writeFileSync(`${statePath}.tmp`, `${JSON.stringify({ size, rootHash: toBase64(checkpoint.rootHash), note })}\n`);
    renameSync(`${statePath}.tmp`, statePath);
  } else {
    await tiles.discard();
  }
  return report(verified, previousSize === undefined ? undefined : true);
}

/** Why the new checkpoint cannot extend the previous one, or undefined if it provably does. */
async function isRewritten(
  options: VerifyLogOptions,
  previous: { size: number; rootHash: string },
  checkpoint: TlogCheckpoint,
): Promise<string | undefined> {
  const previousRoot = fromBase64(previous.rootHash);
  if (previous.size > checkpoint.size) {
    return `the log shrank: it had ${previous.size} entries when last verified, now ${checkpoint.size}`;
  }
  if (previous.size === checkpoint.size) {
    return bytesEqual(previousRoot, checkpoint.rootHash)
      ? undefined
      : `history was rewritten: the tree of ${previous.size} entries has another root than last time`;
  }
  const { proof } = await getJson<{ proof: string[] }>(
    `${options.baseUrl}/v1/log/consistency?from=${previous.size}&to=${checkpoint.size}`,
  );
  const hashes = proof.map(fromBase64);
  return verifyConsistency(options.crypto, previous.size, checkpoint.size, previousRoot, checkpoint.rootHash, hashes)
    ? undefined
    : `history was rewritten: the checkpoint of size ${checkpoint.size} does not extend the one of size ${previous.size} seen last time`;
}

function checkEntry(options: VerifyLogOptions, index: number, entry: Uint8Array, log: LogPrefix): string | undefined {
  let envelope: ReturnType<typeof checkEnvelopeShape>;
  try {
    envelope = checkEnvelopeShape(JSON.parse(utf8Decode(entry)));
    if (!bytesEqual(canonicalBytes(envelope), entry)) return 'the entry is not in RFC 8785 canonical form';
  } catch (error) {
    return `not an envelope: ${(error as Error).message}`;
  }
  // The entry is the canonical text (checked above): its signing bytes are cut from it, not serialized again.
  const signature = verifyEnvelope(envelope, options.crypto, signingBytesOfCanonical(entry, envelope.sig));
  if (!signature.ok) return `signature: ${signature.message}`;
  const schema = options.bodyCheck(envelope.type, envelope.body);
  if (schema !== undefined) return schema;
  for (const check of options.replayChecks) {
    const reason = check.entry(index, envelope, log);
    if (reason !== undefined) return `${check.name}: ${reason}`;
  }
  return undefined;
}
