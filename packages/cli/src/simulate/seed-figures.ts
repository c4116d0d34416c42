/**
 * The numbers of the two worked examples the simulator reproduces, each with the line of the seed
 * document (../shared/seeds/) it comes from. Amounts are fen per cycle at the seed's full scale.
 *
 * `measure` names what the simulator puts beside the figure (see report.ts `simulatedFigure`);
 * `null` marks a figure the seed states but no transaction produces (a fee for data reports, an
 * operating cost): the report shows it with "not simulated".
 */

export type SeedId = 'seed-001' | 'seed-002';

export type Measure =
  | 'gmv'
  | 'experience_pool'
  | 'experience_experts'
  | 'experience_testers'
  | 'experience_platform'
  | 'trust_pool'
  | 'platform_service_fee'
  | 'cashback_share'
  | 'cashback_points'
  | 'promoter_commissions'
  | 'supplier_income'
  | 'supplier_profit';

export interface SeedFigure {
  key: string;
  label: { zh: string; en: string };
  /** Fen per cycle, at the seed's scale. */
  fen: bigint;
  measure: Measure | null;
  /** The seed's words the figure comes from. */
  source: string;
  note?: string;
}

export interface SeedExample {
  id: SeedId;
  file: string;
  title: { zh: string; en: string };
  /** What one cycle of the example is. */
  cycle: { zh: string; en: string };
  figures: SeedFigure[];
}

const WAN = 1_000_000n; // 万元 in fen

/** Seed `001_…`: the experience pool and the trust fee of one consensus cycle with ¥20 million of sales. */
export const SEED_001: SeedExample = {
  id: 'seed-001',
  file: '001_406d54ba645d3985.txt',
  title: {
    zh: '分布式商业协作系统:一个共识周期的体验费与信任费',
    en: 'Experience pool and trust fee of one consensus cycle',
  },
  cycle: { zh: '一个共识周期', en: 'one consensus cycle' },
  figures: [
    {
      key: 'gmv',
      label: { zh: '销售总额', en: 'Sales (GMV)' },
      fen: 2000n * WAN,
      measure: 'gmv',
      source: '如果一个共识周期内的销售总额是 2000 万,平均体验费是 15%,',
    },
    {
      key: 'experience_pool',
      label: { zh: '可分配体验费(15%)', en: 'Experience pool (15%)' },
      fen: 300n * WAN,
      measure: 'experience_pool',
      source: '那么,这个共识周期内的可分配资金总额是 300 万。',
    },
    {
      key: 'experts',
      label: { zh: '商品专家(10%)', en: 'Commodity experts (10%)' },
      fen: 30n * WAN,
      measure: 'experience_experts',
      source: '其中的 10%,即 30 万元可分配给相应的商品专家;',
    },
    {
      key: 'testers',
      label: { zh: '竞争获胜的体验消费者(50%)', en: 'Winning experience consumers (50%)' },
      fen: 150n * WAN,
      measure: 'experience_testers',
      source: '50%,即 150 万元分配给头部竞争获胜的体验消费者;',
      note: 'Simulated: the winners’ rewards, their nominators’ shares included (DESIGN §8.4).',
    },
    {
      key: 'platform',
      label: { zh: '电商平台(40%)', en: 'Platform (40%)' },
      fen: 120n * WAN,
      measure: 'experience_platform',
      source: '另外的 40%,即 120 万元分配给电商平台。',
    },
    {
      key: 'trust_fee',
      label: { zh: '可信商业数字公社(千分之六)', en: 'Trusted commerce DC (0.6%)' },
      fen: 12n * WAN,
      measure: 'trust_pool',
      source: '分布式商业环境中商品销售总额(2000 万元)的千分之六,即 12 万元需要支付给"可信"商业数字公社的参与者。',
      note: 'The seed also says "销售额 6%的服务费"; its worked example (and DESIGN §7) uses 千分之六, 60 bps.',
    },
  ],
};

/** Seed `002_…` section 六 "案例模型:单城跑通逻辑": one month of a city of 10,000 consumers. */
export const SEED_002: SeedExample = {
  id: 'seed-002',
  file: '002_3df83b036521928c.txt',
  title: { zh: '四方共赢:单城跑通逻辑(月收益测算)', en: 'Four-party model: one city, one month' },
  cycle: { zh: '一个月', en: 'one month' },
  figures: [
    {
      key: 'gmv',
      label: { zh: '成交额(1万人×150元)', en: 'Sales (10,000 × ¥150)' },
      fen: 150n * WAN,
      measure: 'gmv',
      source: '🔸 1万名消费者,客单价150元,月复购率35%;',
      note: 'The seed’s arithmetic counts one ¥150 order per consumer a month (the 35% repurchase rate is not used in it).',
    },
    {
      key: 'platform_take',
      label: { zh: '交易抽成(6%)', en: 'Platform service fee (6%)' },
      fen: 9n * WAN,
      measure: 'platform_service_fee',
      source: '交易抽成:1万人×150元×6%=9万元;',
    },
    {
      key: 'data_services',
      label: { zh: '数据服务', en: 'Data services' },
      fen: 10n * WAN,
      measure: null,
      source: '数据服务:50家×2000元=10万元;',
      note: 'A subscription, not a sale: not simulated.',
    },
    {
      key: 'platform_revenue',
      label: { zh: '平台收入合计', en: 'Platform revenue' },
      fen: 19n * WAN,
      measure: null,
      source: '合计约19万元。',
      note: 'Service fee + data services; the data services are not simulated.',
    },
    {
      key: 'cashback',
      label: { zh: '消费者返利(8%)', en: 'Consumer cashback (8%)' },
      fen: 12n * WAN,
      measure: 'cashback_share',
      source: '消费者返利:1万人×150元×8%=12万元;',
      note: 'Simulated: the cashback share of the split (set aside to back the points).',
    },
    {
      key: 'cashback_points',
      label: { zh: '其中实发返利积分', en: 'of which credited as points' },
      fen: 12n * WAN,
      measure: 'cashback_points',
      source: '消费者返利:1万人×150元×8%=12万元;',
      note: 'Points are credited at the member’s tier rate (DESIGN §9: normal 5%, silver 8%, gold 12%); a new member is normal, so 5% — the rest of the share stays with the platform.',
    },
    {
      key: 'commissions',
      label: { zh: '推广者佣金(12%)', en: 'Promoter commissions (12%)' },
      fen: 18n * WAN,
      measure: 'promoter_commissions',
      source: '推广者佣金:1万人×150元×12%=18万元;',
      note: 'Simulated: 10% direct + 2% team override (every promoter has a team lead).',
    },
    {
      key: 'supplier_profit',
      label: { zh: '供应商利润(25%)', en: 'Supplier profit (25%)' },
      fen: 375n * (WAN / 10n),
      measure: 'supplier_profit',
      source: '供应商利润:1万人×150元×25%=37.5万元。',
      note: 'Simulated: the supplier’s share less a cost of 30% of the price ("成本约30%"). The seed’s shares (6% + 8% + 12% + 55%) leave 19% unassigned; on Concord the supplier keeps what the experience fee (15%) and the trust fee (0.6%) leave: 58.4%.',
    },
    {
      key: 'platform_net',
      label: { zh: '平台净利润', en: 'Platform net profit' },
      fen: 9n * WAN,
      measure: null,
      source: '平台净利润:19万元-运营成本10万元=9万元。',
      note: 'Needs the data services and the operating cost: not simulated.',
    },
  ],
};

export const SEED_EXAMPLES: Record<SeedId, SeedExample> = { 'seed-001': SEED_001, 'seed-002': SEED_002 };

/** Seed `002_…`'s city, before scaling: the numbers its example assumes. */
export const SEED_002_CITY = {
  consumers: 10_000,
  ticketFen: 15_000n,
  monthlyRepurchase: 0.35,
  promoters: 200,
  teamSize: 50,
  suppliers: 50,
  grossMargin: 0.4,
  /** "基础分成:商品售价的50%-60%(成本约30%,剩余为利润)". */
  costShare: 0.3,
  source: ['🔸 1万名消费者,客单价150元,月复购率35%;', '🔸 200个推广者,人均团队50人;', '🔸 50家供应商,平均毛利40%。'],
} as const;
