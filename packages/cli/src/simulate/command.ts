import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { UsageError } from '../usage-error.js';
import { type Comparison, compare, fmtYuan } from './comparison.js';
import { type SimulationProgress, simulate } from './driver.js';
import { type CityParams, DEFAULT_PARAMS, PRESETS } from './params.js';
import { writeReport } from './report.js';
import type { SeedId } from './seed-figures.js';

/** `concord simulate`: options, the progress display, the run and the report. */

export interface SimulateCommandOptions {
  preset?: SeedId;
  cycles?: string;
  out: string;
  seed?: string;
  consumers?: string;
  promoters?: string;
  teamLeads?: string;
  producers?: string;
  experts?: string;
  testers?: string;
  nominators?: string;
  ordersPerConsumer?: string;
  price?: string;
  refundRate?: string;
  dishonest?: string;
  roundsPerCycle?: string;
  cycleDays?: string;
  start?: string;
}

const integer = (name: string, text: string) => {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${name} takes a whole number (got ${JSON.stringify(text)})`);
  return Number(text);
};
const decimal = (name: string, text: string) => {
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(text))
    throw new UsageError(`--${name} takes a number (got ${JSON.stringify(text)})`);
  return Number(text);
};
const fen = (text: string) => {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) throw new UsageError(`--price takes yuan, e.g. 150 or 30-300 (got ${JSON.stringify(text)})`);
  return BigInt(match[1] as string) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
};

/** The city the options describe: the preset's (or the defaults), then each option given. */
export function paramsFromOptions(options: SimulateCommandOptions): CityParams {
  const base = options.preset === undefined ? DEFAULT_PARAMS : PRESETS[options.preset].params;
  const p: CityParams = { ...base, splitPolicy: { ...base.splitPolicy } };
  const whole: [keyof SimulateCommandOptions, keyof CityParams, string][] = [
    ['cycles', 'cycles', 'cycles'],
    ['seed', 'seed', 'seed'],
    ['consumers', 'consumers', 'consumers'],
    ['promoters', 'promoters', 'promoters'],
    ['teamLeads', 'teamLeads', 'team-leads'],
    ['producers', 'producers', 'producers'],
    ['experts', 'experts', 'experts'],
    ['testers', 'testers', 'testers'],
    ['nominators', 'nominators', 'nominators'],
    ['roundsPerCycle', 'roundsPerCycle', 'rounds-per-cycle'],
    ['cycleDays', 'cycleDays', 'cycle-days'],
  ];
  for (const [option, param, flag] of whole) {
    const text = options[option];
    if (text !== undefined) (p as unknown as Record<string, number>)[param] = integer(flag, text);
  }
  if (options.ordersPerConsumer !== undefined)
    p.ordersPerConsumer = decimal('orders-per-consumer', options.ordersPerConsumer);
  if (options.refundRate !== undefined) p.refundRate = decimal('refund-rate', options.refundRate);
  if (options.dishonest !== undefined) p.dishonestShare = decimal('dishonest', options.dishonest);
  if (options.start !== undefined) p.start = options.start;
  if (options.price !== undefined) {
    const [min, max = min] = options.price.split('-') as [string, string?];
    p.priceMinFen = fen(min);
    p.priceMaxFen = fen(max);
    p.priceStepFen = p.priceMaxFen - p.priceMinFen >= 10_000n ? 100n : 1n;
  }
  return p;
}

/** A progress bar on a terminal; otherwise a line per stage and per tenth of the work. */
function progressDisplay(): { update: (p: SimulationProgress) => void; stop: () => void } {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'simulating {bar} {percentage}% | {value}/{total} | {stage}',
        stream: process.stdout,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        if (!started) {
          bar.start(p.total, p.done, { stage: p.stage });
          started = true;
        }
        bar.setTotal(p.total);
        bar.update(p.done, { stage: p.stage });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastStage = '';
  let lastTenth = -1;
  const t0 = Date.now();
  return {
    update: (p) => {
      const stage = p.stage.replace(/\s+\d+\/\d+$/, '');
      const tenth = Math.floor((p.done / Math.max(1, p.total)) * 10);
      if (stage === lastStage && tenth === lastTenth) return;
      lastStage = stage;
      lastTenth = tenth;
      const pct = Math.floor((p.done / Math.max(1, p.total)) * 100);
      console.log(`[${String(pct).padStart(3)}%] ${((Date.now() - t0) / 1000).toFixed(0)}s ${p.stage}`);
    },
    stop: () => {},
  };
}

export async function runSimulateCommand(options: SimulateCommandOptions): Promise<void> {
  if (options.preset !== undefined && !(options.preset in PRESETS))
    throw new UsageError(`--preset is one of ${Object.keys(PRESETS).join(', ')}`);
  const params = paramsFromOptions(options);
  const display = progressDisplay();
  let result: Awaited<ReturnType<typeof simulate>>;
  try {
    result = await simulate(params, { onProgress: display.update });
  } finally {
    display.stop();
  }
  const comparison: Comparison | undefined = options.preset === undefined ? undefined : compare(result, options.preset);
  const files = writeReport(result, comparison, options.out);
  for (const c of result.cycles) {
    console.log(
      `cycle ${c.index} (#${c.cycle}, ${c.startsAt.slice(0, 10)}): ${c.summary.orders} orders settled, ` +
        `GMV ¥${fmtYuan(BigInt(c.summary.paidFen))}, rounds ${c.rounds.pass} pass / ${c.rounds.fail} fail`,
    );
  }
  if (comparison !== undefined) {
    console.log(
      `\n${comparison.seed.id} (×${(Number(comparison.scale.num) / Number(comparison.scale.den)).toLocaleString('en')} per cycle):`,
    );
    for (const row of comparison.rows) {
      if (row.scaledFen === null) continue;
      const pct =
        row.differencePct === null ? '' : ` (${row.differencePct >= 0 ? '+' : ''}${row.differencePct.toFixed(2)}%)`;
      console.log(
        `  ${row.figure.label.en}: seed ¥${fmtYuan(row.figure.fen)}, simulated ¥${fmtYuan(row.scaledFen)}${pct}`,
      );
    }
  }
  console.log(`\nreport: ${files.html}`);
  console.log(`raw numbers: ${files.csv.join(', ')}`);
  console.log(`simulated in ${(result.wallMs / 1000).toFixed(1)} s`);
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'run a synthetic city (consumers, promoters with teams, producers, experts, testers, nominators) through the real services on an embedded database, cycle by cycle, and write a report (HTML with charts, CSV)',
    )
    .addOption(
      new Option(
        '--preset <seed>',
        "reproduce a seed's example: seed-002 (one city, one month) or seed-001 (one cycle's pools)",
      ).choices(Object.keys(PRESETS)),
    )
    .option('--cycles <n>', 'settlement cycles to run')
    .option('--out <dir>', 'where to write report.html and the CSV files', './concord-simulation')
    .option('--seed <n>', 'seed of the city’s random choices (same seed, same city)')
    .option('--consumers <n>', 'consumers (the first --testers of them also test)')
    .option('--promoters <n>', 'promoters, each with a team of consumers')
    .option('--team-leads <n>', 'team leads above the promoters (they earn the team override)')
    .option('--producers <n>', 'producers (one product each)')
    .option('--experts <n>', 'commodity experts (one quality model each)')
    .option('--testers <n>', 'consumers who also test (at least 7: a round draws 7)')
    .option('--nominators <n>', 'nominators backing the testers')
    .option('--orders-per-consumer <x>', 'orders per consumer per cycle (mean)')
    .option('--price <yuan>', 'a product price or a range, e.g. 150 or 30-300')
    .option('--refund-rate <x>', 'share of orders sent back within the return window (0–1)')
    .option('--dishonest <x>', 'share of producers whose claims their rice does not meet (0–1)')
    .option('--rounds-per-cycle <n>', 'test rounds opened per cycle')
    .option('--cycle-days <n>', 'days per settlement cycle (at least 21: a round takes 17)')
    .option('--start <date>', 'the first cycle starts on or after this day (YYYY-MM-DD)')
    .action(async (options: SimulateCommandOptions) => {
      await runSimulateCommand(options);
    });
}
