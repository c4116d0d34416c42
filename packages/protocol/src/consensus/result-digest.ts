import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes } from '../canonical/canonicalize.js';
import { toHex } from '../encoding/bytes.js';
import type { RulingResult } from './jury.js';
import type { PhragmenResult } from './phragmen.js';
import type { RewardResult } from './rewards.js';
import type { JuryStakes } from './round-rules.js';
import type { SortitionResult } from './sortition.js';
import type { TallyResult } from './tally.js';

/**
 * Replay (DESIGN §8, "code is law"): the operator publishes each election, draw, tally, reward and
 * ruling in a signed envelope with its digest; `concord verify` recomputes the result from earlier
 * log entries and compares digests. Every result here is plain JSON — amounts as decimal strings,
 * since canonical JSON has no bigint — so its digest is well defined.
 */
export type ConsensusResult = PhragmenResult | SortitionResult | TallyResult | RewardResult | RulingResult | JuryStakes;

/**
 * Hex SHA-256 of the result's canonical bytes (RFC 8785, integers within ±(2⁵³−1)). Equal
 * results give equal digests whatever their member order; a changed amount, id or verdict
 * changes it. Throws `CanonicalError` for what is not plain JSON (a bigint, a NaN).
 */
export function resultDigest(result: ConsensusResult): string {
  return toHex(sha256(canonicalBytes(result)));
}
