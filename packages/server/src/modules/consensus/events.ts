import type { EventRegistry } from '../events/registry.js';
import { appealFiled, juryDrawn } from './appeals.js';
import { candidateDeclared, candidateWithdrawn } from './candidates.js';
import { juryVoteCommitted, juryVoteRevealed } from './jury-votes.js';
import { panelElected } from './panels.js';
import { reportCommitted, reportRevealed } from './reports.js';
import { roundExtended, roundOpened } from './rounds.js';
import { appealRuled } from './rulings.js';
import { nominationSet, stakeReleased, stakeUnlocked } from './stake.js';
import { roundTallied } from './tally.js';
import { consensusDepositCut, consensusDepositRestored } from './verdict.js';

/** The consensus module's event types (each file defines its own; this list registers them). */
export function registerConsensusEvents(registry: EventRegistry): void {
  registry.register(candidateDeclared);
  registry.register(candidateWithdrawn);
  registry.register(nominationSet);
  registry.register(stakeUnlocked);
  registry.register(stakeReleased);
  registry.register(panelElected);
  registry.register(roundOpened);
  registry.register(roundExtended);
  registry.register(reportCommitted);
  registry.register(reportRevealed);
  registry.register(appealFiled);
  registry.register(juryDrawn);
  registry.register(juryVoteCommitted);
  registry.register(juryVoteRevealed);
  registry.register(appealRuled);
  registry.register(roundTallied);
  registry.register(consensusDepositCut);
  registry.register(consensusDepositRestored);
}
