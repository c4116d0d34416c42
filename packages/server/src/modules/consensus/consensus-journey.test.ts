import {
  drawJury,
  drawSortition,
  type RewardResult,
  type RewardTester,
  resultDigest,
  rewardRound,
  roundWeights,
  seqPhragmen,
  type TallyResult,
  type TestReport,
  tallyRound,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, signIn, type TestApp } from '../../test-support/app.js';
import { bearer, riceClaims, riceModel } from '../../test-support/commerce.js';
import {
  type ConsensusJourney,
  consensusJourney,
  FAILING_MEASUREMENTS,
  type JourneyTester,
  PASSING_MEASUREMENTS,
} from '../../test-support/consensus-journey.js';
import { DAY_MS } from '../../test-support/shopping.js';
import { ledgerViolations } from '../accounting/ledger.js';
import { latestCheckpoint } from '../log/checkpoints.js';
import { findPayment } from '../payments/service.js';

/**
 * A whole consensus round through the API and the platform's jobs (test-support/consensus-journey):
 * election → round → purchases → commits → reveals → tally → verdict and rewards, and for a
 * failed product the producer's appeal → jury → ruling. Each scenario has its own app: one
 * journey, one log.
 */

const bodiesOf = async (t: TestApp, type: string) =>
  (
    await rows<{ body: Record<string, unknown> }>(
      t.ctx.database.db,
      sql`select envelope->'body' as body from events where type = ${type} order by id`,
    )
  ).map((row) => row.body);

const didsOf = (testers: readonly JourneyTester[]) => testers.map((tester) => tester.member.pair.did);

/** The tally as anyone recomputes it from the round's public view: the valid reveals with the drawn weights. */
function retally(j: ConsensusJourney): TallyResult {
  const { round } = j.steps.afterTally;
  return tallyRound({
    attributes: riceModel(j.category).attributes,
    claims: riceClaims(),
    reports: round.testers
      .filter((seat) => seat.revealStatus === 'valid')
      .map((seat) => ({ tester: seat.tester, weight: seat.weight, values: (seat.report as TestReport).values })),
    drawnCount: round.testers.length,
    // The whole panel was drawn but the producer, who never is: nobody is left to extend with.
    drawableCount: 0,
  });
}

interface StoredRewards {
  rewards: RewardResult;
  inputs: {
    backing: string;
    testers: (Omit<RewardTester, 'selfStakeFen' | 'nominators'> & {
      selfStakeFen: string;
      nominators: { nominator: string; stakeFen: string }[];
    })[];
  };
  shares: { tester: string; share: number; fraction: number }[];
  slashes: { party: string; amountPoints: string; slashedPoints: string }[];
}

const rewardsOf = (j: ConsensusJourney, when = j.steps.afterTally) => {
  const stored = when.results.rewards;
  if (stored === null) throw new Error('no rewards published');
  return { digest: stored.digest, ...(stored.result as unknown as StoredRewards) };
};

/** Reruns rewardRound on the published inputs (with the pool of 0 the round is decided with). */
const rerunRewards = (stored: StoredRewards) =>
  rewardRound({
    poolFen: 0n,
    testers: stored.inputs.testers.map((tester) => ({
      ...tester,
      selfStakeFen: BigInt(tester.selfStakeFen),
      nominators: tester.nominators.map((n) => ({ nominator: n.nominator, stakeFen: BigInt(n.stakeFen) })),
    })),
  });

describe('a round that passes: election, round, purchases, commit–reveal, tally, verdict and rewards', () => {
  let t: TestApp;
  let j: ConsensusJourney;
  const inaccurate = () => j.testers[6] as JourneyTester;

  beforeAll(async () => {
    t = await createTestApp();
    j = await consensusJourney(t, { measurements: PASSING_MEASUREMENTS });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('elects the panel by the election job from the declared candidates and the points holders’ nominations', async () => {
    const standing = [j.producer.pair.did, ...didsOf(j.testers)];
    expect(j.steps.candidates.map((c) => c.did).sort()).toEqual([...standing].sort());
    for (const candidate of j.steps.candidates) {
      expect(candidate).toMatchObject({ eligible: true, commissionBps: 1_000, nominators: 1 });
      expect(BigInt(candidate.backingPoints)).toBeGreaterThan(0n);
    }
    const { election, panel } = j.steps;
    expect(election).toEqual({ cycle: panel.cycle, elected: [j.category], unbacked: [], refused: [] });
    expect(panel.seats).toBe(8);
    expect(panel.members.map((m) => m.did).sort()).toEqual([...standing].sort());

    // Anyone can rerun sequential Phragmén on the candidacies and nominations and get the digest.
    const [first, second] = j.nominators;
    const half = Math.ceil(j.testers.length / 2);
    const voters = [
      { id: first!.pair.did, stakeFen: 1_000n, votes: [j.producer.pair.did, ...didsOf(j.testers.slice(0, half))] },
      { id: second!.pair.did, stakeFen: 1_000n, votes: didsOf(j.testers.slice(half)) },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    const rerun = seqPhragmen({ candidates: [...standing].sort(), voters, toElect: 8 });
    expect(resultDigest(rerun)).toBe(panel.digest);
    const [published] = await bodiesOf(t, 'consensus.panel.elected');
    expect(published).toEqual({
      cycle: panel.cycle,
      category: j.category,
      seats: 8,
      digest: panel.digest,
      elected: rerun.elected.map((winner) => winner.candidate),
    });
  });

  it('opens the round through the operator’s route: the testers drawn from the panel, never the producer', async () => {
    const { opened, productWhileTesting } = j.steps;
    expect(opened).toMatchObject({ roundId: j.roundId, productId: j.productId, lotId: j.lotId, stage: 0 });
    expect(opened.cycle).toBe(j.steps.panel.cycle);
    const drawn = opened.drawn.map((seat) => seat.tester);
    expect([...drawn].sort()).toEqual(didsOf(j.testers).sort());
    expect(drawn).not.toContain(j.producer.pair.did);
    expect(opened.eligible.map((seat) => seat.tester)).not.toContain(j.producer.pair.did);

    // The draw is redone from the published checkpoint's root and the eligible testers' EP and backing.
    const { weights } = roundWeights(
      opened.eligible.map((seat) => ({ tester: seat.tester, ep: seat.ep, stakeFen: BigInt(seat.stakePoints) })),
    );
    expect(weights.map((w) => w.weight)).toEqual(opened.eligible.map((seat) => seat.weight));
    const redrawn = drawSortition({
      checkpointRoot: opened.checkpoint.root,
      roundId: j.roundId,
      stage: 0,
      panel: weights.map((w) => ({ id: w.tester, weight: w.weight })),
      count: 7,
    });
    expect(redrawn.drawn).toEqual(drawn);
    expect(resultDigest(redrawn)).toBe(opened.drawDigest);

    const { round } = j.steps.afterTally;
    expect(Date.parse(opened.commitDeadline) - Date.parse(round.openedAt)).toBe(14 * DAY_MS);
    expect(Date.parse(opened.revealDeadline) - Date.parse(opened.commitDeadline)).toBe(3 * DAY_MS);
    expect(productWhileTesting).toMatchObject({ status: 'listed', verdict: 'testing', consensus: null });
    const [openedEvent] = await bodiesOf(t, 'consensus.round.opened');
    expect(openedEvent).toMatchObject({ roundId: j.roundId, productId: j.productId, digest: opened.drawDigest });
  });

  it('enrols each drawn tester by a paid order placed through cart, checkout and the payment webhook', async () => {
    const openedAt = Date.parse(j.steps.afterTally.round.openedAt);
    for (const tester of j.testers) {
      expect(tester.nextBeforeBuy).toEqual({ step: 'buy', until: j.steps.opened.commitDeadline, orderId: null });
      const token = await signIn(t, tester.member.pair);
      const order = (
        await t.app.inject({ method: 'GET', url: `/v1/orders/${tester.orderId}`, headers: bearer(token) })
      ).json();
      expect(order).toMatchObject({ buyer: tester.member.pair.did, producer: j.producer.pair.did, status: 'paid' });
      expect(order.lines).toEqual([expect.objectContaining({ productId: j.productId, quantity: 1 })]);
      expect(Date.parse(order.createdAt)).toBeGreaterThan(openedAt);
    }
  });

  it('takes each commit by the deadline and each reveal after it: all valid', () => {
    for (const tester of j.testers) {
      expect(tester.committed.result).toMatchObject({
        roundId: j.roundId,
        tester: tester.member.pair.did,
        orderId: tester.orderId,
        revealFrom: j.steps.opened.commitDeadline,
      });
      expect(tester.nextAfterCommit).toEqual({
        step: 'wait',
        until: j.steps.opened.commitDeadline,
        orderId: tester.orderId,
      });
      expect(tester.revealed.result).toMatchObject({ status: 'valid', counts: true });
    }
    const seats = j.steps.afterTally.round.testers;
    expect(seats).toHaveLength(7);
    for (const tester of j.testers) {
      expect(seats.find((seat) => seat.tester === tester.member.pair.did)).toMatchObject({
        committed: true,
        revealStatus: 'valid',
        report: tester.report,
        salt: tester.salt,
      });
    }
  });

  it('tallies by the job once the reveals are closed: decided, pass, the digest anyone recomputes', async () => {
    expect(j.steps.tallyRuns).toEqual([
      { roundId: j.roundId, eventId: expect.any(String), decision: 'decided', verdict: 'pass' },
    ]);
    expect(j).toMatchObject({ decision: 'decided', verdict: 'pass', finalVerdict: 'pass', ruling: null });
    const { results } = j.steps.afterTally;
    expect(results).toMatchObject({ roundId: j.roundId, status: 'decided', stage: 0, verdict: 'pass' });
    expect(Date.parse(results.appealUntil!) - Date.parse(results.decidedAt!)).toBe(7 * DAY_MS);
    expect(results.tallies).toHaveLength(1);
    const expected = retally(j);
    expect(results.tallies[0]?.result).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(results.tallies[0]?.digest).toBe(resultDigest(expected));
    const [tallied] = await bodiesOf(t, 'consensus.round.tallied');
    expect(tallied).toMatchObject({ roundId: j.roundId, stage: 0, digest: resultDigest(expected), verdict: 'pass' });
  });

  it('names the log entries behind the product page: its claims, its model and the deciding tally', async () => {
    const { product } = j.steps.afterTally;
    const typeAt = async (index: number | null | undefined) => {
      const entry = await t.app.inject({ method: 'GET', url: `/v1/log/entries/${index}` });
      expect(entry.statusCode).toBe(200);
      return entry.json().envelope as { type: string; body: Record<string, unknown> };
    };
    expect(await typeAt(product.log.product)).toMatchObject({
      type: 'catalog.product.published',
      body: { productId: j.productId },
    });
    expect((await typeAt(product.log.model)).type).toBe('catalog.model.published');
    expect(await typeAt(product.consensus?.round.decidedLogIndex)).toMatchObject({
      type: 'consensus.round.tallied',
      body: { roundId: j.roundId },
    });
  });

  it('shows the verdict on the product page, each claim beside the consensus value', () => {
    const { product } = j.steps.afterTally;
    expect(product).toMatchObject({ id: j.productId, status: 'listed', verdict: 'passed', suspendedReason: null });
    expect(product.claims).toEqual(riceClaims());
    const consensus = product.consensus!;
    expect(consensus.round).toMatchObject({
      id: j.roundId,
      lotId: j.lotId,
      verdict: 'pass',
      testersDrawn: 7,
      testersRevealed: 7,
    });
    const tally = j.steps.afterTally.results.tallies[0]?.result as unknown as TallyResult;
    expect(consensus.attributes).toEqual(
      riceModel().attributes.map((attribute) => ({
        key: attribute.key,
        mandatory: attribute.mandatory,
        claimed: riceClaims()[attribute.key as keyof ReturnType<typeof riceClaims>],
        consensus: tally.attributes.find((a) => a.key === attribute.key)?.consensus,
        conforms: true,
      })),
    );
    const moisture = consensus.attributes.find((a) => a.key === 'moisture')?.consensus as number;
    expect(Math.abs(moisture - 14.5)).toBeLessThanOrEqual(0.5);
    expect(consensus.badge).toMatchObject({ roundId: j.roundId, lotId: j.lotId });
    expect(consensus.disclosure.en).toContain('paid tests');
  });

  it('rewards the more accurate half; the inaccurate tester loses, is penalised and its backer slashed', async () => {
    const stored = rewardsOf(j);
    expect(stored.digest).toBe(resultDigest(stored.rewards));
    expect(resultDigest(rerunRewards(stored))).toBe(stored.digest);
    expect(stored.inputs.backing).toBe('election');

    const { rewards } = stored;
    const accuracies = rewards.testers.map((r) => r.accuracy);
    expect(new Set(accuracies).size).toBe(7);
    const ranked = [...rewards.testers].sort((a, b) => b.accuracy - a.accuracy);
    const winners = rewards.testers.filter((r) => r.outcome === 'won').map((r) => r.tester);
    expect(new Set(winners)).toEqual(new Set(ranked.slice(0, 4).map((r) => r.tester)));
    expect(stored.shares.map((s) => s.tester).sort()).toEqual([...winners].sort());
    expect(stored.shares.reduce((sum, s) => sum + s.fraction, 0)).toBeCloseTo(1, 9);
    // Each accuracy is the tally's.
    const tally = j.steps.afterTally.results.tallies[0]?.result as unknown as TallyResult;
    for (const seat of j.steps.afterTally.round.testers) {
      expect(seat.accuracy).toBe(tally.accuracies.find((a) => a.tester === seat.tester)?.accuracy);
    }

    const bad = rewards.testers.find((r) => r.tester === inaccurate().member.pair.did);
    expect(bad).toMatchObject({ outcome: 'lost', penalised: true, epPenalty: 1 });
    expect(bad?.accuracy).toBeLessThan(0.5);
    expect(ranked.at(-1)?.tester).toBe(inaccurate().member.pair.did);
    expect(rewards.testers.filter((r) => r.penalised).map((r) => r.tester)).toEqual([inaccurate().member.pair.did]);
    // The second nominator backs the inaccurate tester: a tenth of that backing is slashed.
    const backer = j.nominators[1]!.pair.did;
    expect(rewards.slashes.length).toBeGreaterThan(0);
    expect(rewards.slashes.every((leg) => leg.party === backer && leg.tester === bad?.tester)).toBe(true);
    expect(stored.slashes).toEqual([
      { party: backer, amountPoints: rewards.slashedFen, slashedPoints: rewards.slashedFen },
    ]);

    // Experience: the winners gained, the inaccurate tester lost (its penalty outweighs its test).
    const candidates = (
      await t.app.inject({ method: 'GET', url: `/v1/consensus/candidates?category=${j.category}&limit=100` })
    ).json().items as { did: string; ep: number }[];
    const epOf = (did: string) => candidates.find((c) => c.did === did)?.ep ?? Number.NaN;
    for (const winner of winners) expect(epOf(winner)).toBeGreaterThan(1);
    expect(epOf(inaccurate().member.pair.did)).toBeLessThan(epOf(j.producer.pair.did));
  });

  it('for a pass, cuts no deposit, suspends nothing and offers no refunds', async () => {
    expect(j.steps.deposit.heldFen).toBe('100000');
    expect(j.steps.afterTally.deposit.heldFen).toBe('100000');
    expect(j.steps.afterTally.shopperOffers).toEqual([[]]);
    expect(await bodiesOf(t, 'consensus.deposit.cut')).toEqual([]);
    expect(await bodiesOf(t, 'catalog.product.suspended')).toEqual([]);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
});

describe('a round that fails a mandatory attribute, appealed by the producer and overturned by a jury', () => {
  let t: TestApp;
  let j: ConsensusJourney;
  const flatterer = () => j.testers[6] as JourneyTester;

  beforeAll(async () => {
    t = await createTestApp();
    j = await consensusJourney(t, { measurements: FAILING_MEASUREMENTS, appeal: { votes: 'overturn' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails the product on moisture: suspended with a public reason, refunds offered, the deposit cut', async () => {
    expect(j.steps.tallyRuns).toEqual([expect.objectContaining({ roundId: j.roundId, verdict: 'fail' })]);
    expect(j).toMatchObject({ decision: 'decided', verdict: 'fail' });
    const { product, results, deposit, shopperOffers } = j.steps.afterTally;
    const tally = results.tallies[0]?.result as unknown as TallyResult;
    expect(results.tallies[0]?.digest).toBe(resultDigest(retally(j)));
    expect(tally.failedMandatory).toEqual(['moisture']);
    const moisture = tally.attributes.find((a) => a.key === 'moisture');
    expect(moisture).toMatchObject({ claimed: 14.5, conforms: false, highDispersion: false });
    expect(Math.abs((moisture?.consensus as number) - 17)).toBeLessThan(0.3);

    expect(product).toMatchObject({ status: 'suspended', verdict: 'failed' });
    expect(product.suspendedReason).toContain(j.roundId);
    expect(product.suspendedReason).toContain('moisture');
    expect(product.consensus?.round).toMatchObject({ id: j.roundId, verdict: 'fail' });
    expect(product.consensus?.attributes.find((a) => a.key === 'moisture')).toMatchObject({
      claimed: 14.5,
      conforms: false,
    });
    expect(product.consensus?.badge).toBeNull();

    // The lot's buyer who tested nothing is offered a refund of the order.
    const shopper = j.shoppers[0]!;
    expect(shopperOffers).toEqual([
      [expect.objectContaining({ roundId: j.roundId, orderId: shopper.orderId, status: 'offered' })],
    ]);
    expect(shopperOffers[0]?.[0]?.refundRequest).toMatchObject({ orderId: shopper.orderId });
    // The testers' purchases are the cost of their tests, refunded by no verdict: only the shopper is offered one.
    const offered = await rows<{ order_id: string }>(
      t.ctx.database.db,
      sql`select order_id from consensus_refund_offers where round_id = ${j.roundId}`,
    );
    expect(offered.map((offer) => offer.order_id)).toEqual([shopper.orderId]);

    // failDepositCutBps (20%) of the ¥1,000 deposit.
    expect(j.steps.deposit.heldFen).toBe('100000');
    expect(deposit.heldFen).toBe('80000');
    expect(await bodiesOf(t, 'consensus.deposit.cut')).toEqual([
      { roundId: j.roundId, producer: j.producer.pair.did, amountFen: '20000' },
    ]);
    expect(await bodiesOf(t, 'catalog.product.suspended')).toEqual([
      { productId: j.productId, reason: product.suspendedReason },
    ]);
  });

  it('rewards accuracy, not favour: the tester who reported the claims loses and is penalised', () => {
    const stored = rewardsOf(j);
    expect(resultDigest(rerunRewards(stored))).toBe(stored.digest);
    const flattering = stored.rewards.testers.find((r) => r.tester === flatterer().member.pair.did);
    expect(flattering).toMatchObject({ outcome: 'lost', penalised: true });
    const winners = stored.rewards.testers.filter((r) => r.outcome === 'won');
    expect(winners).toHaveLength(4);
    for (const winner of winners) expect(winner.accuracy).toBeGreaterThan(flattering!.accuracy);
  });

  it('hears the producer’s appeal: the bond’s webhook draws a jury of experts with no tie to the case', async () => {
    const appeal = j.steps.appeal!;
    expect(appeal.appellant.pair.did).toBe(j.producer.pair.did);
    expect(appeal.filed.appeal).toMatchObject({
      caseId: j.caseId,
      instance: 0,
      roundId: j.roundId,
      appellant: j.producer.pair.did,
      verdictAppealed: 'fail',
      bondFen: '10000',
      status: 'awaiting_bond',
      jurors: [],
    });
    expect(appeal.filed.receipt.result).toMatchObject({ caseId: j.caseId, status: 'awaiting_bond', jurySize: 3 });

    const { drawn } = appeal;
    expect(drawn.status).toBe('voting');
    const jurors = drawn.jurors.map((juror) => juror.juror);
    expect(jurors).toHaveLength(3);
    expect([...jurors].sort()).toEqual([...appeal.jurors].sort());
    const experts = j.experts.map((expert) => expert.did);
    for (const juror of jurors) expect(experts).toContain(juror);
    const tied = [j.producer.pair.did, j.modelExpert.did, ...didsOf(j.testers)];
    for (const juror of jurors) expect(tied).not.toContain(juror);
    expect(Date.parse(drawn.revealDeadline!) - Date.parse(drawn.commitDeadline!)).toBe(2 * DAY_MS);

    // Every expert weighs 1 (none has tested); the rest of the pool is tied to the case.
    const redrawn = drawJury({
      checkpointRoot: drawn.checkpointRoot!,
      caseId: appeal.caseId,
      instance: 0,
      pool: [...experts, j.modelExpert.did].map((id) => ({ id, weight: 1 })),
      exclude: tied,
    });
    expect([...redrawn.drawn].sort()).toEqual([...jurors].sort());
    const [published] = await bodiesOf(t, 'consensus.jury.drawn');
    expect(published).toMatchObject({ caseId: appeal.caseId, instance: 0, jurors: redrawn.drawn });
    expect(published?.digest).toBe(resultDigest(redrawn));
  });

  it('rules overturn after the jurors’ commit–reveal: all coherent, sharing the fee; the rest of the bond paid back', async () => {
    const appeal = j.steps.appeal!;
    expect(j.ruling).toBe('overturn');
    expect(appeal.ruled).toMatchObject({ status: 'ruled', ruling: 'overturn', verdictAppealed: 'fail' });
    expect(appeal.ruled.jurors).toHaveLength(3);
    for (const juror of appeal.ruled.jurors) {
      expect(juror).toMatchObject({
        committed: true,
        revealed: true,
        vote: 'overturn',
        status: 'valid',
        coherent: true,
        rewardFen: '1000',
      });
    }
    expect(await bodiesOf(t, 'consensus.appeal.ruled')).toEqual([
      { caseId: appeal.caseId, instance: 0, ruling: 'overturn', digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const bond = await findPayment(t.ctx.database.db, appeal.filed.appeal.paymentId);
    expect(bond?.refunded).toBe(7_000n);
  });

  it('replaces the verdict: the product passes and is no longer suspended, the offers withdrawn, the cut paid back', async () => {
    const { after } = j.steps.appeal!;
    expect(j.finalVerdict).toBe('pass');
    expect(after.product).toMatchObject({ status: 'delisted', verdict: 'passed', suspendedReason: null });
    // The page says the testers found a fail and a jury overturned it.
    expect(after.product.consensus?.round).toMatchObject({
      id: j.roundId,
      verdict: 'pass',
      tallyVerdict: 'fail',
      appeal: { caseId: j.caseId, instance: 0, status: 'ruled', ruling: 'overturn' },
    });
    expect(j.steps.afterTally.product.consensus?.round).toMatchObject({ tallyVerdict: 'fail', appeal: null });
    expect(after.product.consensus?.badge).toMatchObject({ roundId: j.roundId, lotId: j.lotId });
    // The round's verdict is the jury's; the published tally stays as it was.
    expect(after.results).toMatchObject({ status: 'decided', verdict: 'pass' });
    expect(after.results.tallies).toEqual(j.steps.afterTally.results.tallies);
    expect(after.shopperOffers).toEqual([[expect.objectContaining({ roundId: j.roundId, status: 'withdrawn' })]]);
    // The producer was not at fault: the 20,000 fen the fail cut come back to its deposit.
    expect(j.steps.afterTally.deposit.heldFen).toBe('80000');
    expect(after.deposit.heldFen).toBe('100000');
    expect(await bodiesOf(t, 'consensus.deposit.restored')).toEqual([
      { roundId: j.roundId, producer: j.producer.pair.did, amountFen: '20000' },
    ]);
    expect(await bodiesOf(t, 'catalog.product.reinstated')).toEqual([{ productId: j.productId }]);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('leaves every step on the log, up to a signed checkpoint', async () => {
    const [counts] = await rows<{ events: string; unlogged: string }>(
      t.ctx.database.db,
      sql`select count(*)::text as events, count(*) filter (where log_index is null)::text as unlogged from events`,
    );
    expect(counts?.unlogged).toBe('0');
    expect((await latestCheckpoint(t.ctx.database.db))?.size).toBe(Number(counts?.events));
  });
});
