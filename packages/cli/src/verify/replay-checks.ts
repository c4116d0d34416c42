import type { Envelope } from '@concord/protocol';
import { DEFAULT_CONSENSUS_POLICY } from '@concord/server';
import { consensusResults } from './consensus-results.js';
import { consensusRulings } from './consensus-rulings.js';
import { ConsensusState } from './consensus-state.js';
import type { LogPrefix } from './log-prefix.js';
import { SettlementCycles } from './settlement-cycles.js';

/**
 * A rule engine's replay: it sees every verified entry in log order and reports where the log
 * disagrees with its rules. Later features (verdicts, settlements) register theirs here.
 */
export interface ReplayCheck {
  readonly name: string;
  /** A reason when entry `index` breaks the rule, else undefined. */
  entry(index: number, envelope: Envelope, log: LogPrefix): string | undefined;
  /** Divergences found only at the end (e.g. a derived result that never matched). */
  finish?(): { index?: number; reason: string }[];
}

/** No (actor, nonce) appears twice: the server's replay protection, checked from the log alone. */
export function uniqueNonces(): ReplayCheck {
  const seen = new Map<string, number>();
  return {
    name: 'unique-nonces',
    entry(index, envelope) {
      const key = `${envelope.actor}\n${envelope.nonce}`;
      const first = seen.get(key);
      if (first !== undefined) return `nonce ${envelope.nonce} of ${envelope.actor} was already used by entry ${first}`;
      seen.set(key, index);
      return undefined;
    },
  };
}

/**
 * Every replay check, and the settlement cycles' (which fetch each cycle's inputs once the log
 * is read: `settlement.check`). The rulings read the jurors' stakes, and the cycles the rounds'
 * reward inputs and the catalogue each order was placed against, from the results' replay, which
 * sees each entry first.
 */
export function defaultReplayChecks(): { checks: ReplayCheck[]; settlement: SettlementCycles } {
  const state = new ConsensusState(DEFAULT_CONSENSUS_POLICY);
  const settlement = new SettlementCycles(state);
  return {
    checks: [uniqueNonces(), consensusResults(DEFAULT_CONSENSUS_POLICY, state), consensusRulings(state), settlement],
    settlement,
  };
}
