import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../usage-error.js';
import { paramsFromOptions, runSimulateCommand } from './command.js';
import type { Comparison } from './comparison.js';
import type { SimulationResult } from './driver.js';
import { checkParams, DEFAULT_PARAMS, PRESETS } from './params.js';
import { SEED_001 } from './seed-figures.js';

/**
 * A tiny city with seed 001's rates (9 consumers, 7 of them testers, 2 producers, 2 cycles, two
 * orders each a cycle, a fifth of them sent back), run by the command through the real services on
 * PGlite; the test reads back what it wrote.
 */

type Json<T> = T extends bigint ? string : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Written = { result: Json<SimulationResult>; comparison: Json<Comparison> };

let dir: string;
let html: string;
let data: Written;
const csvFiles = new Map<string, Record<string, string>[]>();

function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries((header ?? []).map((name, i) => [name, cells[i] ?? ''])));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concord-simulate-test-'));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await runSimulateCommand({
      preset: 'seed-001',
      out: dir,
      cycles: '2',
      consumers: '9',
      testers: '7',
      producers: '2',
      experts: '2',
      nominators: '2',
      promoters: '2',
      teamLeads: '1',
      ordersPerConsumer: '2',
      refundRate: '0.2',
      seed: '7',
    });
  } finally {
    log.mockRestore();
  }
  html = readFileSync(join(dir, 'report.html'), 'utf8');
  const json = /<script id="concord-simulation" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  data = JSON.parse(json ?? 'null') as Written;
  for (const name of ['cycles', 'income', 'rounds', 'comparison'])
    csvFiles.set(name, parseCsv(readFileSync(join(dir, `${name}.csv`), 'utf8')));
}, 90_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const csv = (name: string) => csvFiles.get(name) ?? [];

describe('concord simulate', () => {
  it('writes a self-contained report and the raw numbers', () => {
    for (const name of ['report.html', 'cycles.csv', 'income.csv', 'rounds.csv', 'comparison.csv'])
      expect(existsSync(join(dir, name)), name).toBe(true);
    // ECharts is inlined, and nothing is fetched from anywhere.
    expect(html).toContain('echarts');
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[a-z0-9.-]+\/[^"'\s]*\.(js|css)/i);
    for (const id of ['chart-gmv', 'chart-income', 'chart-points', 'chart-verdicts'])
      expect(html).toContain(`id="${id}"`);
    expect(data.result.cycles).toHaveLength(2);
  });

  it("adds up each cycle's income to what its settlement was paid", () => {
    for (const cycle of data.result.cycles) {
      const income = csv('income')
        .filter((row) => Number(row.cycle) === cycle.cycle)
        .reduce((sum, row) => sum + BigInt(row.amount_fen as string), 0n);
      expect(cycle.summary.status).toBe('closed');
      expect(BigInt(cycle.summary.paidFen)).toBeGreaterThan(0n);
      expect(income).toBe(BigInt(cycle.summary.paidFen));
      const row = csv('cycles').find((r) => Number(r.cycle) === cycle.cycle);
      expect(row?.paid_fen).toBe(cycle.summary.paidFen);
      // The leaves pay what left the escrows; the commissions held there make up the rest.
      expect(BigInt(cycle.summary.totals?.paidOutFen ?? '0') + BigInt(cycle.commissionsHeldFen)).toBe(
        BigInt(cycle.summary.paidFen),
      );
    }
  });

  it('reports as GMV what the city paid for and kept', () => {
    const chart = JSON.parse(
      /<script id="concord-chart-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null',
    ) as { gmv: number[] };
    data.result.cycles.forEach((cycle, i) => {
      const kept = BigInt(cycle.placedFen) - BigInt(cycle.refundedFen);
      expect(BigInt(cycle.summary.paidFen)).toBe(kept);
      expect(chart.gmv[i]).toBe(Number(kept) / 100);
      expect(cycle.placedOrders - cycle.refundedOrders).toBe(cycle.summary.orders);
    });
    expect(data.result.cycles.some((cycle) => cycle.refundedOrders > 0)).toBe(true);
    // Every cycle had a round whose testers were paid, and the points add up.
    for (const cycle of data.result.cycles) {
      expect(cycle.rounds.opened).toBeGreaterThanOrEqual(1);
      expect(cycle.rounds.pass + cycle.rounds.fail).toBeGreaterThanOrEqual(1);
      expect(BigInt(cycle.summary.totals?.testersFen ?? '0')).toBeGreaterThan(0n);
      const points = cycle.points;
      expect(BigInt(points.circulating)).toBe(BigInt(points.issued) - BigInt(points.burned) - BigInt(points.spent));
    }
    expect(csv('rounds').length).toBeGreaterThanOrEqual(2);
  });

  it("shows seed 001's split of the experience pool and trust fee, exactly", () => {
    const seed = (key: string) => SEED_001.figures.find((f) => f.key === key)?.fen as bigint;
    const simulated = (key: string) => {
      const row = csv('comparison').find((r) => r.key === key);
      expect(row, key).toBeDefined();
      return BigInt(row?.simulated_total_fen as string);
    };
    const gmv = simulated('gmv');
    const pool = simulated('experience_pool');
    expect(gmv).toBeGreaterThan(0n);
    // The pool is to sales what the seed's is (15%), and it divides as the seed's does (10/50/40);
    // the trust fee is to sales what the seed's is (0.6%). Cross-multiplied: exact, no rounding.
    expect(pool * seed('gmv')).toBe(gmv * seed('experience_pool'));
    expect(simulated('experts') * seed('experience_pool')).toBe(pool * seed('experts'));
    expect(simulated('testers') * seed('experience_pool')).toBe(pool * seed('testers'));
    expect(simulated('platform') * seed('experience_pool')).toBe(pool * seed('platform'));
    expect(simulated('trust_fee') * seed('gmv')).toBe(gmv * seed('trust_fee'));
    expect(simulated('experts') + simulated('testers') + simulated('platform')).toBe(pool);
    // Scaled to the seed’s sales, each figure differs from the seed’s as the sales do (up to a fen of rounding).
    const gmvRow = data.comparison.rows.find((r) => r.figure.key === 'gmv');
    for (const row of data.comparison.rows) {
      if (row.differencePct === null || gmvRow === undefined || gmvRow.differencePct === null) continue;
      expect(row.differencePct).toBeCloseTo(gmvRow.differencePct, 4);
    }
  });

  it('refuses a city that cannot run', () => {
    expect(() => checkParams({ ...DEFAULT_PARAMS, testers: 6 })).toThrow(UsageError);
    expect(() => checkParams({ ...DEFAULT_PARAMS, consumers: 8, testers: 9 })).toThrow(UsageError);
    expect(() => checkParams({ ...DEFAULT_PARAMS, cycleDays: 14 })).toThrow(UsageError);
    expect(() => paramsFromOptions({ out: '.', cycles: 'two' })).toThrow(UsageError);
    expect(() => paramsFromOptions({ out: '.', price: '¥5' })).toThrow(UsageError);
    expect(paramsFromOptions({ out: '.', preset: 'seed-002', price: '30-300' })).toMatchObject({
      consumers: PRESETS['seed-002'].params.consumers,
      priceMinFen: 3_000n,
      priceMaxFen: 30_000n,
    });
  });
});
