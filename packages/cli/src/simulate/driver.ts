import { reportCommit, type TestReport, toHex } from '@concord/protocol';
import {
  type CloseProgress,
  closeSettlementCycle,
  cycleWindow,
  runOrderTimers,
  runPanelElections,
  runPointsRetirement,
  settlementCycleAt,
  tallyDueRounds,
} from '@concord/server';
import { accountsOf, buildCity, type City, type Consumer, type Product } from './city.js';
import { SimClient, SimClock } from './client.js';
import { query, type SimServer, startSimServer } from './engine.js';
import { type CycleMetrics, readCycleMetrics } from './metrics.js';
import { type CityParams, checkParams } from './params.js';
import { Prng } from './prng.js';

/**
 * The simulation: a city (city.ts) run cycle by cycle through the real services, on a simulated
 * clock that only moves forward. Each settlement cycle [S, E):
 *
 *   S + 10 min   lots registered, the panel elected (the election job), a checkpoint integrated,
 *                `roundsPerCycle` rounds opened by the operator; the drawn testers (consumers who
 *                also test) buy the product — their purchase of the cycle — and commit their report
 *   S + 1 h …    the consumers' orders, at random times up to E − (return window + 1 day): cart,
 *                quote, signed order, sandbox payment (its webhook), shipment, delivery; some are
 *                sent back within the return window and refunded in full
 *   deadline+1 h each round's testers reveal after its commit deadline; the tally job runs after
 *                its reveal deadline (a round it extends draws more testers, who buy and commit)
 *   E − 30 min   the platform completes every order whose return window has passed
 *   E + 1 min    closeSettlementCycle, then the monthly points retirement, then the cycle's numbers
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface RoundRecord {
  roundId: string;
  productId: string;
  honest: boolean;
  openedCycle: number;
  stages: number;
  testers: number;
  decision: string | null;
  verdict: string | null;
  decidedAt: string | null;
}

export interface SimulationProgress {
  /** What is being done, e.g. "cycle 2/3: orders". */
  stage: string;
  done: number;
  total: number;
}

export interface SimulationResult {
  params: CityParams;
  /** The first settlement cycle's number (cycle n starts n × cycleDays after Monday 1970-01-05). */
  firstCycle: number;
  accounts: number;
  products: { id: string; priceFen: bigint; honest: boolean; listed: boolean; rounds: number }[];
  cycles: CycleMetrics[];
  rounds: RoundRecord[];
  /** Rounds the operator could not open, with the API's error code. */
  roundsRefused: { cycle: number; productId: string; code: string }[];
  wallMs: number;
}

export interface SimulateOptions {
  onProgress?: (progress: SimulationProgress) => void;
}

type Event =
  | { kind: 'open'; index: number }
  | { kind: 'order'; index: number; consumer: Consumer }
  | { kind: 'reveal'; roundId: string; stage: number }
  | { kind: 'tally' }
  | { kind: 'complete' }
  | { kind: 'close'; index: number };

interface Scheduled {
  at: number;
  seq: number;
  event: Event;
}

/** Events by time, then by the order they were scheduled in. */
class Timeline {
  private readonly items: Scheduled[] = [];
  private seq = 0;

  add(at: number, event: Event): void {
    const item = { at, seq: this.seq++, event };
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.items[mid] as Scheduled;
      if (other.at < at || (other.at === at && other.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  next(): Scheduled | undefined {
    return this.items.shift();
  }
}

interface Commitment {
  consumer: Consumer;
  report: TestReport;
  salt: string;
}

interface OpenRound {
  record: RoundRecord;
  product: Product;
  /** Commitments by stage. */
  stages: Map<number, Commitment[]>;
}

interface Bookkeeping {
  placedOrders: number;
  placedFen: bigint;
  refundedOrders: number;
  refundedFen: bigint;
  skippedOrders: number;
  extended: number;
  /** Orders each consumer still places this cycle, after any round purchase. */
  roundPurchases: Map<string, number>;
}

const emptyBook = (): Bookkeeping => ({
  placedOrders: 0,
  placedFen: 0n,
  refundedOrders: 0,
  refundedFen: 0n,
  skippedOrders: 0,
  extended: 0,
  roundPurchases: new Map(),
});

/** The first cycle that starts on or after `start` (YYYY-MM-DD, UTC). */
export function firstCycleOf(params: Pick<CityParams, 'cycleDays' | 'start'>): number {
  const config = { cycleDays: params.cycleDays };
  const start = new Date(`${params.start}T00:00:00.000Z`);
  const cycle = settlementCycleAt(config, start);
  return cycleWindow(config, cycle).startsAt.getTime() < start.getTime() ? cycle + 1 : cycle;
}

export async function simulate(input: CityParams, options: SimulateOptions = {}): Promise<SimulationResult> {
  const params = checkParams({ ...input });
  const wallStart = Date.now();
  const root = new Prng(params.seed);
  const streams = {
    keys: root.fork('keys'),
    nonces: root.fork('nonces'),
    city: root.fork('city'),
    orders: root.fork('orders'),
    reports: root.fork('reports'),
    rounds: root.fork('rounds'),
  };
  const config = { cycleDays: params.cycleDays };
  const firstCycle = firstCycleOf(params);
  const windowOf = (index: number) => cycleWindow(config, firstCycle + index);
  const clock = new SimClock(new Date(windowOf(0).startsAt.getTime() - 2 * DAY_MS));

  // Progress: the accounts, the orders the city expects to place, and each cycle's close.
  const expectedOrders = Math.round(params.consumers * params.ordersPerConsumer) * params.cycles;
  let total = accountsOf(params) + expectedOrders + params.cycles;
  let done = 0;
  let stage = 'setting up the city';
  const tick = (units = 1) => {
    done += units;
    if (done > total) total = done;
    options.onProgress?.({ stage, done, total });
  };

  const server = await startSimServer({ clock, prng: streams.keys, cycleDays: params.cycleDays });
  try {
    const client = new SimClient(server.app, clock, streams.nonces);
    options.onProgress?.({ stage, done, total });
    const city = await buildCity({ client, server, params, prng: streams.city, onAccount: () => tick() });
    const run = new Run(server, client, city, params, streams, windowOf, firstCycle, {
      setStage: (text) => {
        stage = text;
        options.onProgress?.({ stage, done, total });
      },
      tick,
    });
    await run.all();
    stage = 'done';
    options.onProgress?.({ stage, done, total: done });
    return {
      params,
      firstCycle,
      accounts: city.roles.size,
      products: city.products.map((p) => ({
        id: p.id,
        priceFen: p.priceFen,
        honest: p.honest,
        listed: p.listed,
        rounds: p.rounds,
      })),
      cycles: run.cycles,
      rounds: run.roundRecords,
      roundsRefused: run.refused,
      wallMs: Date.now() - wallStart,
    };
  } finally {
    await server.close();
  }
}

class Run {
  readonly cycles: CycleMetrics[] = [];
  readonly roundRecords: RoundRecord[] = [];
  readonly refused: SimulationResult['roundsRefused'] = [];
  private readonly timeline = new Timeline();
  private readonly open = new Map<string, OpenRound>();
  private readonly consumersByDid: Map<string, Consumer>;
  private book: Bookkeeping = emptyBook();
  private refunds = 0;

  constructor(
    private readonly server: SimServer,
    private readonly client: SimClient,
    private readonly city: City,
    private readonly params: CityParams,
    private readonly prng: { orders: Prng; reports: Prng; rounds: Prng },
    private readonly windowOf: (index: number) => { startsAt: Date; endsAt: Date },
    private readonly firstCycle: number,
    private readonly progress: { setStage: (text: string) => void; tick: (units?: number) => void },
  ) {
    this.consumersByDid = new Map(city.consumers.map((c) => [c.pair.did, c]));
  }

  async all(): Promise<void> {
    for (let index = 0; index < this.params.cycles; index++) {
      const { startsAt, endsAt } = this.windowOf(index);
      this.timeline.add(startsAt.getTime() + 10 * MINUTE_MS, { kind: 'open', index });
      this.timeline.add(endsAt.getTime() - 30 * MINUTE_MS, { kind: 'complete' });
      this.timeline.add(endsAt.getTime() + MINUTE_MS, { kind: 'close', index });
    }
    for (let item = this.timeline.next(); item !== undefined; item = this.timeline.next()) {
      this.client.clock.advanceTo(new Date(item.at));
      const event = item.event;
      switch (event.kind) {
        case 'open':
          await this.openCycle(event.index);
          break;
        case 'order':
          await this.consumerOrder(event.consumer);
          this.progress.tick();
          break;
        case 'reveal':
          await this.reveal(event.roundId, event.stage);
          break;
        case 'tally':
          await this.tally();
          break;
        case 'complete':
          await this.completeDueOrders();
          break;
        case 'close':
          await this.close(event.index);
          break;
      }
    }
  }

  private label(index: number, what: string) {
    this.progress.setStage(`cycle ${index + 1}/${this.params.cycles}: ${what}`);
  }

  // ── the start of a cycle: rounds, then the consumers' orders ────────────────────────────────

  private async openCycle(index: number): Promise<void> {
    this.label(index, 'test rounds');
    this.book = emptyBook();
    const cycle = this.firstCycle + index;
    const { startsAt, endsAt } = this.windowOf(index);
    // The listed products tested least so far, the ties in random order.
    const listed = this.prng.rounds
      .sample(
        this.city.products.filter((p) => p.listed),
        this.city.products.length,
      )
      .sort((a, b) => a.rounds - b.rounds)
      .slice(0, this.params.roundsPerCycle);
    const lots: { product: Product; lotId: string }[] = [];
    for (const [k, product] of listed.entries()) {
      const lotId = `L${cycle}-${k}`;
      await this.client.submit(product.producer, 'catalog.lot.registered', {
        productId: product.id,
        lotId,
        productionDate: this.client.clock.now().toISOString().slice(0, 10),
        quantity: 1_000,
      });
      lots.push({ product, lotId });
    }
    // The jobs a running server runs on their own: the panel election, then a checkpoint to seed the draw.
    await runPanelElections(this.server.ctx);
    await this.server.integrate();
    for (const { product, lotId } of lots) {
      const opened = await this.client.request<{
        roundId: string;
        drawn: { tester: string }[];
        commitDeadline: string;
        revealDeadline: string;
        error?: { code: string };
      }>('POST', '/v1/consensus/rounds', {
        as: this.city.operator,
        headers: { 'idempotency-key': this.client.idempotencyKey('round') },
        payload: { productId: product.id, lotId },
      });
      if (opened.status !== 201) {
        this.refused.push({ cycle, productId: product.id, code: opened.body.error?.code ?? String(opened.status) });
        continue;
      }
      product.rounds++;
      const record: RoundRecord = {
        roundId: opened.body.roundId,
        productId: product.id,
        honest: product.honest,
        openedCycle: cycle,
        stages: 1,
        testers: 0,
        decision: null,
        verdict: null,
        decidedAt: null,
      };
      this.roundRecords.push(record);
      const round: OpenRound = { record, product, stages: new Map() };
      this.open.set(record.roundId, round);
      await this.testersBuyAndCommit(
        round,
        0,
        opened.body.drawn.map((seat) => seat.tester),
      );
      this.scheduleStage(record.roundId, 0, opened.body.commitDeadline, opened.body.revealDeadline);
    }

    // The consumers' orders of the cycle, at random times while they can still complete in it.
    this.label(index, 'orders');
    const first = startsAt.getTime() + HOUR_MS;
    const last = Math.max(first, endsAt.getTime() - (this.server.ctx.config.returnWindowDays + 1) * DAY_MS);
    const whole = Math.floor(this.params.ordersPerConsumer);
    const fraction = this.params.ordersPerConsumer - whole;
    for (const consumer of this.city.consumers) {
      const planned = whole + (fraction > 0 && this.prng.orders.chance(fraction) ? 1 : 0);
      const count = Math.max(0, planned - (this.book.roundPurchases.get(consumer.pair.did) ?? 0));
      for (let i = 0; i < count; i++) {
        this.timeline.add(first + Math.floor(this.prng.orders.next() * (last - first)), {
          kind: 'order',
          index,
          consumer,
        });
      }
    }
  }

  private scheduleStage(roundId: string, stage: number, commitDeadline: string, revealDeadline: string) {
    this.timeline.add(Date.parse(commitDeadline) + HOUR_MS, { kind: 'reveal', roundId, stage });
    this.timeline.add(Date.parse(revealDeadline) + HOUR_MS, { kind: 'tally' });
  }

  /** What a drawn tester measures: the product's true values, with their care (or lack of it). */
  private measure(product: Product, consumer: Consumer): TestReport['values'] {
    const r = this.prng.reports;
    const noise = consumer.sloppy ? (r.chance(0.5) ? 1 : -1) * (1 + r.next()) : (r.next() - 0.5) * 0.4;
    return { moisture: Math.round((product.trueMoisture + noise) * 100) / 100, organic: true, grade: '一级' };
  }

  private async testersBuyAndCommit(round: OpenRound, stage: number, drawn: string[]): Promise<void> {
    const commitments: Commitment[] = [];
    for (const did of drawn) {
      const consumer = this.consumersByDid.get(did);
      if (consumer === undefined) continue; // not one of the city's testers: cannot happen, but never guess
      const orderId = await this.buy(consumer, round.product);
      this.book.roundPurchases.set(did, (this.book.roundPurchases.get(did) ?? 0) + 1);
      const report: TestReport = {
        round: round.record.roundId,
        tester: did,
        values: this.measure(round.product, consumer),
        evidence: [],
        text: '按模型规定的方法实测(模拟)。',
      };
      const salt = toHex(this.prng.reports.bytes(16));
      await this.client.submit(consumer.pair, 'consensus.report.committed', {
        roundId: round.record.roundId,
        orderId,
        commit: reportCommit(report, salt),
      });
      await this.shipAndDeliver(round.product, consumer, orderId);
      commitments.push({ consumer, report, salt });
    }
    round.record.testers += commitments.length;
    round.stages.set(stage, commitments);
  }

  private async reveal(roundId: string, stage: number): Promise<void> {
    const round = this.open.get(roundId);
    for (const c of round?.stages.get(stage) ?? []) {
      await this.client.submit(c.consumer.pair, 'consensus.report.revealed', {
        roundId,
        report: c.report,
        salt: c.salt,
      });
    }
  }

  private async tally(): Promise<void> {
    const runs = await tallyDueRounds(this.server.ctx);
    for (const run of runs) {
      const round = this.open.get(run.roundId);
      if (round === undefined || run.decision === undefined) continue;
      if (run.decision === 'extend') {
        this.book.extended++;
        const view = await this.client.expect<{
          stage: number;
          commitDeadline: string;
          revealDeadline: string;
          testers: { tester: string; stage: number }[];
        }>([200], 'GET', `/v1/consensus/rounds/${run.roundId}`);
        const stage = view.body.stage;
        round.record.stages = stage + 1;
        const drawn = view.body.testers.filter((t) => t.stage === stage).map((t) => t.tester);
        await this.testersBuyAndCommit(round, stage, drawn);
        this.scheduleStage(run.roundId, stage, view.body.commitDeadline, view.body.revealDeadline);
        continue;
      }
      round.record.decision = run.decision;
      round.record.verdict = run.verdict ?? null;
      round.record.decidedAt = this.client.clock.now().toISOString();
      this.open.delete(run.roundId);
    }
    // A failed verdict suspends the listing: the city stops buying what the platform stopped selling.
    const statuses = await query<{ id: string; status: string }>(
      this.server.ctx.database,
      'select id, status from catalog_products',
    );
    const status = new Map(statuses.map((row) => [row.id, row.status]));
    for (const product of this.city.products) product.listed = status.get(product.id) === 'listed';
  }

  // ── orders ─────────────────────────────────────────────────────────────────────────────────

  private async consumerOrder(consumer: Consumer): Promise<void> {
    const listed = this.city.products.filter((p) => p.listed);
    if (listed.length === 0) {
      this.book.skippedOrders++;
      return;
    }
    const product = this.prng.orders.pick(listed);
    const orderId = await this.buy(consumer, product);
    await this.shipAndDeliver(product, consumer, orderId);
    if (this.params.refundRate > 0 && this.prng.orders.chance(this.params.refundRate)) {
      const refundId = `rf-${this.refunds++}`;
      await this.client.submit(consumer.pair, 'orders.refund.requested', {
        orderId,
        refundId,
        reason: '七天无理由退货(模拟)',
      });
      await this.client.submit(product.producer, 'orders.refund.approved', { orderId, refundId });
      await this.server.deliverWebhooks();
      this.book.refundedOrders++;
      this.book.refundedFen += product.priceFen;
    }
  }

  /** Cart, quote, the signed order, checkout, and the sandbox payment's webhook: returns the order id. */
  private async buy(consumer: Consumer, product: Product): Promise<string> {
    const as = consumer.pair;
    await this.client.expect([200], 'PUT', '/v1/cart/items', { as, payload: { skuId: product.skuId, quantity: 1 } });
    const quote = await this.client.expect<{ orders: { body: Record<string, unknown> }[]; unavailable: unknown[] }>(
      [200],
      'POST',
      '/v1/checkout/quote',
      { as },
    );
    const [quoted, ...more] = quote.body.orders;
    if (quoted === undefined || more.length > 0 || quote.body.unavailable.length > 0)
      throw new Error(`simulate: the quote of ${product.id} is not one order: ${JSON.stringify(quote.body)}`);
    const placed = await this.client.expect<{ order: { id: string; totalFen?: string } }>(
      [201],
      'POST',
      '/v1/checkout',
      {
        as,
        headers: { 'idempotency-key': this.client.idempotencyKey('checkout') },
        payload: {
          envelope: this.client.sign(as, 'orders.order.placed', quoted.body),
          addressId: consumer.addressId,
          simulate: 'succeed',
        },
      },
    );
    await this.server.deliverWebhooks();
    this.book.placedOrders++;
    this.book.placedFen += product.priceFen;
    return placed.body.order.id;
  }

  private async shipAndDeliver(product: Product, consumer: Consumer, orderId: string): Promise<void> {
    await this.client.expect([201], 'POST', `/v1/orders/${orderId}/shipment`, {
      as: product.producer,
      payload: {
        envelope: this.client.sign(product.producer, 'orders.order.shipped', { orderId, carrier: '顺丰速运' }),
        trackingNumber: `SF${String(1_000_000_000 + this.book.placedOrders)}`,
      },
    });
    await this.client.submit(consumer.pair, 'orders.order.delivered', { orderId });
  }

  /** The order timers (the server's own job): the delivered orders whose return window has passed complete. */
  private async completeDueOrders(): Promise<void> {
    while ((await runOrderTimers(this.server.ctx)) > 0);
  }

  // ── the close ────────────────────────────────────────────────────────────────────────────────

  private async close(index: number): Promise<void> {
    this.label(index, 'closing the cycle');
    const cycle = this.firstCycle + index;
    const phases: Record<CloseProgress['phase'], string> = {
      commissions: 'releasing commissions',
      orders: 'settling orders',
      payouts: 'paying the leaves',
    };
    const summary = await closeSettlementCycle(this.server.ctx, cycle, {
      onProgress: (p) => this.label(index, `closing: ${phases[p.phase]} ${p.done}/${p.total}`),
    });
    if (summary.status !== 'closed') throw new Error(`simulate: cycle ${cycle} did not close`);
    const retirement = await runPointsRetirement(this.server.ctx, this.client.clock.now());
    const { roundPurchases: _, extended, ...bookkeeping } = this.book;
    this.cycles.push(
      await readCycleMetrics({
        database: this.server.ctx.database,
        roles: this.city.roles,
        summary,
        index: index + 1,
        bookkeeping,
        extended,
        retired: retirement.ran ? retirement.retiredPoints : 0n,
      }),
    );
    this.progress.tick();
  }
}
