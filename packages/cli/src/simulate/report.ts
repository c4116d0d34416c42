import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Comparison, fmtYuan } from './comparison.js';
import type { SimulationResult } from './driver.js';
import type { CycleMetrics, IncomeLine } from './metrics.js';

/**
 * The report of a run: `report.html`, self-contained (ECharts inlined from node_modules, read at
 * run time: nothing is fetched when it is written or opened), and the raw numbers as CSV:
 *
 * - cycles.csv      one row per cycle: sales, the pools, points, rounds;
 * - income.csv      per cycle, per settlement kind and party role: what each kind of party got.
 *                   Its amounts of a cycle add up to the cycle's settled sales (paid_fen): the
 *                   leaves pay what left the escrows, the commission rows what the promoters hold;
 * - rounds.csv      every test round and its outcome;
 * - comparison.csv  with a preset: the seed's figures beside the simulated ones.
 *
 * The HTML carries the same numbers as JSON (<script id="concord-simulation">), amounts in fen as
 * decimal strings.
 */

export interface ReportFiles {
  dir: string;
  html: string;
  csv: string[];
}

/** The party groups of the income chart, from a settlement kind and the role of its party. */
export const INCOME_GROUPS = [
  { key: 'suppliers', zh: '供应商', en: 'Suppliers' },
  { key: 'platform', zh: '平台', en: 'Platform' },
  { key: 'cashback', zh: '消费者返利', en: 'Consumer cashback' },
  { key: 'promoters', zh: '推广者佣金', en: 'Promoters' },
  { key: 'team_leads', zh: '团队长津贴', en: 'Team leads' },
  { key: 'experts', zh: '商品专家', en: 'Experts' },
  { key: 'testers', zh: '体验消费者', en: 'Testers' },
  { key: 'nominators', zh: '提名人', en: 'Nominators' },
  { key: 'witnesses', zh: '公社见证人', en: 'Witnesses' },
  { key: 'other', zh: '其他', en: 'Other' },
] as const;

export type IncomeGroup = (typeof INCOME_GROUPS)[number]['key'];

export function groupOf(line: Pick<IncomeLine, 'kind' | 'role'>): IncomeGroup {
  switch (line.kind) {
    case 'supplier':
      return 'suppliers';
    case 'unused_share':
      return line.role === 'producer' ? 'suppliers' : 'platform';
    case 'platform_service_fee':
    case 'experience_platform':
      return 'platform';
    case 'cashback':
      return 'cashback';
    case 'promoter_commission':
      return 'promoters';
    case 'team_override':
      return 'team_leads';
    case 'experience_expert':
      return 'experts';
    case 'experience_tester':
      return 'testers';
    case 'experience_nominator':
      return 'nominators';
    case 'trust_fee':
      return line.role === 'platform' ? 'platform' : 'witnesses';
    default:
      return 'other';
  }
}

// ── CSV ────────────────────────────────────────────────────────────────────────────────────────

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const csv = (header: string[], rows: unknown[][]) =>
  `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;

export function cyclesCsv(result: SimulationResult): string {
  return csv(
    [
      'index',
      'cycle',
      'starts_at',
      'ends_at',
      'orders_settled',
      'paid_fen',
      'placed_orders',
      'placed_fen',
      'refunded_orders',
      'refunded_fen',
      'skipped_orders',
      'experience_pool_fen',
      'experts_fen',
      'testers_fen',
      'trust_pool_fen',
      'leaves_paid_fen',
      'commissions_held_fen',
      'points_issued',
      'points_burned',
      'points_spent',
      'points_circulating',
      'points_awarded_cashback',
      'points_awarded_referral',
      'points_retired',
      'rounds_opened',
      'rounds_pass',
      'rounds_fail',
      'rounds_inconclusive',
      'rounds_extended',
      'rounds_open',
      'leaves',
      'root',
    ],
    result.cycles.map((c) => [
      c.index,
      c.cycle,
      c.startsAt,
      c.endsAt,
      c.summary.orders,
      c.summary.paidFen,
      c.placedOrders,
      c.placedFen,
      c.refundedOrders,
      c.refundedFen,
      c.skippedOrders,
      c.summary.totals?.experiencePoolFen ?? 0,
      c.summary.totals?.expertsFen ?? 0,
      c.summary.totals?.testersFen ?? 0,
      c.summary.totals?.trustPoolFen ?? 0,
      c.summary.totals?.paidOutFen ?? 0,
      c.commissionsHeldFen,
      c.points.issued,
      c.points.burned,
      c.points.spent,
      c.points.circulating,
      c.points.awardedCashback,
      c.points.awardedReferral,
      c.points.retired,
      c.rounds.opened,
      c.rounds.pass,
      c.rounds.fail,
      c.rounds.inconclusive,
      c.rounds.extended,
      c.rounds.open,
      c.summary.leaves,
      c.summary.root,
    ]),
  );
}

export function incomeCsv(result: SimulationResult): string {
  return csv(
    ['index', 'cycle', 'group', 'kind', 'role', 'parties', 'amount_fen'],
    result.cycles.flatMap((c) =>
      c.income.map((line) => [c.index, c.cycle, groupOf(line), line.kind, line.role, line.parties, line.amountFen]),
    ),
  );
}

export function roundsCsv(result: SimulationResult): string {
  return csv(
    [
      'round_id',
      'product_id',
      'honest_producer',
      'opened_cycle',
      'stages',
      'testers',
      'decision',
      'verdict',
      'decided_at',
    ],
    result.rounds.map((r) => [
      r.roundId,
      r.productId,
      r.honest,
      r.openedCycle,
      r.stages,
      r.testers,
      r.decision,
      r.verdict,
      r.decidedAt,
    ]),
  );
}

export function comparisonCsv(comparison: Comparison): string {
  return csv(
    [
      'key',
      'label_zh',
      'label_en',
      'seed_fen',
      'simulated_total_fen',
      'simulated_per_cycle_fen',
      'scaled_fen',
      'difference_fen',
      'difference_pct',
      'seed_source',
      'note',
    ],
    comparison.rows.map((row) => [
      row.figure.key,
      row.figure.label.zh,
      row.figure.label.en,
      row.figure.fen,
      row.simulatedFen,
      row.perCycleFen,
      row.scaledFen,
      row.differenceFen,
      row.differencePct === null ? null : row.differencePct.toFixed(4),
      row.figure.source,
      row.figure.note,
    ]),
  );
}

// ── HTML ───────────────────────────────────────────────────────────────────────────────────────

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown, space?: number) =>
  JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v), space);

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside <script>: no "<" at all (\u003c is the same JSON string). */
const jsonScript = (value: unknown) => toJson(value).replace(/</g, '\\u003c');

/** Code safe inside <script>: "</script" and "<!--" written as \x3C…, the same in strings and regexes. */
const codeScript = (code: string) => code.replace(/<(\/script|!--)/gi, '\\x3C$1');

/** ECharts' browser build, from the installed package (never downloaded). */
export function echartsSource(): string {
  const path = createRequire(import.meta.url).resolve('echarts/dist/echarts.min');
  return readFileSync(path, 'utf8');
}

const yuan = (fen: bigint | string | number) => Number(BigInt(fen)) / 100;

function chartData(result: SimulationResult) {
  const cycles = result.cycles;
  const labels = cycles.map((c) => `${c.index} (${c.startsAt.slice(0, 10)})`);
  const groupTotals = (c: CycleMetrics) => {
    const sums = new Map<IncomeGroup, bigint>();
    for (const line of c.income) sums.set(groupOf(line), (sums.get(groupOf(line)) ?? 0n) + line.amountFen);
    return sums;
  };
  const perCycle = cycles.map(groupTotals);
  const groups = INCOME_GROUPS.filter((g) => perCycle.some((sums) => (sums.get(g.key) ?? 0n) !== 0n));
  return {
    labels,
    gmv: cycles.map((c) => yuan(c.summary.paidFen)),
    placed: cycles.map((c) => yuan(c.placedFen)),
    refunded: cycles.map((c) => yuan(c.refundedFen)),
    orders: cycles.map((c) => c.summary.orders),
    income: groups.map((g) => ({
      name: `${g.zh} ${g.en}`,
      data: perCycle.map((sums) => yuan(sums.get(g.key) ?? 0n)),
    })),
    pool: {
      experts: cycles.map((c) => yuan(c.summary.totals?.expertsFen ?? 0)),
      testers: cycles.map((c) => yuan(c.summary.totals?.testersFen ?? 0)),
      platform: cycles.map((c) =>
        yuan(c.income.filter((l) => l.kind === 'experience_platform').reduce((s, l) => s + l.amountFen, 0n)),
      ),
      trust: cycles.map((c) => yuan(c.summary.totals?.trustPoolFen ?? 0)),
    },
    points: {
      issued: cycles.map((c) => Number(c.points.issued)),
      burned: cycles.map((c) => Number(c.points.burned)),
      circulating: cycles.map((c) => Number(c.points.circulating)),
      awarded: cycles.map((c) => Number(c.points.awardedCashback + c.points.awardedReferral)),
    },
    verdicts: {
      pass: cycles.map((c) => c.rounds.pass),
      fail: cycles.map((c) => c.rounds.fail),
      inconclusive: cycles.map((c) => c.rounds.inconclusive),
      extended: cycles.map((c) => c.rounds.extended),
      opened: cycles.map((c) => c.rounds.opened),
    },
  };
}

const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('concord-chart-data').textContent);
  var money = function (v) { return '¥' + Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 2 }); };
  var base = function (title, extra) {
    var option = {
      title: { text: title, left: 'center', textStyle: { fontSize: 15 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 70, right: 60, top: 50, bottom: 60 },
      xAxis: { type: 'category', data: data.labels, name: '周期 cycle', nameLocation: 'middle', nameGap: 28 },
    };
    for (var k in extra) option[k] = extra[k];
    return option;
  };
  var draw = function (id, option) {
    var chart = echarts.init(document.getElementById(id));
    chart.setOption(option);
    window.addEventListener('resize', function () { chart.resize(); });
  };
  draw('chart-gmv', base('每周期成交额 GMV per cycle (¥)', {
    tooltip: { trigger: 'axis', valueFormatter: function (v) { return typeof v === 'number' && v % 1 !== 0 ? money(v) : v; } },
    yAxis: [{ type: 'value', name: '¥', axisLabel: { formatter: money } }, { type: 'value', name: '订单 orders' }],
    series: [
      { name: '结算成交额 settled GMV', type: 'bar', data: data.gmv },
      { name: '下单金额 placed', type: 'bar', data: data.placed },
      { name: '退款 refunded', type: 'bar', data: data.refunded },
      { name: '结算订单数 orders settled', type: 'line', yAxisIndex: 1, data: data.orders },
    ],
  }));
  draw('chart-income', base('各方每周期收入 Income of each party per cycle (¥)', {
    tooltip: { trigger: 'axis', valueFormatter: money },
    yAxis: { type: 'value', axisLabel: { formatter: money } },
    series: data.income.map(function (s) { return { name: s.name, type: 'bar', stack: 'income', data: s.data }; }),
  }));
  draw('chart-pool', base('体验费池与信任费 Experience pool and trust fee (¥)', {
    tooltip: { trigger: 'axis', valueFormatter: money },
    yAxis: { type: 'value', axisLabel: { formatter: money } },
    series: [
      { name: '专家 experts', type: 'bar', stack: 'pool', data: data.pool.experts },
      { name: '体验消费者(含提名人) testers & nominators', type: 'bar', stack: 'pool', data: data.pool.testers },
      { name: '平台 platform', type: 'bar', stack: 'pool', data: data.pool.platform },
      { name: '信任费 trust fee', type: 'bar', data: data.pool.trust },
    ],
  }));
  draw('chart-points', base('流通积分 Points in circulation', {
    yAxis: { type: 'value', name: '积分 points' },
    series: [
      { name: '流通中 circulating', type: 'line', data: data.points.circulating },
      { name: '累计发行 issued', type: 'line', data: data.points.issued },
      { name: '累计销毁 burned', type: 'line', data: data.points.burned },
      { name: '本周期发放 awarded in cycle', type: 'bar', data: data.points.awarded },
    ],
  }));
  draw('chart-verdicts', base('体验共识结果 Verdict outcomes', {
    yAxis: { type: 'value', name: '轮次 rounds', minInterval: 1 },
    series: [
      { name: '合格 pass', type: 'bar', stack: 'verdict', data: data.verdicts.pass, itemStyle: { color: '#3ba272' } },
      { name: '不合格 fail', type: 'bar', stack: 'verdict', data: data.verdicts.fail, itemStyle: { color: '#ee6666' } },
      { name: '无结论 inconclusive', type: 'bar', stack: 'verdict', data: data.verdicts.inconclusive, itemStyle: { color: '#999999' } },
      { name: '扩大抽样 extended', type: 'line', data: data.verdicts.extended },
      { name: '开启 opened', type: 'line', data: data.verdicts.opened },
    ],
  }));
})();
`;

const STYLE = `
body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; }
th { background: #f5f5f5; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { width: 100%; height: 380px; margin: 16px 0; }
.note { color: #666; font-size: 12px; } .src { color: #555; font-size: 12px; max-width: 360px; }
.pos { color: #b35c00; } .neg { color: #1f6fb2; } .ok { color: #2a7a2a; }
`;

function comparisonHtml(comparison: Comparison): string {
  const scale = Number(comparison.scale.num) / Number(comparison.scale.den);
  const rows = comparison.rows
    .map((row) => {
      const f = row.figure;
      const diff =
        row.differenceFen === null
          ? '<td class="n">—</td><td class="n">—</td>'
          : `<td class="n ${row.differenceFen === 0n ? 'ok' : row.differenceFen > 0n ? 'pos' : 'neg'}">${fmtYuan(row.differenceFen)}</td>` +
            `<td class="n">${row.differencePct === null ? '—' : `${row.differencePct >= 0 ? '+' : ''}${row.differencePct.toFixed(2)}%`}</td>`;
      return `<tr><td>${escapeHtml(f.label.zh)}<br><span class="note">${escapeHtml(f.label.en)}</span></td>
<td class="n">${fmtYuan(f.fen)}</td>
<td class="n">${row.perCycleFen === null ? '未模拟 not simulated' : fmtYuan(row.perCycleFen)}</td>
<td class="n">${row.scaledFen === null ? '—' : fmtYuan(row.scaledFen)}</td>${diff}
<td class="src">「${escapeHtml(f.source)}」${f.note === undefined ? '' : `<br><span class="note">${escapeHtml(f.note)}</span>`}</td></tr>`;
    })
    .join('\n');
  return `<h2>种子数据对照 The seed's figures beside the simulated ones</h2>
<p>${escapeHtml(comparison.seed.title.zh)} — ${escapeHtml(comparison.seed.title.en)}
(<code>seeds/${escapeHtml(comparison.seed.file)}</code>). 种子数字按「${escapeHtml(comparison.seed.cycle.zh)}」计;
模拟值为 ${comparison.cycles} 个周期的平均值,乘以比例系数 ×${scale.toLocaleString('en', { maximumFractionDigits: 4 })}
(${escapeHtml(comparison.scale.note)}). Figures per ${escapeHtml(comparison.seed.cycle.en)}; simulated: mean per cycle over
${comparison.cycles} cycles, multiplied by the scale factor.</p>
<table><tr><th>项目 item</th><th>种子 seed (¥)</th><th>模拟/周期 simulated per cycle (¥)</th><th>×比例 scaled (¥)</th>
<th>差额 difference (¥)</th><th>差额 %</th><th>出处 source</th></tr>
${rows}</table>`;
}

function cycleTable(result: SimulationResult): string {
  const head = [
    '周期 cycle',
    '结算订单 orders',
    '成交额 GMV',
    '退款 refunded',
    '体验费池 experience pool',
    '专家 experts',
    '体验消费者 testers',
    '信任费 trust fee',
    '佣金 commissions',
    '流通积分 points',
    '合格/不合格 pass/fail',
  ];
  const rows = result.cycles.map((c) => {
    const t = c.summary.totals ?? {};
    return [
      `${c.index} · #${c.cycle}<br><span class="note">${c.startsAt.slice(0, 10)} → ${c.endsAt.slice(0, 10)}</span>`,
      String(c.summary.orders),
      fmtYuan(BigInt(c.summary.paidFen)),
      `${fmtYuan(c.refundedFen)} (${c.refundedOrders})`,
      fmtYuan(BigInt(t.experiencePoolFen ?? 0)),
      fmtYuan(BigInt(t.expertsFen ?? 0)),
      fmtYuan(BigInt(t.testersFen ?? 0)),
      fmtYuan(BigInt(t.trustPoolFen ?? 0)),
      fmtYuan(c.commissionsHeldFen),
      c.points.circulating.toLocaleString('en'),
      `${c.rounds.pass} / ${c.rounds.fail}`,
    ];
  });
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>
${rows.map((r) => `<tr>${r.map((v, i) => (i === 0 ? `<td>${v}</td>` : `<td class="n">${v}</td>`)).join('')}</tr>`).join('\n')}</table>`;
}

function paramsTable(result: SimulationResult): string {
  const p = result.params;
  const rows: [string, string][] = [
    ['消费者 consumers', `${p.consumers}(其中 ${p.testers} 名兼任体验消费者 of whom ${p.testers} also test)`],
    ['推广者 promoters / 团队长 team leads', `${p.promoters} / ${p.teamLeads}`],
    ['好友邀请 invited by friends', `${(p.invitedShare * 100).toFixed(0)}%`],
    [
      '生产商 producers × 商品 products',
      `${p.producers} × ${p.productsPerProducer}(不实宣称 dishonest ${(p.dishonestShare * 100).toFixed(0)}%)`,
    ],
    ['商品专家 experts', String(p.experts)],
    ['提名人 nominators', `${p.nominators} × ${p.nominatorStakePoints} 积分 points`],
    ['每人每周期订单 orders per consumer per cycle', String(p.ordersPerConsumer)],
    ['价格 price', `¥${fmtYuan(p.priceMinFen)} – ¥${fmtYuan(p.priceMaxFen)}`],
    ['退款率 refund rate', `${(p.refundRate * 100).toFixed(1)}%`],
    ['每周期测试轮次 rounds per cycle', String(p.roundsPerCycle)],
    ['周期 cycles', `${p.cycles} × ${p.cycleDays} 天 days(从 from cycle #${result.firstCycle})`],
    [
      '分账覆盖 split policy override',
      Object.keys(p.splitPolicy).length === 0 ? 'DESIGN §7 默认 defaults' : toJson(p.splitPolicy),
    ],
    ['随机种子 seed', String(p.seed)],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

export function reportHtml(result: SimulationResult, comparison: Comparison | undefined, echarts: string): string {
  const data = { result, comparison };
  const totalGmv = result.cycles.reduce((s, c) => s + BigInt(c.summary.paidFen), 0n);
  const title =
    comparison === undefined ? 'Concord 城市模拟 City simulation' : `Concord 城市模拟 · ${comparison.seed.id}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${result.cycles.length} 个结算周期,${result.accounts} 个账户,结算成交额合计 ¥${fmtYuan(totalGmv)};每一笔都经由真实服务
(签名事件、沙箱支付、体验共识轮次、结算周期关闭)在嵌入式 PGlite 数据库上完成,耗时 ${(result.wallMs / 1000).toFixed(1)} 秒。<br>
${result.cycles.length} settlement cycles, ${result.accounts} accounts, ¥${fmtYuan(totalGmv)} settled — every step through the real
services (signed events, the sandbox payments, consensus rounds, the cycle close) on an embedded PGlite database, in
${(result.wallMs / 1000).toFixed(1)} s.</p>
${comparison === undefined ? '' : comparisonHtml(comparison)}
<h2>图表 Charts</h2>
<div id="chart-gmv" class="chart"></div>
<div id="chart-income" class="chart"></div>
<div id="chart-pool" class="chart"></div>
<div id="chart-points" class="chart"></div>
<div id="chart-verdicts" class="chart"></div>
<p class="note">信任费:模拟中没有见证人在周期内联署检查点,信任费按规则归平台(closeCycle)。
Trust fee: no witness cosigned a checkpoint inside the simulated cycles, so the rule pays the trust fee to the platform.
积分按 1 积分 = 1 分计。Points are counted 1 point = 1 fen. 提名人的初始积分为模拟开始时发放(代表此前的返利)。
The nominators' starting points are granted at the start (standing for cashback earned before).</p>
<h2>各周期 Cycles</h2>
${cycleTable(result)}
<h2>参数 Parameters</h2>
${paramsTable(result)}
<p class="note">原始数据 Raw numbers: cycles.csv, income.csv, rounds.csv${comparison === undefined ? '' : ', comparison.csv'}.</p>
<script id="concord-simulation" type="application/json">${jsonScript(data)}</script>
<script id="concord-chart-data" type="application/json">${jsonScript(chartData(result))}</script>
<script>${codeScript(echarts)}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

export function writeReport(result: SimulationResult, comparison: Comparison | undefined, outDir: string): ReportFiles {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['cycles.csv', cyclesCsv(result)],
    ['income.csv', incomeCsv(result)],
    ['rounds.csv', roundsCsv(result)],
  ];
  if (comparison !== undefined) files.push(['comparison.csv', comparisonCsv(comparison)]);
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const html = join(dir, 'report.html');
  writeFileSync(html, reportHtml(result, comparison, echartsSource()));
  return { dir, html, csv: files.map(([name]) => join(dir, name)) };
}
