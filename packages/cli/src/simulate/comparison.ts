import type { SimulationResult } from './driver.js';
import type { CycleMetrics } from './metrics.js';
import type { CityParams } from './params.js';
import {
  type Measure,
  SEED_002_CITY,
  SEED_EXAMPLES,
  type SeedExample,
  type SeedFigure,
  type SeedId,
} from './seed-figures.js';

/**
 * The seed's figures beside the simulated ones. The seeds state their figures per cycle at full
 * scale; the simulation's are summed over its cycles, averaged per cycle and multiplied by the
 * preset's scale factor (a ratio, kept exact until the last rounding).
 */

export interface Scale {
  num: bigint;
  den: bigint;
  /** How it was chosen. */
  note: string;
}

export interface ComparisonRow {
  figure: SeedFigure;
  /** Summed over the run; null for a figure no transaction produces. */
  simulatedFen: bigint | null;
  perCycleFen: bigint | null;
  scaledFen: bigint | null;
  differenceFen: bigint | null;
  /** (scaled − seed) / seed, in percent. */
  differencePct: number | null;
}

export interface Comparison {
  seed: SeedExample;
  scale: Scale;
  cycles: number;
  rows: ComparisonRow[];
}

/** What the simulation measured, summed over its cycles. */
export function measured(cycles: readonly CycleMetrics[], measure: Measure): bigint {
  const sum = (of: (c: CycleMetrics) => bigint) => cycles.reduce((total, c) => total + of(c), 0n);
  const income = (c: CycleMetrics, match: (kind: string, role: string) => boolean) =>
    c.income.filter((line) => match(line.kind, line.role)).reduce((total, line) => total + line.amountFen, 0n);
  const total = (key: string) => (c: CycleMetrics) => BigInt(c.summary.totals?.[key] ?? '0');
  const gmv = sum((c) => BigInt(c.summary.paidFen));
  const supplier = sum((c) =>
    income(c, (kind, role) => (kind === 'supplier' || kind === 'unused_share') && role === 'producer'),
  );
  switch (measure) {
    case 'gmv':
      return gmv;
    case 'experience_pool':
      return sum(total('experiencePoolFen'));
    case 'experience_experts':
      return sum(total('expertsFen'));
    case 'experience_testers':
      return sum(total('testersFen'));
    case 'experience_platform':
      return sum((c) => income(c, (kind) => kind === 'experience_platform'));
    case 'trust_pool':
      return sum(total('trustPoolFen'));
    case 'platform_service_fee':
      return sum((c) => income(c, (kind) => kind === 'platform_service_fee'));
    case 'cashback_share':
      return sum((c) => income(c, (kind) => kind === 'cashback'));
    case 'cashback_points':
      return sum((c) => c.points.awardedCashback);
    case 'promoter_commissions':
      return sum((c) => income(c, (kind) => kind === 'promoter_commission' || kind === 'team_override'));
    case 'supplier_income':
      return supplier;
    case 'supplier_profit':
      // The seed's cost of goods: 30% of the price.
      return supplier - (gmv * BigInt(Math.round(SEED_002_CITY.costShare * 10_000))) / 10_000n;
  }
}

/** The preset's scale: seed 002 by population, seed 001 by sales per cycle. */
export function scaleOf(seed: SeedId, params: CityParams): Scale {
  if (seed === 'seed-002') {
    return {
      num: BigInt(SEED_002_CITY.consumers),
      den: BigInt(params.consumers),
      note: `consumers ${SEED_002_CITY.consumers.toLocaleString('en')} ÷ ${params.consumers.toLocaleString('en')} simulated`,
    };
  }
  const gmv = SEED_EXAMPLES['seed-001'].figures.find((f) => f.measure === 'gmv')?.fen ?? 0n;
  const orders = BigInt(Math.max(1, Math.round(params.consumers * params.ordersPerConsumer)));
  const expected = (orders * (params.priceMinFen + params.priceMaxFen)) / 2n;
  return {
    num: gmv,
    den: expected,
    note: `sales per cycle ¥${fmtYuan(gmv)} ÷ ¥${fmtYuan(expected)} planned (${orders} orders × ¥${fmtYuan((params.priceMinFen + params.priceMaxFen) / 2n)})`,
  };
}

/** a / b rounded half away from zero. */
const divRound = (a: bigint, b: bigint) => {
  const q = a / b;
  const r = a % b;
  const negative = a < 0n !== b < 0n;
  if ((r < 0n ? -r : r) * 2n >= (b < 0n ? -b : b)) return negative ? q - 1n : q + 1n;
  return q;
};

export function compare(result: SimulationResult, seed: SeedId): Comparison {
  const example = SEED_EXAMPLES[seed];
  const scale = scaleOf(seed, result.params);
  const cycles = BigInt(result.cycles.length);
  const rows = example.figures.map((figure): ComparisonRow => {
    if (figure.measure === null || cycles === 0n) {
      return {
        figure,
        simulatedFen: null,
        perCycleFen: null,
        scaledFen: null,
        differenceFen: null,
        differencePct: null,
      };
    }
    const simulatedFen = measured(result.cycles, figure.measure);
    const scaledFen = divRound(simulatedFen * scale.num, scale.den * cycles);
    const differenceFen = scaledFen - figure.fen;
    return {
      figure,
      simulatedFen,
      perCycleFen: divRound(simulatedFen, cycles),
      scaledFen,
      differenceFen,
      differencePct: figure.fen === 0n ? null : (Number(differenceFen) / Number(figure.fen)) * 100,
    };
  });
  return { seed: example, scale, cycles: result.cycles.length, rows };
}

/** Fen as yuan with two decimals and thousands separators: 1234567 → "12,345.67". */
export function fmtYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${yuan}.${(abs % 100n).toString().padStart(2, '0')}`;
}
