import type { ClaimValue, JuryChoice, TestReport } from '@concord/protocol';
import type { z } from 'zod';
import type { KeyPair } from '../keys.js';
import type { DEPOSIT_VIEW, PRODUCT_VIEW } from '../modules/catalog/schema-views.js';
import { type PanelElectionRun, runPanelElections } from '../modules/consensus/panels.js';
import type { describeRound } from '../modules/consensus/rounds-queries.js';
import { type TallyRun, tallyDueRounds } from '../modules/consensus/tally.js';
import type { roundResults } from '../modules/consensus/verdict-view.js';
import { cycleOf, cycleStart } from '../modules/distribution/supplier-tokens.js';
import { register, signIn, type TestApp } from './app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  defineCategory,
  deliverWebhooks,
  grantRole,
  productBody,
  riceClaims,
  riceModel,
  send,
} from './commerce.js';
import { commitOfReport, newSalt, riceReport } from './consensus.js';
import { appealCase, appeal as fileAppeal, juryVotesAndRuling } from './consensus-appeals.js';
import { buy, type Member, pointsHolder, signedInMember } from './shopping.js';

/**
 * A whole experience-consensus round driven the way the running platform drives it (DESIGN §8):
 * a rice category and an expert's model, a producer with a listed product, a deposit and a lot;
 * testers who stand as candidates and nominators who back them with points; the panel elected by
 * the periodic election job; the round opened through the operator's route; each drawn tester
 * buying the product through cart, quote, checkout and the sandbox payment's webhook, committing
 * and, after the commit deadline, revealing; the tally job once the reveal window has closed;
 * and, if asked, the producer's appeal with its bond, the jury drawn when the bond is paid, the
 * jurors' commit–reveal votes and the ruling job.
 *
 * Every step is an accepted signed envelope, an API request or one of the platform's jobs — no
 * row is written by SQL (points are granted by `grantPoints`, standing in for cashback earned
 * earlier) — so the log it leaves can be replayed and verified. Each request that fails throws,
 * naming the step; `steps` keeps what the API answered along the way for the caller to check.
 *
 * The test clock moves: to past the commit deadline, past the reveal deadline and, with an
 * appeal, through the jury's windows. It only moves forward, and is left at the last step's time;
 * sessions made before a jump have expired (sign in again).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
// Idempotency keys of the journeys' requests, distinct across journeys in one app.
let journeys = 0;

type Measured = Readonly<Record<string, ClaimValue>>;

/**
 * Measurements for a product that conforms to `riceClaims()` (moisture 14.5 ± 0.5, organic, 一级):
 * six testers close to the claims, each off by a different amount (so their accuracies differ),
 * and a seventh far off on every attribute — the inaccurate one, who loses and is penalised.
 */
export const PASSING_MEASUREMENTS: readonly Measured[] = Object.freeze([
  { moisture: 14.5, organic: true, grade: '一级' },
  { moisture: 14.45, organic: true, grade: '一级' },
  { moisture: 14.62, organic: true, grade: '一级' },
  { moisture: 14.33, organic: true, grade: '一级' },
  { moisture: 14.76, organic: true, grade: '一级' },
  { moisture: 14.2, organic: true, grade: '一级' },
  { moisture: 16.5, organic: false, grade: '二级' },
]);

/**
 * Measurements that fail the mandatory `moisture` (claimed 14.5 ± 0.5; the testers find about 17):
 * six testers agree around 17, and the seventh flatters the product — the claimed moisture and a
 * better grade than claimed — and is the inaccurate one.
 */
export const FAILING_MEASUREMENTS: readonly Measured[] = Object.freeze([
  { moisture: 17.0, organic: true, grade: '一级' },
  { moisture: 16.95, organic: true, grade: '一级' },
  { moisture: 17.12, organic: true, grade: '一级' },
  { moisture: 16.83, organic: true, grade: '一级' },
  { moisture: 17.26, organic: true, grade: '一级' },
  { moisture: 16.7, organic: true, grade: '一级' },
  { moisture: 14.5, organic: true, grade: '特级' },
]);

export interface ConsensusJourneyOptions {
  /**
   * What each tester measures and reports: one tester per entry, 1–7 of them (the initial draw
   * is 7, and the producer, also on the panel, is never drawn: every tester is drawn). Default
   * PASSING_MEASUREMENTS.
   */
  measurements?: readonly Measured[];
  /**
   * After the tally, the verdict is appealed (instance 0) and each juror votes `votes` (or
   * `votes(juror, i)`); absent, nobody appeals. The appellant is the producer (default) or the
   * first shopper (a verified buyer).
   */
  appeal?: {
    votes: JuryChoice | ((juror: string, i: number) => JuryChoice);
    by?: 'producer' | 'shopper';
    /**
     * Before the appeal, points holders back every account the jury may draw (16 to a
     * nominator) with this many points each, so the jurors serve with stake.
     */
    jurorBacking?: bigint;
  };
  /**
   * A category of its own, which must not exist yet (default 'rice'); its model is
   * `<category>-model` v1. Two journeys in one app need two categories.
   */
  category?: string;
  /** Default `<category>-journey`; its one SKU is `<productId>:bag` at ¥100. */
  productId?: string;
  lotId?: string;
  /** What the producer pays into the deposit before the round, fen (default '100000'). */
  depositFen?: string;
  /** Experts who may sit on the jury (default 5; the jury of instance 0 has 3). */
  experts?: number;
  /** Buyers of the lot who are not testers, each with one paid order before the round (default 1). */
  shoppers?: number;
  /**
   * Keys of other accounts the jury may draw (experts, or testers with EP ≥ 1 not tied to the
   * case), e.g. an earlier journey's testers, experts and model expert in the same app: every
   * drawn juror must vote.
   */
  otherJurors?: readonly KeyPair[];
}

/** A receipt of an accepted envelope (POST /v1/events). */
export interface JourneyReceipt {
  eventId: string;
  logIndex: string;
  result: Record<string, unknown>;
}

export interface NextStepView {
  step: string;
  until: string | null;
  orderId: string | null;
}

export interface JourneyTester {
  member: Member;
  measured: Measured;
  /** Their paid order of the product, placed after the round opened. */
  orderId: string;
  report: TestReport;
  salt: string;
  /** What GET /v1/consensus/me/rounds said they should do next, before buying and after committing. */
  nextBeforeBuy: NextStepView | undefined;
  nextAfterCommit: NextStepView | undefined;
  committed: JourneyReceipt;
  revealed: JourneyReceipt;
}

export interface OpenedRoundView {
  roundId: string;
  productId: string;
  lotId: string;
  cycle: number;
  stage: number;
  checkpoint: { size: number; root: string };
  seed: string;
  drawDigest: string;
  drawn: { tester: string; ep: number; stakePoints: string; weight: number }[];
  eligible: { tester: string; ep: number; stakePoints: string; weight: number }[];
  commitDeadline: string;
  revealDeadline: string;
  eventId: string;
  logIndex: string;
}

export interface JurorView {
  juror: string;
  committed: boolean;
  revealed: boolean;
  vote: 'uphold' | 'overturn' | null;
  status: string | null;
  coherent: boolean | null;
  stakePoints: string;
  rewardFen: string | null;
  slashPoints: string | null;
  rewardPoints: string | null;
}

export interface AppealInstanceView {
  caseId: string;
  instance: number;
  roundId: string;
  appellant: string;
  verdictAppealed: 'pass' | 'fail';
  bondFen: string;
  paymentId: string;
  status: 'awaiting_bond' | 'voting' | 'ruled' | 'lapsed';
  checkpointRoot: string | null;
  commitDeadline: string | null;
  revealDeadline: string | null;
  ruling: 'uphold' | 'overturn' | null;
  appealUntil: string | null;
  jurors: JurorView[];
}

export interface RefundOfferView {
  roundId: string;
  orderId: string;
  status: 'offered' | 'taken' | 'withdrawn';
  refundRequest: Record<string, unknown>;
}

export type ProductPageView = z.output<typeof PRODUCT_VIEW>;
export type DepositView = z.output<typeof DEPOSIT_VIEW>;
export type RoundView = Awaited<ReturnType<typeof describeRound>>;
export type RoundResultsView = NonNullable<Awaited<ReturnType<typeof roundResults>>>;

/** What the public and the parties see at one moment: the product, the round's results, the deposit, the offers. */
export interface JourneySnapshot {
  at: string;
  product: ProductPageView;
  round: RoundView;
  results: RoundResultsView;
  deposit: DepositView;
  /** Each shopper's refund offers (GET /v1/consensus/refund-offers), in the order of `shoppers`. */
  shopperOffers: RefundOfferView[][];
}

export interface JourneyAppeal {
  caseId: string;
  appellant: Member;
  /** POST /v1/consensus/appeals's answer (201). */
  filed: { appeal: AppealInstanceView; receipt: JourneyReceipt };
  /** The instance once the bond's webhook paid it: the jury drawn. */
  drawn: AppealInstanceView;
  jurors: string[];
  /** The instance as ruled, seen at the ruling's time (votes shown). */
  ruled: AppealInstanceView;
  ruling: 'uphold' | 'overturn';
  /** When the ruling job ruled (the clock is left there). */
  ruledAt: string;
  after: JourneySnapshot;
}

export interface ConsensusJourney {
  category: string;
  productId: string;
  skuId: string;
  lotId: string;
  roundId: string;
  /** The expert who published the product's model (tied to the case: never a juror). */
  modelExpert: KeyPair;
  /** Also a tester and a candidate of the category's panel: elected, but never drawn for its own product. */
  producer: Member;
  /** In the order of `measurements`. */
  testers: JourneyTester[];
  /** The experts who may be drawn as jurors. */
  experts: KeyPair[];
  /** Points holders backing the candidates: [0] the producer and the first half of the testers, [1] the rest. */
  nominators: Member[];
  shoppers: { member: Member; orderId: string }[];
  operatorToken: string;
  /** What the tally job decided. */
  decision: string;
  /** The tally's verdict ('pass' | 'fail' when decided). */
  verdict: string;
  /** The verdict standing at the end: the tally's, or the one the ruling put in its place. */
  finalVerdict: string;
  ruling: 'uphold' | 'overturn' | null;
  caseId: string | null;
  steps: {
    /** GET /v1/consensus/candidates once everyone stands and is backed. */
    candidates: { did: string; eligible: boolean; backingPoints: string; nominators: number; commissionBps: number }[];
    /** What runPanelElections did. */
    election: PanelElectionRun;
    /** GET /v1/consensus/panels/:category after the election. */
    panel: {
      cycle: number;
      seats: number;
      digest: string;
      electedEventId: string;
      members: { did: string; backedPoints: string; ep: number }[];
    };
    deposit: DepositView;
    /** POST /v1/consensus/rounds's answer (201). */
    opened: OpenedRoundView;
    /** The product page while the round is open. */
    productWhileTesting: ProductPageView;
    tallyRuns: TallyRun[];
    afterTally: JourneySnapshot;
    appeal: JourneyAppeal | null;
  };
}

function must(what: string, response: { statusCode: number; body: string }, status = 201): void {
  if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body}`);
}

async function receipt(t: TestApp, pair: KeyPair, type: string, body: Record<string, unknown>) {
  const response = await send(t, pair, type, body);
  must(type, response);
  const json = response.json();
  return { eventId: String(json.eventId), logIndex: String(json.logIndex), result: json.result } as JourneyReceipt;
}

const getJson = async <T>(t: TestApp, url: string, token?: string): Promise<T> => {
  const response = await t.app.inject({
    method: 'GET',
    url,
    ...(token === undefined ? {} : { headers: bearer(token) }),
  });
  must(`GET ${url}`, response, 200);
  return response.json() as T;
};

/** Signs `member` in again (sessions expire when the clock jumps). */
async function fresh(t: TestApp, member: Member): Promise<Member> {
  member.token = await signIn(t, member.pair);
  return member;
}

async function nextStep(t: TestApp, tester: Member, roundId: string): Promise<NextStepView | undefined> {
  const mine = await getJson<{ items: { id: string; next: NextStepView }[] }>(
    t,
    '/v1/consensus/me/rounds',
    tester.token,
  );
  return mine.items.find((item) => item.id === roundId)?.next;
}

async function snapshot(
  t: TestApp,
  journey: { productId: string; roundId: string; producer: Member; shoppers: { member: Member }[] },
): Promise<JourneySnapshot> {
  await fresh(t, journey.producer);
  const shopperOffers: RefundOfferView[][] = [];
  for (const { member } of journey.shoppers) {
    await fresh(t, member);
    shopperOffers.push(
      (await getJson<{ items: RefundOfferView[] }>(t, '/v1/consensus/refund-offers', member.token)).items,
    );
  }
  return {
    at: t.clock.now.toISOString(),
    product: await getJson(t, `/v1/catalog/products/${journey.productId}`),
    round: await getJson(t, `/v1/consensus/rounds/${journey.roundId}`),
    results: await getJson(t, `/v1/consensus/rounds/${journey.roundId}/tally`),
    deposit: await getJson(t, '/v1/catalog/deposits', journey.producer.token),
    shopperOffers,
  };
}

/** Runs the journey in `t` (see the file's comment); returns everyone's keys and what each step answered. */
export async function consensusJourney(t: TestApp, options: ConsensusJourneyOptions = {}): Promise<ConsensusJourney> {
  const measurements = options.measurements ?? PASSING_MEASUREMENTS;
  if (measurements.length < 1 || measurements.length > 7)
    throw new Error(`a journey has 1–7 testers (all drawn), not ${measurements.length}`);
  const category = options.category ?? 'rice';
  const productId = options.productId ?? `${category}-journey`;
  const skuId = `${productId}:bag`;
  const lotId = options.lotId ?? 'L-journey-1';
  const modelId = `${category}-model`;
  const depositFen = options.depositFen ?? '100000';
  const key = `journey-${journeys++}`;

  // The operator: registered (once per app) and signed in, for the round's route.
  if ((await t.app.inject({ method: 'GET', url: `/v1/accounts/${t.operator.did}` })).statusCode === 404)
    await register(t, t.operator);
  const operatorToken = await signIn(t, t.operator);

  // The category, an expert's model, and a producer listing a product that claims riceClaims().
  await defineCategory(t, category, { zh: '大米', en: 'Rice' });
  const modelExpert = await accountWithRole(t, 'expert');
  await accepted(t, modelExpert, 'catalog.model.published', {
    modelId,
    version: 1,
    definition: riceModel(category),
  });
  const producerPair = await accountWithRole(t, 'producer');
  const producer: Member = { pair: producerPair, token: await signIn(t, producerPair) };
  await accepted(
    t,
    producerPair,
    'catalog.product.published',
    productBody(productId, {
      category,
      model: { id: modelId, version: 1 },
      claims: riceClaims(),
      skus: [{ code: 'bag', options: {}, priceFen: '10000', stock: 100 }],
    }),
  );
  await accepted(t, producerPair, 'catalog.product.listed', { productId });
  const paid = await t.app.inject({
    method: 'POST',
    url: '/v1/catalog/deposits',
    headers: { ...bearer(producer.token), 'idempotency-key': `${key}-deposit` },
    payload: { amount: depositFen },
  });
  must('deposit', paid);
  await deliverWebhooks(t);
  const deposit = await getJson<DepositView>(t, '/v1/catalog/deposits', producer.token);
  await accepted(t, producerPair, 'catalog.lot.registered', {
    productId,
    lotId,
    productionDate: t.clock.now.toISOString().slice(0, 10),
    quantity: 1000,
  });

  // Buyers of the lot who test nothing (refunds are offered to them if it fails).
  const shoppers: { member: Member; orderId: string }[] = [];
  for (let i = 0; i < (options.shoppers ?? 1); i++) {
    const member = await signedInMember(t);
    shoppers.push({ member, orderId: await buy(t, member, skuId, 1) });
  }
  await deliverWebhooks(t);

  // Testers stand for the panel (the producer too: it is elected, but never drawn for itself).
  await grantRole(t, producerPair, 'tester');
  await accepted(t, producerPair, 'consensus.candidate.declared', { category, commissionBps: 1_000 });
  const testerMembers: Member[] = [];
  for (let i = 0; i < measurements.length; i++) {
    const pair = await accountWithRole(t, 'tester');
    await accepted(t, pair, 'consensus.candidate.declared', { category, commissionBps: 1_000 });
    testerMembers.push({ pair, token: await signIn(t, pair) });
  }
  // Two points holders back them: the first the producer and the first half, the second the rest.
  const nominators = [await pointsHolder(t, 1_000n), await pointsHolder(t, 1_000n)];
  const half = Math.ceil(testerMembers.length / 2);
  const [first, second] = nominators as [Member, Member];
  await accepted(t, first.pair, 'consensus.nomination.set', {
    targets: [producerPair.did, ...testerMembers.slice(0, half).map((m) => m.pair.did)],
    stakePoints: '1000',
  });
  const rest = testerMembers.slice(half).map((m) => m.pair.did);
  await accepted(t, second.pair, 'consensus.nomination.set', {
    targets: rest.length > 0 ? rest : [producerPair.did],
    stakePoints: '1000',
  });
  const experts: KeyPair[] = [];
  for (let i = 0; i < (options.experts ?? 5); i++) experts.push(await accountWithRole(t, 'expert'));
  const candidates = (
    await getJson<{ items: ConsensusJourney['steps']['candidates'] }>(
      t,
      `/v1/consensus/candidates?category=${category}&limit=100`,
    )
  ).items;

  // The election job, then the round through the operator's route, a minute apart, in one cycle.
  let now = new Date(t.clock.now.getTime() + MINUTE_MS);
  if (cycleOf(now) !== cycleOf(new Date(now.getTime() + 10 * MINUTE_MS)))
    now = new Date(cycleStart(cycleOf(now) + 1).getTime() + MINUTE_MS);
  t.clock.now = now;
  const election = await runPanelElections(t.ctx);
  const panel = await getJson<ConsensusJourney['steps']['panel']>(t, `/v1/consensus/panels/${category}`);
  await t.integrate(); // the integrator publishes a checkpoint: its root seeds the draw
  t.clock.now = new Date(t.clock.now.getTime() + MINUTE_MS);
  const openedResponse = await t.app.inject({
    method: 'POST',
    url: '/v1/consensus/rounds',
    headers: { ...bearer(operatorToken), 'idempotency-key': `${key}-round` },
    payload: { productId, lotId },
  });
  must('open round', openedResponse);
  const opened = openedResponse.json() as OpenedRoundView;
  const roundId = opened.roundId;
  const productWhileTesting = await getJson<ProductPageView>(t, `/v1/catalog/products/${productId}`);
  const drawn = new Set(opened.drawn.map((seat) => seat.tester));
  const missing = testerMembers.filter((m) => !drawn.has(m.pair.did));
  if (missing.length > 0) throw new Error(`${missing.length} testers were not drawn: ${openedResponse.body}`);

  // Each drawn tester buys the product for the round; the sandbox's webhooks pay the orders.
  t.clock.now = new Date(t.clock.now.getTime() + MINUTE_MS);
  const bought: { member: Member; nextBeforeBuy: NextStepView | undefined; orderId: string }[] = [];
  for (const member of testerMembers) {
    const nextBeforeBuy = await nextStep(t, member, roundId);
    bought.push({ member, nextBeforeBuy, orderId: await buy(t, member, skuId, 1) });
  }
  await deliverWebhooks(t);

  // Commit H(report ‖ salt) with the paid order, by the commit deadline.
  const committed: Omit<JourneyTester, 'nextAfterCommit' | 'revealed'>[] = [];
  for (const [i, { member, nextBeforeBuy, orderId }] of bought.entries()) {
    const report = riceReport(roundId, member.pair, { ...(measurements[i] as Measured) });
    const salt = newSalt();
    committed.push({
      member,
      measured: report.values,
      orderId,
      report,
      salt,
      nextBeforeBuy,
      committed: await receipt(t, member.pair, 'consensus.report.committed', {
        roundId,
        orderId,
        commit: commitOfReport(report, salt),
      }),
    });
  }
  const waiting = [];
  for (const entry of committed) waiting.push({ ...entry, nextAfterCommit: await nextStep(t, entry.member, roundId) });

  // Past the commit deadline: each reveals the report and the salt.
  t.clock.now = new Date(Date.parse(opened.commitDeadline) + HOUR_MS);
  const testers: JourneyTester[] = [];
  for (const entry of waiting) {
    const revealed = await receipt(t, entry.member.pair, 'consensus.report.revealed', {
      roundId,
      report: entry.report,
      salt: entry.salt,
    });
    testers.push({ ...entry, revealed });
  }

  // Past the reveal deadline: the tally job.
  t.clock.now = new Date(Date.parse(opened.revealDeadline) + HOUR_MS);
  const tallyRuns = await tallyDueRounds(t.ctx);
  const run = tallyRuns.find((r) => r.roundId === roundId);
  if (run?.decision === undefined)
    throw new Error(`the tally job did not tally ${roundId}: ${JSON.stringify(tallyRuns)}`);
  const afterTally = await snapshot(t, { productId, roundId, producer, shoppers });

  const journey: ConsensusJourney = {
    category,
    productId,
    skuId,
    lotId,
    roundId,
    modelExpert,
    producer,
    testers,
    experts,
    nominators,
    shoppers,
    operatorToken,
    decision: run.decision,
    verdict: String(run.verdict),
    finalVerdict: String(run.verdict),
    ruling: null,
    caseId: null,
    steps: {
      candidates,
      election,
      panel,
      deposit,
      opened,
      productWhileTesting,
      tallyRuns,
      afterTally,
      appeal: null,
    },
  };
  if (options.appeal === undefined) {
    await t.integrate();
    return journey;
  }

  // The appeal: filed with a bond, paid by the sandbox's webhook, which draws the jury.
  const votes = options.appeal.votes;
  const voteOf = typeof votes === 'function' ? votes : () => votes;
  const appellant = options.appeal.by === 'shopper' ? shoppers[0]?.member : producer;
  if (appellant === undefined) throw new Error('a shopper appeals, but the journey has none');
  t.clock.now = new Date(t.clock.now.getTime() + HOUR_MS);
  const mayJudge = [...experts, ...testerMembers.map((m) => m.pair), ...(options.otherJurors ?? [])];
  if (options.appeal.jurorBacking !== undefined) {
    for (let i = 0; i < mayJudge.length; i += 16) {
      const targets = mayJudge.slice(i, i + 16).map((pair) => pair.did);
      const stake = options.appeal.jurorBacking * BigInt(targets.length);
      const backer = await pointsHolder(t, stake);
      await accepted(t, backer.pair, 'consensus.nomination.set', { targets, stakePoints: stake.toString() });
    }
  }
  await fresh(t, appellant);
  const filedResponse = await fileAppeal(t, appellant, roundId, 0);
  must('appeal', filedResponse);
  const filedJson = filedResponse.json();
  const filed = {
    appeal: filedJson.appeal as AppealInstanceView,
    receipt: {
      eventId: String(filedJson.receipt.eventId),
      logIndex: String(filedJson.receipt.logIndex),
      result: filedJson.receipt.result,
    },
  };
  const caseId = filed.appeal.caseId;
  await deliverWebhooks(t);
  const [drawnInstance] = (await appealCase(t, caseId)).instances as AppealInstanceView[];
  if (drawnInstance?.status !== 'voting') throw new Error(`no jury was drawn: ${JSON.stringify(drawnInstance)}`);

  // The jurors commit and reveal; the ruling job rules after the reveal deadline.
  const { jurors } = await juryVotesAndRuling(t, mayJudge, caseId, 0, voteOf);
  // juryVotesAndRuling sets the clock back to the real time; the journey stays at the ruling's.
  const ruledAt = new Date(Date.parse(drawnInstance.revealDeadline as string) + 1_000);
  t.clock.now = ruledAt;
  const [ruled] = (await appealCase(t, caseId)).instances as AppealInstanceView[];
  if (ruled?.ruling === null || ruled?.ruling === undefined) throw new Error(`${caseId} was not ruled`);
  const after = await snapshot(t, { productId, roundId, producer, shoppers });
  journey.ruling = ruled.ruling;
  journey.caseId = caseId;
  journey.finalVerdict = String(after.results.verdict);
  journey.steps.appeal = {
    caseId,
    appellant,
    filed,
    drawn: drawnInstance,
    jurors,
    ruled,
    ruling: ruled.ruling,
    ruledAt: ruledAt.toISOString(),
    after,
  };
  await t.integrate();
  return journey;
}
