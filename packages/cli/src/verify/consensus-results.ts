import {
  backingOf,
  classifyReportReveals,
  drawJury,
  drawStage,
  type Envelope,
  electionInputOf,
  juryPool,
  juryStakes,
  outranks,
  resultDigest,
  roundRewards,
  type StageDraw,
  seqPhragmen,
  sumByParty,
  tallyStage,
  toHex,
  validateReport,
} from '@concord/protocol';
import { type ConsensusPolicy, cycleOf, DEFAULT_CONSENSUS_POLICY, JUROR_EP_MIN } from '@concord/server';
import { ConsensusState, panelKeyOf, type ReplayRound } from './consensus-state.js';
import type { LogPrefix } from './log-prefix.js';
import type { ReplayCheck } from './replay-checks.js';

/**
 * Replays the results the operator publishes as it runs the consensus rules (DESIGN §8, issue 7:
 * "`concord verify` recomputes every one from earlier log entries"): each panel election
 * (`consensus.panel.elected`), each draw of a round's testers (`consensus.round.opened`,
 * `consensus.round.extended`, seeded by the root of the named tree size, which the verifier
 * recomputes from the entries), each tally with the rewards of a decided round
 * (`consensus.round.tallied`). Each is recomputed with the protocol's rules from the state the
 * earlier entries built (consensus-state.ts) and its digest compared with the published one; a
 * result that differs is a divergence. After each, the state moves on as the server's handler
 * moved it: seats, deadlines, reveal statuses, completed tests (experience) and slashed stake.
 */

const DAY_MS = 86_400_000;

interface Body {
  [key: string]: unknown;
}

/** `state` is shared with the rulings' replay (consensus-rulings.ts), which reads the jurors' stakes. */
export function consensusResults(
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
  state: ConsensusState = new ConsensusState(policy),
): ReplayCheck {
  return {
    name: 'consensus-results',
    entry(index, envelope, log) {
      try {
        state.fold(envelope);
        return replay(state, policy, envelope, index, log);
      } catch (error) {
        return `${envelope.type} cannot be replayed: ${(error as Error).message}`;
      }
    },
  };
}

function replay(
  state: ConsensusState,
  policy: ConsensusPolicy,
  envelope: Envelope,
  index: number,
  log: LogPrefix,
): string | undefined {
  const body = envelope.body as Body;
  const atMs = Date.parse(envelope.ts);
  switch (envelope.type) {
    case 'consensus.panel.elected':
      return election(state, policy, body, atMs);
    case 'consensus.round.opened':
      return opening(state, policy, body, atMs, index, log);
    case 'consensus.round.extended':
      return extension(state, policy, body, atMs);
    case 'consensus.report.committed': {
      const seat = roundOf(state, body).seats.get(envelope.actor);
      if (seat === undefined) return `${envelope.actor} commits in round ${String(body.roundId)} without being drawn`;
      seat.commit = String(body.commit);
      seat.committedAtMs = atMs;
      return undefined;
    }
    case 'consensus.report.revealed':
      return reveal(roundOf(state, body), envelope.actor, body, atMs);
    case 'consensus.round.tallied':
      return tally(state, policy, body, atMs);
    case 'consensus.jury.drawn':
      return juryDraw(state, policy, body, index, log);
    default:
      return undefined;
  }
}

function roundOf(state: ConsensusState, body: Body): ReplayRound {
  const round = state.rounds.get(String(body.roundId));
  if (round === undefined) throw new Error(`round ${String(body.roundId)} was never opened on the log`);
  return round;
}

function election(state: ConsensusState, policy: ConsensusPolicy, body: Body, atMs: number): string | undefined {
  const category = String(body.category);
  const cycle = Number(body.cycle);
  if (cycle !== cycleOf(new Date(atMs)))
    return `the panel of ${category} names cycle ${cycle}, signed in cycle ${cycleOf(new Date(atMs))}`;
  const key = panelKeyOf(cycle, category);
  if (state.panels.has(key)) return `a second panel of ${category} for cycle ${cycle}`;
  const result = seqPhragmen(
    electionInputOf(state.eligibleCandidates(category), state.stakedNominations(), policy.panelSeats),
  );
  state.panels.set(key, { result, electedAtMs: atMs });
  const digest = resultDigest(result);
  const elected = result.elected.map((winner) => winner.candidate);
  if (digest !== body.digest || elected.join() !== (body.elected as string[]).join())
    return `the election of ${category} for cycle ${cycle} elects ${elected.join(', ') || 'nobody'} (digest ${digest}), not the published ${(body.elected as string[]).join(', ')} (${String(body.digest)})`;
  return undefined;
}

/** The draw of `round`'s stage `stage` from its panel (undefined: the round's category has none). */
function drawOf(
  state: ConsensusState,
  policy: ConsensusPolicy,
  round: Pick<ReplayRound, 'id' | 'producer' | 'category' | 'cycle' | 'checkpointRoot' | 'seats'>,
  stage: number,
  count: number,
): StageDraw | undefined {
  const panel = state.panels.get(panelKeyOf(round.cycle, round.category));
  if (panel === undefined) return undefined;
  const seats = panel.result.elected.map((winner) => ({
    tester: winner.candidate,
    backedStakeFen: BigInt(winner.backedStakeFen),
  }));
  const excluded = state.conflicts(round.producer, round.cycle);
  for (const tester of round.seats.keys()) excluded.add(tester);
  // Experience as of the panel's election, as the server weighs it.
  const experience = state.experience(
    seats.filter((seat) => !excluded.has(seat.tester)).map((seat) => seat.tester),
    panel.electedAtMs,
  );
  return drawStage({
    roundId: round.id,
    stage,
    checkpointRoot: round.checkpointRoot,
    count,
    seats,
    excluded,
    experience,
    weightPolicy: policy.weight,
  });
}

function deadlines(round: ReplayRound, policy: ConsensusPolicy, atMs: number): void {
  round.commitDeadlineMs = atMs + policy.commitDays * DAY_MS;
  round.revealDeadlineMs = round.commitDeadlineMs + policy.revealDays * DAY_MS;
}

function opening(
  state: ConsensusState,
  policy: ConsensusPolicy,
  body: Body,
  atMs: number,
  index: number,
  log: LogPrefix,
): string | undefined {
  const id = String(body.roundId);
  if (state.rounds.has(id)) return `round ${id} is opened twice`;
  const product = state.products.get(String(body.productId));
  if (product === undefined) return `round ${id} tests product ${String(body.productId)}, never published`;
  const root = log.rootAt(Number(body.checkpointSize), index);
  if (root === undefined)
    return `round ${id} is seeded by a tree of ${String(body.checkpointSize)} entries, which the log did not have before it`;
  const round: ReplayRound = {
    id,
    productId: String(body.productId),
    producer: product.producer,
    category: product.category,
    modelKey: product.modelKey,
    cycle: cycleOf(new Date(atMs)),
    stage: 0,
    checkpointRoot: toHex(root),
    commitDeadlineMs: 0,
    revealDeadlineMs: 0,
    status: 'open',
    seats: new Map(),
  };
  deadlines(round, policy, atMs);
  const draw = drawOf(state, policy, round, 0, policy.initialDraw);
  state.rounds.set(id, round);
  if (draw === undefined)
    return `round ${id} is drawn from the ${round.category} panel of cycle ${round.cycle}, never elected`;
  for (const seat of draw.drawn) state.seat(round, seat.tester, seat.weight);
  return draw.digest === body.digest ? undefined : drawMismatch(round, draw, body);
}

function extension(state: ConsensusState, policy: ConsensusPolicy, body: Body, atMs: number): string | undefined {
  const round = roundOf(state, body);
  if (Number(body.stage) !== round.stage + 1)
    return `round ${round.id} extends to stage ${String(body.stage)} from stage ${round.stage}`;
  const draw = drawOf(state, policy, round, round.stage + 1, Number(body.count));
  round.stage += 1;
  deadlines(round, policy, atMs);
  if (draw === undefined) return `round ${round.id} is extended without a panel`;
  for (const seat of draw.drawn) state.seat(round, seat.tester, seat.weight);
  return draw.digest === body.digest ? undefined : drawMismatch(round, draw, body);
}

const drawMismatch = (round: ReplayRound, draw: StageDraw, body: Body) =>
  `the draw of round ${round.id} at stage ${round.stage} is ${draw.result.drawn.join(', ') || 'nobody'} (digest ${draw.digest}), not the published digest ${String(body.digest)}`;

function reveal(round: ReplayRound, tester: string, body: Body, atMs: number): string | undefined {
  const seat = round.seats.get(tester);
  if (seat === undefined || seat.commit === null || seat.committedAtMs === null)
    return `${tester} reveals in round ${round.id} without a commit`;
  const report = validateReport(body.report, 'report');
  const salt = String(body.salt);
  const [outcome] = classifyReportReveals({
    round: round.id,
    participants: [tester],
    commits: [{ participant: tester, commit: seat.commit, atMs: seat.committedAtMs }],
    reveals: [{ participant: tester, payload: report, salt, atMs }],
    commitDeadlineMs: round.commitDeadlineMs,
    revealDeadlineMs: round.revealDeadlineMs,
  });
  const status = outcome?.status ?? 'missing';
  // The seat keeps the tester's best reveal, as the server's does.
  if (outranks(status, seat.revealStatus)) {
    Object.assign(seat, { report, salt, revealedAtMs: atMs, revealStatus: status });
  }
  return undefined;
}

function tally(state: ConsensusState, policy: ConsensusPolicy, body: Body, atMs: number): string | undefined {
  const round = roundOf(state, body);
  if (round.status !== 'open') return `round ${round.id} is tallied again after it was ${round.status}`;
  if (Number(body.stage) !== round.stage)
    return `round ${round.id} is tallied at stage ${String(body.stage)}, its stage is ${round.stage}`;
  if (atMs <= round.revealDeadlineMs) return `round ${round.id} is tallied before its reveal deadline`;
  const product = state.products.get(round.productId);
  const model = state.models.get(round.modelKey);
  if (product === undefined || model === undefined) return `round ${round.id}: its product or model is not on the log`;
  const next = drawOf(state, policy, round, round.stage + 1, 1);
  const computed = tallyStage({
    roundId: round.id,
    stage: round.stage,
    commitDeadlineMs: round.commitDeadlineMs,
    revealDeadlineMs: round.revealDeadlineMs,
    testers: [...round.seats.values()],
    attributes: model.attributes,
    claims: product.claims,
    drawableCount: (next?.weights ?? []).filter((w) => w.weight > 0).length,
    policy: policy.tally,
  });
  for (const t of computed.testers) {
    const seat = round.seats.get(t.tester);
    if (seat !== undefined) seat.revealStatus = t.status;
  }
  const { tally: result, digest } = computed;
  if (digest !== body.digest || result.decision !== body.decision || result.verdict !== body.verdict)
    return `the tally of round ${round.id} at stage ${round.stage} is ${result.decision} / ${result.verdict} (digest ${digest}), not the published ${String(body.decision)} / ${String(body.verdict)} (${String(body.digest)})`;
  if (result.decision === 'inconclusive') round.status = 'inconclusive';
  if (result.decision !== 'decided') {
    return body.rewardsDigest === undefined
      ? undefined
      : `round ${round.id} is not decided, yet its tally names rewards`;
  }
  round.status = 'decided';
  const testers = computed.testers.map((t) => t.tester);
  const commissions = state.candidates.get(round.category) ?? new Map<string, number>();
  const panel = state.panels.get(panelKeyOf(round.cycle, round.category));
  const backing = backingOf(testers, panel?.result, state.stakedNominations());
  const rewards = roundRewards(computed.testers, commissions, backing, policy.reward);
  state.rewardInputs.set(round.id, rewards.inputs);
  for (const t of rewards.rewards.testers) {
    state.recordTest(t.tester, round.id, { accuracy: t.accuracy, penalty: t.epPenalty, completedAtMs: atMs });
  }
  for (const [party, amount] of sumByParty(rewards.rewards.slashes, (leg) => leg.amountFen)) state.slash(party, amount);
  if (rewards.digest !== body.rewardsDigest)
    return `the rewards of round ${round.id} have digest ${rewards.digest}, not the published ${String(body.rewardsDigest)}`;
  return undefined;
}

/** A jury draw, recomputed from the case, the experience as of its filing and the seeding root. */
function juryDraw(
  state: ConsensusState,
  policy: ConsensusPolicy,
  body: Body,
  index: number,
  log: LogPrefix,
): string | undefined {
  const caseId = String(body.caseId);
  const instance = Number(body.instance);
  const found = state.cases.get(caseId);
  // The published jurors' stakes: the nominations naming them, as the entries before the draw
  // left them. Kept even when the draw itself diverges, so its ruling can still be replayed.
  const stakes = juryStakes(caseId, instance, body.jurors as string[], state.stakedNominations());
  found?.stakes.set(instance, stakes);
  const filedAtMs = found?.filedAtMs.get(instance);
  const round = found === undefined ? undefined : state.rounds.get(found.roundId);
  if (found === undefined || filedAtMs === undefined || round === undefined)
    return `the jury of ${caseId} instance ${instance} is drawn for an appeal the log never filed`;
  const root = log.rootAt(Number(body.checkpointSize), index);
  if (root === undefined)
    return `the jury of ${caseId} is seeded by a tree of ${String(body.checkpointSize)} entries, which the log did not have before it`;
  // Experts and experienced testers, weighed as of the filing.
  const holders = state.holders(['expert', 'tester']);
  const pool = juryPool(
    holders,
    state.experience(
      holders.map((holder) => holder.did),
      filedAtMs,
    ),
    JUROR_EP_MIN,
  );
  const expert = state.modelExperts.get(round.modelKey);
  const exclude = new Set([
    round.producer,
    ...(expert === undefined ? [] : [expert]),
    ...round.seats.keys(),
    ...found.appellants,
    ...found.jurors,
  ]);
  const draw = drawJury({
    checkpointRoot: toHex(root),
    caseId,
    instance,
    pool,
    exclude: [...exclude],
    policy: policy.jury,
  });
  for (const juror of draw.drawn) found.jurors.add(juror);
  const digest = resultDigest(draw);
  if (digest !== body.digest || draw.drawn.join() !== (body.jurors as string[]).join())
    return `the jury of ${caseId} instance ${instance} is ${draw.drawn.join(', ')} (digest ${digest}), not the published ${(body.jurors as string[]).join(', ')} (${String(body.digest)})`;
  const stakesDigest = resultDigest(stakes);
  if (stakesDigest !== body.stakesDigest)
    return `the jurors of ${caseId} instance ${instance} serve with stakes of digest ${stakesDigest}, not the published ${String(body.stakesDigest)}`;
  return undefined;
}
