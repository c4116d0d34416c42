import { createHmac } from 'node:crypto';
import {
  type ClaimValue,
  type JuryChoice,
  juryRoundId,
  reportCommit,
  type TestReport,
  voteCommit,
} from '@concord/protocol';
import {
  type AppContext,
  caseIdOf,
  type KeyPair,
  mintPoints,
  ruleDueAppeals,
  runPanelElections,
  tallyDueRounds,
  transaction,
} from '@concord/server';
import type { DemoProducer } from './demo-catalog.js';
import { type DemoClient, until } from './demo-client.js';

/**
 * The experience consensus in the demo (DESIGN §8, issue 7), told through the real API and the
 * server's own jobs, so every step is a signed envelope on the log:
 * - the cooking-oil panel: eight testers stand as candidates, two nominators stake points behind
 *   them (a demo grant funds the stake), and the election job elects the panel by Phragmén;
 * - two rounds drawn from it: the pressed soybean oil of 五常稻香 passes and gets its badge (one
 *   careless tester is penalised and their backers slashed); a trader's "pressed, grade one" oil
 *   turns out solvent-extracted and third grade: it fails its mandatory attributes, its listing
 *   is suspended, the two customers who bought it are offered refunds (the testers' purchases are
 *   the cost of their tests) and its producer's deposit is cut;
 * - the trader appeals with a bond paid through the sandbox; a jury of experts and experienced
 *   testers with no tie to the case commits and reveals its votes, and the ruling job rules.
 * Drawn testers buy the product through checkout, receive it, test it, then commit to their
 * report and reveal it. The deadlines are days long, so the story runs in the past: the demo's
 * clock (which the server follows) starts CONSENSUS_DAYS_AGO days back and moves forward to each
 * step's time, taken from the rounds' and the appeal's own deadlines, so a story interrupted
 * half-way resumes where it stopped. Once the appeal is ruled the story is done and a later run
 * only reads it.
 */

/** How far in the past the demo starts, so that the story (about 24 days) is over before today. */
export const CONSENSUS_DAYS_AGO = 40;

const CATEGORY = 'oil';
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

interface Address {
  recipient: string;
  phone: string;
  region: string;
  detail: string;
}

interface DemoTester {
  name: string;
  persona: string;
  /** Kept by the tester on their candidacy: their share of rewards before their backers'. */
  commissionBps: number;
  address: Address;
}

const tester = (
  name: string,
  who: string,
  city: string,
  commissionBps: number,
  phone: string,
  region: string,
  detail: string,
): DemoTester => ({
  name,
  persona: `体验官 ${who}（${city}）`,
  commissionBps,
  address: { recipient: who, phone, region, detail },
});

export const DEMO_TESTERS: DemoTester[] = [
  tester('tester', '林晓', '厦门', 1000, '13901390001', '福建省 厦门市 思明区', '软件园二期观日路 24 号 402'),
  tester('tester-2', '高远', '南京', 800, '13901390002', '江苏省 南京市 鼓楼区', '广州路 188 号苏宁环球大厦 1506'),
  tester('tester-3', '吴倩', '武汉', 1200, '13901390003', '湖北省 武汉市 洪山区', '珞喻路 129 号光谷广场 B 座 903'),
  tester('tester-4', '郑浩', '西安', 1000, '13901390004', '陕西省 西安市 雁塔区', '科技路 48 号创业广场 C 座 1102'),
  tester('tester-5', '何静', '长沙', 500, '13901390005', '湖南省 长沙市 岳麓区', '麓谷大道 658 号麓谷信息港 A 座 711'),
  tester('tester-6', '孙磊', '青岛', 1500, '13901390006', '山东省 青岛市 崂山区', '香港东路 195 号上实中心 T3 座 2208'),
  tester('tester-7', '马兰', '昆明', 1000, '13901390007', '云南省 昆明市 五华区', '人民中路 17 号 1203 室'),
  tester('tester-8', '罗斌', '重庆', 1000, '13901390008', '重庆市 重庆市 渝北区', '金开大道 68 号协信星光广场 2-1707'),
];

/**
 * Buyers of the trader's oil before its round was decided: a failed verdict offers them refunds
 * (a tester's purchase is the cost of the test, never refunded).
 */
const LOT_BUYERS: { name: string; persona: string; address: Address }[] = [
  {
    name: 'consumer-4',
    persona: '买家 刘洋（天津）',
    address: {
      recipient: '刘洋',
      phone: '13800138004',
      region: '天津市 天津市 南开区',
      detail: '鞍山西道 72 号 5-302',
    },
  },
  {
    name: 'consumer-5',
    persona: '买家 黄丽（广州）',
    address: {
      recipient: '黄丽',
      phone: '13800138005',
      region: '广东省 广州市 天河区',
      detail: '体育西路 103 号维多利广场 B 座 2601',
    },
  },
];

/** Who stakes behind whom: each nominator's points come from a demo grant (see grantStake). */
const DEMO_NOMINATIONS = [
  { name: 'nominator', stakePoints: 20_000n, targets: ['tester', 'tester-2', 'tester-3', 'tester-4', 'tester-5'] },
  // Nominators back experts too, for juries (DESIGN §8.2): the expert juror serves with stake.
  {
    name: 'nominator-2',
    stakePoints: 12_000n,
    targets: ['tester-4', 'tester-5', 'tester-6', 'tester-7', 'tester-8', 'juror'],
  },
];

/** The demo accounts the consensus story adds (demo.ts registers them and approves their roles). */
export const CONSENSUS_ACCOUNTS: { name: string; role?: 'tester' | 'expert'; persona?: string }[] = [
  ...DEMO_TESTERS.map((t) => ({ name: t.name, role: 'tester' as const, persona: t.persona })),
  ...LOT_BUYERS.map((b) => ({ name: b.name, persona: b.persona })),
  { name: 'nominator', persona: '提名人 钱多多' },
  { name: 'nominator-2', persona: '提名人 赵稳' },
  // Juries are drawn from experts and experienced testers (DESIGN §8.5): the juror is an expert
  // who publishes no model of their own, so they are never tied to a product's case.
  { name: 'juror', role: 'expert', persona: '周正 · 食品检验高级工程师（仲裁员）' },
];

/** The trader whose oil fails its round: a producer of its own, so the suspension touches no other demo step. */
export const CONSENSUS_PRODUCER: DemoProducer = {
  name: 'producer-4',
  persona: '鑫源粮油贸易有限公司（河北沧州）',
  products: [
    {
      id: 'xinyuan-soybean-oil',
      category: 'oil',
      title: { zh: '鑫源 压榨一级大豆油 5L', en: 'Xinyuan pressed soybean oil, grade one, 5 L' },
      description:
        '精选东北大豆，物理压榨，一级品质，非转基因。家庭装 5L 桶，炒菜、煎炸、凉拌皆宜，工厂直发，量大从优。',
      model: 'soybean-oil-gbt1535',
      claims: {
        grade: '一级',
        pressed: true,
        acid_value: 0.4,
        peroxide: 3.5,
        moisture_volatile: 0.06,
        insoluble: 0.03,
        benzopyrene: 2,
        non_gmo: true,
      },
      skus: [{ code: '5L', options: { 规格: '5L' }, priceFen: '6990', stock: 200 }],
      lots: [{ lotId: 'XY-OIL-20261008', productionDate: '2026-10-08', quantity: 2000 }],
    },
  ],
};

type Values = Record<string, ClaimValue>;

interface TestedLot {
  /** In order ids: demo-test-<tag>-<tester>, demo-buy-<tag>-<buyer>. */
  tag: string;
  productId: string;
  lotId: string;
  skuId: string;
  producer: string;
  carrier: string;
  /** The tracking numbers' prefix. */
  tracking: string;
  /** What the tester at `position` of the draw measures. */
  readings: (position: number) => { values: Values; text: string };
}

const OIL = { grade: '一级', pressed: true, non_gmo: true };

/** Measured with the model's methods, within a tolerance of the claims; the seventh tester guesses. */
const PASS_READINGS: Values[] = [
  { acid_value: 0.34, peroxide: 3.1, moisture_volatile: 0.05, insoluble: 0.02, benzopyrene: 1.4 },
  { acid_value: 0.36, peroxide: 3.3, moisture_volatile: 0.06, insoluble: 0.02, benzopyrene: 1.7 },
  { acid_value: 0.35, peroxide: 3.2, moisture_volatile: 0.05, insoluble: 0.03, benzopyrene: 1.5 },
  { acid_value: 0.33, peroxide: 3.4, moisture_volatile: 0.04, insoluble: 0.02, benzopyrene: 1.2 },
  { acid_value: 0.37, peroxide: 3.0, moisture_volatile: 0.05, insoluble: 0.01, benzopyrene: 1.9 },
  { acid_value: 0.35, peroxide: 3.3, moisture_volatile: 0.06, insoluble: 0.02, benzopyrene: 1.6 },
];
const CARELESS: Values = {
  grade: '二级',
  pressed: true,
  acid_value: 0.9,
  peroxide: 6.5,
  moisture_volatile: 0.15,
  insoluble: 0.12,
  benzopyrene: 8,
  non_gmo: false,
};

/** Solvent-extracted third-grade oil sold as pressed grade one. */
const FAIL_READINGS: Values[] = [
  { acid_value: 1.78, peroxide: 6.9, moisture_volatile: 0.07, insoluble: 0.04, benzopyrene: 2.7 },
  { acid_value: 1.84, peroxide: 6.6, moisture_volatile: 0.08, insoluble: 0.05, benzopyrene: 2.4 },
  { acid_value: 1.8, peroxide: 7.1, moisture_volatile: 0.07, insoluble: 0.04, benzopyrene: 2.9 },
  { acid_value: 1.86, peroxide: 6.8, moisture_volatile: 0.06, insoluble: 0.03, benzopyrene: 2.6 },
  { acid_value: 1.75, peroxide: 6.5, moisture_volatile: 0.07, insoluble: 0.04, benzopyrene: 2.5 },
  { acid_value: 1.82, peroxide: 7.0, moisture_volatile: 0.08, insoluble: 0.05, benzopyrene: 2.8 },
  { acid_value: 1.79, peroxide: 6.7, moisture_volatile: 0.07, insoluble: 0.04, benzopyrene: 2.6 },
];

const PASS_LOT: TestedLot = {
  tag: 'oil',
  productId: 'pressed-soybean-oil',
  lotId: 'WC-OIL-20260920',
  skuId: 'pressed-soybean-oil:1-8L',
  producer: 'producer',
  carrier: '顺丰速运',
  tracking: 'SF140265',
  readings: (position) =>
    position < PASS_READINGS.length
      ? {
          values: { ...OIL, ...PASS_READINGS[position] },
          text: '按模型规定方法实测：酸价 GB 5009.229、过氧化值 GB 5009.227、苯并[a]芘 GB 5009.27；溶剂残留未检出。',
        }
      : { values: CARELESS, text: '用家用试纸粗测，未按模型规定的方法检测。' },
};

const FAIL_LOT: TestedLot = {
  tag: 'xinyuan',
  productId: 'xinyuan-soybean-oil',
  lotId: 'XY-OIL-20261008',
  skuId: 'xinyuan-soybean-oil:5L',
  producer: 'producer-4',
  carrier: '中通快递',
  tracking: 'ZT7312604',
  readings: (position) => ({
    values: { grade: '三级', pressed: false, non_gmo: true, ...FAIL_READINGS[position % FAIL_READINGS.length] },
    text: '酸价、过氧化值远超一级指标；检出溶剂残留（浸出工艺，并非压榨），按 GB/T 1535-2017 仅达三级。',
  }),
};

const APPEAL_GROUNDS =
  '送检样品在运输途中受高温暴晒，酸价与过氧化值升高不能代表出厂品质；本批次出厂检验报告符合 GB/T 1535-2017 一级指标，申请复核。';

export interface ConsensusParties {
  operator: KeyPair;
  /** Every demo account by key file name. */
  accounts: Map<string, KeyPair>;
  /** The buyer's saved shipping address (made on first use); returns its id. */
  ensureAddress: (buyer: KeyPair, address: Address) => Promise<string>;
}

interface RoundSummary {
  id: string;
  productId: string;
  cycle: number;
  status: 'open' | 'decided' | 'inconclusive';
  stage: number;
  verdict: string | null;
  openedAt: string;
  commitDeadline: string;
  revealDeadline: string;
}

interface RoundView extends RoundSummary {
  draws: { stage: number; drawn: string[] }[];
  testers: { tester: string; committed: boolean; revealStatus: string | null }[];
}

interface TallyView {
  status: string;
  verdict: string | null;
  decidedAt: string | null;
  tallies: { stage: number; result: { failedMandatory: string[]; revealed: number } }[];
  rewards: {
    result: {
      rewards: { testers: { tester: string; penalised: boolean }[] };
      slashes: { party: string; slashedPoints: string }[];
    };
  } | null;
}

interface JurorView {
  juror: string;
  committed: boolean;
  revealed: boolean;
  vote: 'uphold' | 'overturn' | null;
  coherent: boolean | null;
  stakePoints: string;
  rewardFen: string | null;
  slashPoints: string | null;
  rewardPoints: string | null;
}

interface AppealView {
  caseId: string;
  instance: number;
  appellant: string;
  bondFen: string;
  status: 'awaiting_bond' | 'voting' | 'ruled' | 'lapsed';
  commitDeadline: string | null;
  revealDeadline: string | null;
  ruling: 'uphold' | 'overturn' | null;
  jurors: JurorView[];
}

const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs);
const latest = (times: string[]) => times.reduce((a, b) => (a > b ? a : b));

/** The latest round of a product, if any. */
async function roundOf(client: DemoClient, productId: string): Promise<RoundSummary | undefined> {
  const page = await client.expect<{ items: RoundSummary[] }>(
    [200],
    'GET',
    `/v1/consensus/rounds?productId=${productId}&limit=1`,
  );
  return page.body.items[0];
}

const roundView = async (client: DemoClient, id: string) =>
  (await client.expect<RoundView>([200], 'GET', `/v1/consensus/rounds/${id}`)).body;

async function appealOf(client: DemoClient, roundId: string): Promise<AppealView | undefined> {
  const found = await client.request<{ instances: AppealView[] }>('GET', `/v1/consensus/appeals/${caseIdOf(roundId)}`);
  if (found.status === 404) return undefined;
  if (found.status !== 200) throw new Error(`demo: the appeal of ${roundId} answered ${found.status}`);
  return found.body.instances[0];
}

/** Whether the story is told: both lots were tested and the appeal of the failed one is ruled. */
export async function consensusLoaded(client: DemoClient): Promise<boolean> {
  const failed = await roundOf(client, FAIL_LOT.productId);
  if (failed === undefined || (await roundOf(client, PASS_LOT.productId)) === undefined) return false;
  return (await appealOf(client, failed.id))?.status === 'ruled';
}

/**
 * Tells the consensus story, from wherever an earlier run left it. The demo's clock must be set in
 * the past (CONSENSUS_DAYS_AGO) and the accounts, their roles and the catalogue loaded; the story
 * leaves the clock at the ruling, some two weeks before the real time.
 */
export async function loadConsensus(client: DemoClient, ctx: AppContext, parties: ConsensusParties): Promise<void> {
  const pair = (name: string) => {
    const found = parties.accounts.get(name);
    if (found === undefined) throw new Error(`demo: no account ${name}`);
    return found;
  };
  const byDid = new Map([...parties.accounts].map(([name, key]) => [key.did, { name, key }]));
  const account = (did: string) => {
    const found = byDid.get(did);
    if (found === undefined) throw new Error(`demo: ${did} is not a demo account`);
    return found;
  };

  let passRound = await roundOf(client, PASS_LOT.productId);
  let failRound = await roundOf(client, FAIL_LOT.productId);
  if (passRound === undefined || failRound === undefined) {
    await standAndNominate(client, ctx, pair);
    passRound ??= await openRound(client, ctx, parties.operator, PASS_LOT);
    failRound ??= await openRound(client, ctx, parties.operator, FAIL_LOT);
  }
  const tested = [
    { lot: PASS_LOT, view: await roundView(client, passRound.id) },
    { lot: FAIL_LOT, view: await roundView(client, failRound.id) },
  ];
  if (tested.some(({ view }) => view.status === 'open')) {
    await testRounds(client, tested, pair, account, parties);
    await tallyRounds(client, ctx, tested);
  }
  await appealAndRule(client, ctx, failRound.id, pair(CONSENSUS_PRODUCER.name), account);
}

/**
 * The testers stand for the oil panel; the nominators, funded by a demo grant, stake behind them.
 * Resuming, the clock first moves past what an earlier run signed of this.
 */
async function standAndNominate(client: DemoClient, ctx: AppContext, pair: (name: string) => KeyPair): Promise<void> {
  interface Me {
    pointsBalance: string;
    candidacies: { category: string; updatedAt: string }[];
    nomination: { updatedAt: string } | null;
  }
  const views = await Promise.all(
    [...DEMO_TESTERS.map((t) => t.name), ...DEMO_NOMINATIONS.map((n) => n.name)].map(
      async (name) =>
        [name, (await client.expect<Me>([200], 'GET', '/v1/consensus/me', { as: pair(name) })).body] as const,
    ),
  );
  const me = new Map(views);
  const signed = views.flatMap(([, view]) => [
    ...view.candidacies.map((c) => c.updatedAt),
    ...(view.nomination === null ? [] : [view.nomination.updatedAt]),
  ]);
  if (signed.length > 0) client.clock.advanceTo(at(latest(signed), 1_000));
  await Promise.all(
    DEMO_TESTERS.filter((t) => !me.get(t.name)?.candidacies.some((c) => c.category === CATEGORY)).map((tester) =>
      client.submit(pair(tester.name), 'consensus.candidate.declared', {
        category: CATEGORY,
        commissionBps: tester.commissionBps,
      }),
    ),
  );
  for (const nomination of DEMO_NOMINATIONS) {
    const view = me.get(nomination.name);
    if (view === undefined || view.nomination !== null) continue;
    const key = pair(nomination.name);
    const short = nomination.stakePoints - BigInt(view.pointsBalance);
    if (short > 0n) await grantStake(client, ctx, key, nomination.name, short);
    await client.submit(key, 'consensus.nomination.set', {
      targets: nomination.targets.map((name) => pair(name).did),
      stakePoints: nomination.stakePoints.toString(),
    });
  }
}

/**
 * Points for a demo nominator to stake, minted as the platform's points are (an earned member would
 * have them from cashback): a ledger transfer whose id and reference say it is a demo grant.
 */
async function grantStake(
  client: DemoClient,
  ctx: AppContext,
  key: KeyPair,
  name: string,
  points: bigint,
): Promise<void> {
  await transaction(ctx.database.db, (tx) =>
    mintPoints(tx, {
      transferId: `demo-grant:${name}`,
      did: key.did,
      points,
      code: 'points_demo_grant',
      reference: 'demo grant: points to stake behind the demo panel',
      now: client.clock.now(),
    }),
  );
}

/**
 * Opens a round of the lot by the operator's route: the panel election job first elects the
 * panel of this cycle if it has none yet (the draw needs it), and the draw waits for a checkpoint
 * the witnesses have published.
 */
async function openRound(
  client: DemoClient,
  ctx: AppContext,
  operator: KeyPair,
  lot: TestedLot,
): Promise<RoundSummary> {
  await until(`the opening of a round of ${lot.productId}`, async () => {
    const opened = await client.request<{ error?: { code: string } }>('POST', '/v1/consensus/rounds', {
      as: operator,
      headers: { 'idempotency-key': `demo-round-${lot.productId}-${lot.lotId}` },
      payload: { productId: lot.productId, lotId: lot.lotId },
    });
    if (opened.status === 201) return true;
    const code = opened.body.error?.code;
    // Opened meanwhile by the server's own job.
    if (opened.status === 409 && code === 'round_open') return true;
    if (opened.status === 409 && code === 'no_panel') {
      const run = await runPanelElections(ctx);
      if (run.unbacked.includes(CATEGORY) || run.refused.some((r) => r.category === CATEGORY))
        throw new Error(`demo: the ${CATEGORY} panel could not be elected: ${JSON.stringify(run)}`);
      return false;
    }
    if (opened.status === 409 && code === 'no_checkpoint') return false;
    throw new Error(
      `demo: opening a round of ${lot.productId} answered ${opened.status}: ${JSON.stringify(opened.body)}`,
    );
  });
  const round = await roundOf(client, lot.productId);
  if (round === undefined) throw new Error(`demo: the round of ${lot.productId} is missing`);
  return round;
}

interface Tested {
  lot: TestedLot;
  view: RoundView;
}

/** A drawn tester's seat in a round, with its position in the draw (which says what they measure). */
interface Seat {
  lot: TestedLot;
  round: RoundView;
  position: number;
  key: KeyPair;
}

/** One purchase of a tested lot: a drawn tester's (who then tests it), or an ordinary buyer's. */
interface Purchase {
  lot: TestedLot;
  name: string;
  key: KeyPair;
  orderId: string;
  address: Address;
  seat?: Seat;
}

interface OrderView {
  status: string;
  returnWindowEnds: string | null;
}

/**
 * The drawn testers of both rounds buy the lot's product (a checkout paid through the sandbox), and
 * so do two ordinary buyers of the trader's oil; the producers ship, the buyers confirm delivery,
 * and the testers test: each commits to their report by the commit deadline and reveals it (with
 * the salt) in the reveal window, when the return windows are over and the orders complete. Every
 * step looks first whether it was taken, and happens at its time: the clock moves forward as the
 * story goes.
 */
async function testRounds(
  client: DemoClient,
  tested: Tested[],
  pair: (name: string) => KeyPair,
  account: (did: string) => { name: string; key: KeyPair },
  parties: ConsensusParties,
): Promise<void> {
  const purchases: Purchase[] = [
    ...tested.flatMap(({ lot, view }) =>
      (view.draws.find((d) => d.stage === 0)?.drawn ?? []).map((did, position): Purchase => {
        const { name, key } = account(did);
        const tester = DEMO_TESTERS.find((t) => t.name === name);
        if (tester === undefined) throw new Error(`demo: ${name} is drawn but is not a demo tester`);
        const seat = { lot, round: view, position, key };
        return { lot, name, key, orderId: `demo-test-${lot.tag}-${name}`, address: tester.address, seat };
      }),
    ),
    ...LOT_BUYERS.map(
      (buyer): Purchase => ({
        lot: FAIL_LOT,
        name: buyer.name,
        key: pair(buyer.name),
        orderId: `demo-buy-${FAIL_LOT.tag}-${buyer.name}`,
        address: buyer.address,
      }),
    ),
  ];
  const seats = purchases.flatMap((p) => (p.seat === undefined ? [] : [{ ...p, seat: p.seat }]));
  const opened = latest(tested.map((t) => t.view.openedAt));
  // The operator reads every order: one session, where the buyers' would expire at each step.
  const order = async (purchase: Purchase) =>
    (await client.expect<OrderView>([200], 'GET', `/v1/orders/${purchase.orderId}`, { as: parties.operator })).body;
  const inState = async (status: string) =>
    (await Promise.all(purchases.map(async (p) => ({ p, status: (await order(p)).status })))).flatMap((o) =>
      o.status === status ? [o.p] : [],
    );
  const byBuyer = new Map<string, Purchase[]>();
  for (const purchase of purchases) byBuyer.set(purchase.name, [...(byBuyer.get(purchase.name) ?? []), purchase]);

  // Buy: each buyer's orders in turn (they go through the buyer's cart), buyers side by side.
  client.clock.advanceTo(at(opened, HOUR_MS));
  await Promise.all(
    [...byBuyer.values()].map(async (own) => {
      for (const purchase of own) {
        const found = await client.request('GET', `/v1/orders/${purchase.orderId}`, { as: parties.operator });
        if (found.status === 404) await buy(client, purchase, parties);
        else if (found.status !== 200) throw new Error(`demo: order ${purchase.orderId} answered ${found.status}`);
      }
    }),
  );
  // The payments' webhooks are due once the clock passes their time (resuming, a minute later).
  client.clock.advanceTo(at(opened, HOUR_MS + MINUTE_MS));
  await until('the payments of the tested lots', async () => (await inState('created')).length === 0);
  client.clock.advanceTo(at(opened, 4 * HOUR_MS));
  await Promise.all(
    (await inState('paid')).map(async (purchase) => {
      const producer = pair(purchase.lot.producer);
      const { orderId } = purchase;
      await client.expect([201], 'POST', `/v1/orders/${orderId}/shipment`, {
        as: producer,
        payload: {
          envelope: client.sign(producer, 'orders.order.shipped', { orderId, carrier: purchase.lot.carrier }),
          trackingNumber: `${purchase.lot.tracking}${String(purchases.indexOf(purchase)).padStart(4, '0')}`,
        },
      });
    }),
  );
  client.clock.advanceTo(at(opened, 2 * DAY_MS));
  await Promise.all(
    (await inState('shipped')).map((p) => client.submit(p.key, 'orders.order.delivered', { orderId: p.orderId })),
  );
  client.clock.advanceTo(at(opened, 3 * DAY_MS));
  const committed = (seat: Seat) => seat.round.testers.find((t) => t.tester === seat.key.did)?.committed === true;
  await Promise.all(
    seats
      .filter((p) => !committed(p.seat))
      .map((p) =>
        client.submit(p.key, 'consensus.report.committed', {
          roundId: p.seat.round.id,
          orderId: p.orderId,
          commit: reportCommit(reportOf(p.seat), saltOf(p.key, `report\n${p.seat.round.id}`)),
        }),
      ),
  );

  // The reveal window opens at the commit deadline. By then the return windows are over: the
  // platform completes the orders, as the order timers would.
  client.clock.advanceTo(at(latest(tested.map((t) => t.view.commitDeadline)), 2 * HOUR_MS));
  await Promise.all(
    purchases.map(async (purchase) => {
      const now = await order(purchase);
      if (now.status !== 'delivered' || now.returnWindowEnds === null) return;
      if (Date.parse(now.returnWindowEnds) > client.clock.now().getTime()) return;
      const completed = await client.submit<{ error?: { code: string } }>(
        parties.operator,
        'orders.order.completed',
        { orderId: purchase.orderId },
        [201, 409],
      );
      if (completed.status === 409 && completed.body.error?.code !== 'invalid_transition')
        throw new Error(`demo: completing ${purchase.orderId} answered 409: ${JSON.stringify(completed.body)}`);
    }),
  );
  const current = new Map(
    await Promise.all(tested.map(async ({ view }) => [view.id, await roundView(client, view.id)] as const)),
  );
  await Promise.all(
    seats.map(async ({ name, key, seat }) => {
      const status = current.get(seat.round.id)?.testers.find((t) => t.tester === key.did)?.revealStatus;
      if (status === 'valid') return;
      const revealed = await client.submit<{ result: { status: string } }>(key, 'consensus.report.revealed', {
        roundId: seat.round.id,
        report: reportOf(seat),
        salt: saltOf(key, `report\n${seat.round.id}`),
      });
      if (revealed.body.result.status !== 'valid')
        throw new Error(`demo: the reveal of ${name} in ${seat.round.id} is ${revealed.body.result.status}`);
    }),
  );
}

/** A checkout of one unit of the lot's product, paid through the sandbox. */
async function buy(client: DemoClient, purchase: Purchase, parties: ConsensusParties): Promise<void> {
  const { key, orderId } = purchase;
  const addressId = await parties.ensureAddress(key, purchase.address);
  const cart = await client.expect<{ items: { skuId: string }[] }>([200], 'GET', '/v1/cart', { as: key });
  for (const item of cart.body.items) {
    await client.expect([200], 'PUT', '/v1/cart/items', { as: key, payload: { skuId: item.skuId, quantity: 0 } });
  }
  await client.expect([200], 'PUT', '/v1/cart/items', { as: key, payload: { skuId: purchase.lot.skuId, quantity: 1 } });
  const quote = await client.expect<{ orders: { body: Record<string, unknown> }[] }>(
    [200],
    'POST',
    '/v1/checkout/quote',
    {
      as: key,
    },
  );
  const [quoted] = quote.body.orders;
  if (quoted === undefined) throw new Error(`demo: no quote for ${orderId}: ${JSON.stringify(quote.body)}`);
  await client.expect([201], 'POST', '/v1/checkout', {
    as: key,
    headers: { 'idempotency-key': `demo-checkout-${orderId}` },
    payload: {
      envelope: client.sign(key, 'orders.order.placed', { ...quoted.body, orderId }),
      addressId,
      simulate: 'succeed',
    },
  });
}

/** What the tester reports: the same on every run, so a commit made earlier is revealed later. */
function reportOf(seat: Seat): TestReport {
  const { values, text } = seat.lot.readings(seat.position);
  return { round: seat.round.id, tester: seat.key.did, values, evidence: [], text };
}

/**
 * A salt only the key's holder can make, the same on every run (a tester's client keeps its salts;
 * the demo derives them, so a story interrupted after the commits still reveals).
 */
const saltOf = (key: KeyPair, purpose: string) =>
  createHmac('sha256', key.secretKey).update(`concord demo salt\n${purpose}`).digest('hex');

/** Once the reveal window is over the tally job decides both rounds. */
async function tallyRounds(client: DemoClient, ctx: AppContext, tested: Tested[]): Promise<void> {
  client.clock.advanceTo(at(latest(tested.map((t) => t.view.revealDeadline)), HOUR_MS));
  const runs = await tallyDueRounds(ctx);
  for (const { lot, view } of tested) {
    const round = await roundView(client, view.id);
    if (round.status !== 'decided') {
      const run = runs.find((r) => r.roundId === round.id);
      throw new Error(
        `demo: round ${round.id} of ${lot.productId} is ${round.status} at stage ${round.stage} (tally: ${JSON.stringify(run ?? 'not due')})`,
      );
    }
  }
}

/**
 * The failed lot's producer appeals with the bond (paid through the sandbox; the jury is drawn once
 * its webhook arrives); the jurors commit, then reveal their votes (two uphold the verdict, the
 * third would overturn it); after the reveal deadline the ruling job rules.
 */
async function appealAndRule(
  client: DemoClient,
  ctx: AppContext,
  roundId: string,
  producer: KeyPair,
  account: (did: string) => { name: string; key: KeyPair },
): Promise<void> {
  const caseId = caseIdOf(roundId);
  const appeal = await appealOf(client, roundId);
  if (appeal?.status === 'ruled') return;
  const tally = (await client.expect<TallyView>([200], 'GET', `/v1/consensus/rounds/${roundId}/tally`)).body;
  const filedAt = at(tally.decidedAt ?? client.clock.now().toISOString(), DAY_MS);
  client.clock.advanceTo(filedAt);
  if (appeal === undefined) {
    await client.expect([201], 'POST', '/v1/consensus/appeals', {
      as: producer,
      headers: { 'idempotency-key': `demo-appeal-${roundId}-0` },
      payload: {
        envelope: client.sign(producer, 'consensus.appeal.filed', { roundId, instance: 0, grounds: APPEAL_GROUNDS }),
        simulate: 'succeed',
      },
    });
  }
  // The bond's webhook is due once the clock passes its time (resuming, it may be a minute later).
  client.clock.advanceTo(at(filedAt.toISOString(), MINUTE_MS));
  const seen: { appeal?: AppealView | undefined } = {};
  await until(`the jury of ${caseId}`, async () => {
    seen.appeal = await appealOf(client, roundId);
    if (seen.appeal?.status === 'lapsed') throw new Error(`demo: the bond of ${caseId} was not paid`);
    return seen.appeal !== undefined && seen.appeal.status !== 'awaiting_bond';
  });
  const drawn = seen.appeal;
  if (drawn === undefined || drawn.status === 'ruled') return;
  const commitDeadline = drawn.commitDeadline as string;
  const round = juryRoundId(caseId, drawn.instance);
  const voteOf = (i: number): JuryChoice => (i === drawn.jurors.length - 1 && i >= 2 ? 'overturn' : 'uphold');
  const jurors = drawn.jurors.map((juror, i) => {
    const { key } = account(juror.juror);
    return { juror, key, vote: voteOf(i), salt: saltOf(key, `vote\n${caseId}\n${drawn.instance}`) };
  });
  client.clock.advanceTo(at(commitDeadline, -2 * DAY_MS));
  await Promise.all(
    jurors
      .filter(({ juror }) => !juror.committed)
      .map(({ key, vote, salt }) =>
        client.submit(key, 'consensus.jury.committed', {
          caseId,
          instance: drawn.instance,
          commit: voteCommit({ round, juror: key.did, vote }, salt),
        }),
      ),
  );
  client.clock.advanceTo(at(commitDeadline, HOUR_MS));
  await Promise.all(
    jurors
      .filter(({ juror }) => !juror.revealed)
      .map(async ({ key, vote, salt }) => {
        const revealed = await client.submit<{ result: { status: string } }>(key, 'consensus.jury.revealed', {
          caseId,
          instance: drawn.instance,
          vote,
          salt,
        });
        if (revealed.body.result.status !== 'valid')
          throw new Error(`demo: the vote of ${key.did} in ${caseId} is ${revealed.body.result.status}`);
      }),
  );
  client.clock.advanceTo(at(drawn.revealDeadline as string, HOUR_MS));
  await ruleDueAppeals(ctx);
  await until(`the ruling of ${caseId}`, async () => (await appealOf(client, roundId))?.status === 'ruled');
}

interface ProductView {
  status: string;
  verdict: string;
  consensus: {
    round: { id: string; lotId: string; verdict: string; testersDrawn: number; testersRevealed: number };
    badge: { roundId: string } | null;
  } | null;
}

/** What the story made, for the demo's summary (read through the API, so a later run says the same). */
export async function consensusLines(
  client: DemoClient,
  parties: { accounts: Map<string, KeyPair> },
  nameOf: (did: string) => string,
): Promise<string[]> {
  const passRound = await roundOf(client, PASS_LOT.productId);
  const failRound = await roundOf(client, FAIL_LOT.productId);
  if (passRound === undefined || failRound === undefined) return ['Consensus: not loaded.'];
  const lines = ['Consensus (体验共识, run in the past: rounds, verdicts, the appeal and its ruling):'];
  const panel = (
    await client.expect<{ cycle: number; members: { did: string; backedPoints: string }[] }>(
      [200],
      'GET',
      `/v1/consensus/panels/${CATEGORY}?cycle=${passRound.cycle}`,
    )
  ).body;
  const candidates = (
    await client.expect<{ items: unknown[] }>([200], 'GET', `/v1/consensus/candidates?category=${CATEGORY}&limit=100`)
  ).body.items.length;
  const backed = panel.members.reduce((sum, m) => sum + BigInt(m.backedPoints), 0n);
  lines.push(
    `  panel      ${CATEGORY}, cycle ${panel.cycle}: ${panel.members.length} testers elected by Phragmén from ${candidates} candidates, backed by ${backed} points of ${DEMO_NOMINATIONS.map((n) => n.name).join(' and ')}`,
  );
  for (const [label, lot, round] of [
    ['passed', PASS_LOT, passRound],
    ['failed', FAIL_LOT, failRound],
  ] as const) {
    const product = (await client.expect<ProductView>([200], 'GET', `/v1/catalog/products/${lot.productId}`)).body;
    const tally = (await client.expect<TallyView>([200], 'GET', `/v1/consensus/rounds/${round.id}/tally`)).body;
    const decided = product.consensus?.round;
    const parts = [
      `${lot.productId} lot ${lot.lotId}, round ${round.id}: ${tally.verdict ?? round.status}`,
      `${decided?.testersRevealed ?? 0} of ${decided?.testersDrawn ?? 0} testers revealed`,
    ];
    const failed = tally.tallies.at(-1)?.result.failedMandatory ?? [];
    if (failed.length > 0) parts.push(`failed ${failed.join(', ')}`);
    if (product.consensus?.badge?.roundId === round.id) parts.push('badge awarded');
    parts.push(`product ${product.status}, verdict ${product.verdict}`);
    const penalised = tally.rewards?.result.rewards.testers.filter((t) => t.penalised).map((t) => nameOf(t.tester));
    if (penalised !== undefined && penalised.length > 0) {
      const slashed = (tally.rewards?.result.slashes ?? []).reduce((sum, s) => sum + BigInt(s.slashedPoints), 0n);
      parts.push(`penalised: ${penalised.join(', ')} (EP −1, ${slashed} points of the backers' stake slashed)`);
    }
    if (tally.verdict === 'fail') parts.push(...(await failConsequences(client, parties, lot, round.id)));
    lines.push(`  ${label.padEnd(10)} ${parts.join('; ')}`);
  }
  const appeal = await appealOf(client, failRound.id);
  if (appeal !== undefined) {
    const votes = appeal.jurors
      .map((j) => `${nameOf(j.juror)} ${j.vote ?? 'no vote'} (stake ${j.stakePoints} points)`)
      .join(', ');
    const rewarded = appeal.jurors.filter((j) => BigInt(j.rewardFen ?? '0') > 0n);
    const fees = rewarded.reduce((sum, j) => sum + BigInt(j.rewardFen ?? '0'), 0n);
    const slashed = appeal.jurors.reduce((sum, j) => sum + BigInt(j.slashPoints ?? '0'), 0n);
    lines.push(
      `  appeal     ${appeal.caseId} by ${nameOf(appeal.appellant)} (bond ${appeal.bondFen} fen, paid through the sandbox): ${appeal.status}` +
        (appeal.ruling === null ? '' : `, ruling ${appeal.ruling}`) +
        (votes === '' ? '' : `; jury ${votes}`) +
        (rewarded.length === 0
          ? ''
          : `; the jury fee (${fees} fen) shared by ${rewarded.map((j) => nameOf(j.juror)).join(', ')}`) +
        (slashed === 0n ? '' : `; ${slashed} points slashed from the outvoted juror's backers for the others' backers`),
    );
  }
  return lines;
}

/** The refund offers a failed verdict made to the lot's buyers, and what is left of the deposit. */
async function failConsequences(
  client: DemoClient,
  parties: { accounts: Map<string, KeyPair> },
  lot: TestedLot,
  roundId: string,
): Promise<string[]> {
  let offers = 0;
  for (const buyer of LOT_BUYERS) {
    const key = parties.accounts.get(buyer.name);
    if (key === undefined) continue;
    const mine = await client.expect<{ items: { roundId: string }[] }>([200], 'GET', '/v1/consensus/refund-offers', {
      as: key,
    });
    offers += mine.body.items.filter((o) => o.roundId === roundId).length;
  }
  const parts = [`${offers} refund offers to its buyers`];
  const producer = parties.accounts.get(lot.producer);
  if (producer !== undefined) {
    const statement = await client.expect<{ items: { transferId: string; amount: string }[] }>(
      [200],
      'GET',
      `/v1/ledger/accounts/${encodeURIComponent(`deposit:${producer.did}`)}/statement?limit=100`,
      { as: producer },
    );
    const cut = statement.body.items.find((line) => line.transferId === `consensus-deposit-cut:${roundId}`);
    const deposit = await client.expect<{ heldFen: string }>([200], 'GET', '/v1/catalog/deposits', { as: producer });
    parts.push(`deposit cut by ${cut?.amount ?? 0} fen to ${deposit.body.heldFen}`);
  }
  return parts;
}
