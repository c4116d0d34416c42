import {
  type AppealBond,
  appealBondFen,
  type CommitRecord,
  type Envelope,
  type JuryVote,
  jurorSeatsOf,
  juryRoundId,
  type RevealRecord,
  resultDigest,
  ruleAppeal,
  sumByParty,
} from '@concord/protocol';
import { caseIdOf, JURY_COMMIT_DAYS, JURY_REVEAL_DAYS } from '@concord/server';
import type { ConsensusState } from './consensus-state.js';
import type { ReplayCheck } from './replay-checks.js';

/**
 * Replays every appeal ruling from the log (DESIGN §8.5: "`concord verify` recomputes every one
 * from earlier log entries"): the appellant's bond from its filing, the jury the platform's draw
 * envelope names, the deadlines from that envelope's time, and every juror's signed commit and
 * reveal with its own time; then `ruleAppeal`, whose digest and ruling must be the ones the
 * operator published. A ruling that names another digest, or a ruling of a case the log never
 * drew, is a divergence.
 */

const DAY_MS = 86_400_000;

interface Instance {
  bonds: AppealBond[];
  jurors?: string[];
  commitDeadlineMs?: number;
  revealDeadlineMs?: number;
  commits: CommitRecord[];
  reveals: RevealRecord<JuryVote>[];
}

const keyOf = (caseId: unknown, instance: unknown) => `${String(caseId)}#${String(instance)}`;

/**
 * `state` is the consensus results' replay state (consensus-results.ts folds it before this check
 * sees an entry): it holds the stakes each jury was drawn with, and takes the rulings' slashes.
 */
export function consensusRulings(state: ConsensusState): ReplayCheck {
  const instances = new Map<string, Instance>();
  const instanceOf = (caseId: unknown, instance: unknown) => {
    const key = keyOf(caseId, instance);
    let found = instances.get(key);
    if (found === undefined) {
      found = { bonds: [], commits: [], reveals: [] };
      instances.set(key, found);
    }
    return found;
  };
  return {
    name: 'consensus-rulings',
    entry(_index, envelope: Envelope) {
      const body = envelope.body as Record<string, unknown>;
      const atMs = Date.parse(envelope.ts);
      switch (envelope.type) {
        case 'consensus.appeal.filed': {
          const instance = Number(body.instance);
          instanceOf(caseIdOf(String(body.roundId)), instance).bonds.push({
            party: envelope.actor,
            side: 'overturn',
            amountFen: appealBondFen(instance),
          });
          return undefined;
        }
        case 'consensus.jury.drawn': {
          const seat = instanceOf(body.caseId, body.instance);
          seat.jurors = body.jurors as string[];
          seat.commitDeadlineMs = atMs + JURY_COMMIT_DAYS * DAY_MS;
          seat.revealDeadlineMs = seat.commitDeadlineMs + JURY_REVEAL_DAYS * DAY_MS;
          return undefined;
        }
        case 'consensus.jury.committed':
          instanceOf(body.caseId, body.instance).commits.push({
            participant: envelope.actor,
            commit: String(body.commit),
            atMs,
          });
          return undefined;
        case 'consensus.jury.revealed':
          instanceOf(body.caseId, body.instance).reveals.push({
            participant: envelope.actor,
            payload: {
              round: juryRoundId(String(body.caseId), Number(body.instance)),
              juror: envelope.actor,
              vote: body.vote as JuryVote['vote'],
            },
            salt: String(body.salt),
            atMs,
          });
          return undefined;
        case 'consensus.appeal.ruled':
          return checkRuling(state, instanceOf(body.caseId, body.instance), body);
        default:
          return undefined;
      }
    },
  };
}

function checkRuling(state: ConsensusState, seat: Instance, body: Record<string, unknown>): string | undefined {
  const stakes = state.cases.get(String(body.caseId))?.stakes.get(Number(body.instance));
  if (
    seat.jurors === undefined ||
    stakes === undefined ||
    seat.commitDeadlineMs === undefined ||
    seat.revealDeadlineMs === undefined
  )
    return `a ruling of ${String(body.caseId)} instance ${String(body.instance)}, whose jury the log never drew`;
  let ruling: ReturnType<typeof ruleAppeal>;
  try {
    ruling = ruleAppeal({
      caseId: String(body.caseId),
      instance: Number(body.instance),
      jurors: jurorSeatsOf(stakes.jurors),
      commits: seat.commits,
      reveals: seat.reveals,
      commitDeadlineMs: seat.commitDeadlineMs,
      revealDeadlineMs: seat.revealDeadlineMs,
      bonds: seat.bonds,
    });
  } catch (error) {
    return `the ruling of ${String(body.caseId)} cannot be recomputed: ${(error as Error).message}`;
  }
  // The incoherent jurors' backers lose stake as the server's handler took it (juror-stakes.ts).
  for (const [party, amount] of sumByParty(ruling.slashes, (leg) => leg.amountPoints)) state.slash(party, amount);
  const digest = resultDigest(ruling);
  if (digest !== body.digest || ruling.ruling !== body.ruling)
    return `the ruling of ${String(body.caseId)} instance ${String(body.instance)} is ${ruling.ruling} (digest ${digest}), not the published ${String(body.ruling)} (${String(body.digest)})`;
  return undefined;
}
