import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes } from '../canonical/canonicalize.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { byId, checkCount, checkDistinct, checkId, checkList } from './checks.js';
import { ConsensusError } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

/**
 * Sortition (DESIGN §8.2): a round's testers, and an appeal's jurors, are drawn at random but
 * recomputably. The randomness is the root of a checkpoint published after the panel was fixed,
 * so nobody — the operator included — could choose it, and anyone holding the checkpoint can redo
 * the draw and must get the same names.
 */

/** Number weights count in millionths: weight 1.5 is 1,500,000 units. */
export const SORTITION_WEIGHT_UNITS = 1_000_000;
const SEED_DOMAIN = 'concord.sortition.v1';
const CHECKPOINT_ROOT_BYTES = 32;
const SPACE = 1n << 256n;

export interface SortitionEntry {
  readonly id: string;
  /**
   * Chance of being drawn, relative to the others. A number is counted in millionths
   * (floor(weight × 10⁶)); a bigint is taken as integer units already. A panel uses one or the
   * other, not both. Zero never gets drawn.
   */
  readonly weight: number | bigint;
}

export interface SortitionInput {
  /** The published checkpoint's Merkle root: 32 bytes, or their 64 hex digits. */
  readonly checkpointRoot: string | Uint8Array;
  /** The round (or appeal case) the draw is for. */
  readonly roundId: string;
  /** 0 for a round's first draw; 1, 2… for each extension; the instance for a jury. */
  readonly stage?: number | undefined;
  readonly panel: readonly SortitionEntry[];
  /** How many to draw; fewer come back when fewer are eligible. */
  readonly count: number;
  /** Never drawn: conflicts of interest, and those drawn at earlier stages of the round. */
  readonly exclude?: readonly string[] | undefined;
}

/** JSON-safe: what a verifier recomputes and compares. */
export interface SortitionResult {
  readonly checkpointRoot: string;
  readonly roundId: string;
  readonly stage: number;
  /** Hex of the 32-byte seed the stream is derived from. */
  readonly seed: string;
  readonly requested: number;
  /** Distinct ids in the order drawn. */
  readonly drawn: string[];
}

/**
 * The seed of a draw: SHA-256 of the canonical JSON of
 * {domain: "concord.sortition.v1", checkpointRoot: hex, roundId, stage}. Canonical JSON keeps the
 * fields apart (no "ab"+"c" = "a"+"bc" ambiguity) and names the rule's version.
 */
export function sortitionSeed(checkpointRoot: string | Uint8Array, roundId: string, stage = 0): Uint8Array {
  const root = rootHex(checkpointRoot);
  checkId(roundId, 'roundId');
  checkCount(stage, 'stage', 0, 1_000_000);
  return sha256(canonicalBytes({ domain: SEED_DOMAIN, checkpointRoot: root, roundId, stage }));
}

/**
 * A stream of uniform integers from a seed: block i is SHA-256(seed ‖ i as 8 bytes big-endian),
 * read as a 256-bit unsigned integer. `below(n)` rejects blocks ≥ the largest multiple of n under
 * 2²⁵⁶ and reduces the rest mod n, so each of 0…n−1 is exactly equally likely.
 */
export class SeededStream {
  private readonly seed: Uint8Array;
  private counter = 0;

  constructor(seed: Uint8Array) {
    if (!(seed instanceof Uint8Array) || seed.length === 0) {
      throw new ConsensusError('invalid_seed', 'seed', 'a seed is non-empty bytes');
    }
    this.seed = seed;
  }

  /** The next 256-bit block as an integer. */
  next(): bigint {
    const message = new Uint8Array(this.seed.length + 8);
    message.set(this.seed);
    new DataView(message.buffer).setBigUint64(this.seed.length, BigInt(this.counter++));
    return BigInt(`0x${toHex(sha256(message))}`);
  }

  /** A uniform integer in [0, bound). */
  below(bound: bigint): bigint {
    if (typeof bound !== 'bigint' || bound <= 0n || bound > SPACE) {
      throw new ConsensusError('invalid_count', 'bound', 'the bound is a positive bigint up to 2^256');
    }
    const limit = SPACE - (SPACE % bound);
    for (;;) {
      const block = this.next();
      if (block < limit) return block % bound;
    }
  }
}

/**
 * Draws up to `count` distinct entries of `panel`, each draw weighted by the weights of those not
 * yet drawn (weighted sampling without replacement): the entries are taken in id order, a uniform
 * r in [0, Σ weights) is drawn from the seeded stream, and the entry whose running total first
 * passes r is drawn and removed. Excluded ids and zero weights are removed first; ids in
 * `exclude` need not be in the panel.
 *
 * The result depends only on the checkpoint root, the round id, the stage and the panel as a set.
 *
 * Throws `ConsensusError`: `invalid_seed` (not a 32-byte root), `invalid_id`, `duplicate_id`,
 * `invalid_number` (a negative, non-finite or mixed-type weight), `invalid_count`, `too_many`.
 */
export function drawSortition(input: SortitionInput): SortitionResult {
  const stage = input.stage ?? 0;
  const seed = sortitionSeed(input.checkpointRoot, input.roundId, stage);
  const count = checkCount(input.count, 'count', 0, CONSENSUS_LIMITS.drawMax);
  const panel = checkList(input.panel, 'panel', CONSENSUS_LIMITS.panelMax);
  const exclude = new Set(
    checkList(input.exclude ?? [], 'exclude', CONSENSUS_LIMITS.panelMax).map((id, index) =>
      checkId(id, `exclude[${index}]`),
    ),
  );
  const entries = panelUnits(panel);
  checkDistinct(
    entries.map((entry) => entry.id),
    'panel',
  );
  const eligible = entries
    .filter((entry) => entry.units > 0n && !exclude.has(entry.id))
    .sort((a, b) => byId(a.id, b.id));
  let total = eligible.reduce((sum, entry) => sum + entry.units, 0n);
  const stream = new SeededStream(seed);
  const drawn: string[] = [];
  while (drawn.length < count && eligible.length > 0) {
    const r = stream.below(total);
    let running = 0n;
    let pick = 0;
    for (; pick < eligible.length - 1; pick++) {
      running += eligible[pick]!.units;
      if (r < running) break;
    }
    const [chosen] = eligible.splice(pick, 1);
    drawn.push(chosen!.id);
    total -= chosen!.units;
  }
  return {
    checkpointRoot: rootHex(input.checkpointRoot),
    roundId: input.roundId,
    stage,
    seed: toHex(seed),
    requested: count,
    drawn,
  };
}

function panelUnits(panel: readonly SortitionEntry[]): { id: string; units: bigint }[] {
  let kind: 'number' | 'bigint' | undefined;
  return panel.map((entry, index) => {
    const at = `panel[${index}]`;
    const id = checkId(entry.id, `${at}.id`);
    const weight = entry.weight;
    if (kind !== undefined && typeof weight !== kind) {
      throw new ConsensusError('invalid_number', `${at}.weight`, 'weights are all numbers or all bigints');
    }
    if (typeof weight === 'bigint') {
      kind = 'bigint';
      if (weight < 0n) throw new ConsensusError('invalid_number', `${at}.weight`, 'a weight cannot be negative');
      return { id, units: weight };
    }
    kind = 'number';
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ConsensusError('invalid_number', `${at}.weight`, 'a weight is a finite number ≥ 0');
    }
    // One exactly rounded product, then floor: the same integer in every engine.
    return { id, units: BigInt(Math.floor(weight * SORTITION_WEIGHT_UNITS)) };
  });
}

function rootHex(checkpointRoot: string | Uint8Array): string {
  let bytes: Uint8Array;
  try {
    bytes = typeof checkpointRoot === 'string' ? fromHex(checkpointRoot) : checkpointRoot;
  } catch {
    throw new ConsensusError('invalid_seed', 'checkpointRoot', 'the checkpoint root is hex');
  }
  if (!(bytes instanceof Uint8Array) || bytes.length !== CHECKPOINT_ROOT_BYTES) {
    throw new ConsensusError('invalid_seed', 'checkpointRoot', 'a checkpoint root is 32 bytes (64 hex digits)');
  }
  return toHex(bytes);
}
