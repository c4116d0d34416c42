import type { SplitPolicyOverride } from '@concord/protocol';
import { UsageError } from '../usage-error.js';
import { SEED_002_CITY, type SeedId } from './seed-figures.js';

/**
 * A synthetic city: who lives in it, what they buy, and how long it runs. Everyone acts through
 * the platform's API; the parameters only say how many there are and what they tend to do.
 */
export interface CityParams {
  /** 消费者: members who buy. The first `testers` of them also test (one account, two roles). */
  consumers: number;
  /** 推广者: each has a team of the consumers bound to them by their invitation. */
  promoters: number;
  /** 团队长: promoters who brought the promoters in (their upline); they earn the team override. */
  teamLeads: number;
  /** Share of consumers who arrive by another consumer's invitation (拉新) instead of a promoter's. */
  invitedShare: number;
  /** 生产商/供应商. */
  producers: number;
  productsPerProducer: number;
  /** 商品专家: each publishes a quality model; products use them in turn. */
  experts: number;
  /** 体验消费者: consumers who also hold the tester role and stand for the category panel. */
  testers: number;
  /** 提名人: back the testers with points (granted at the start, standing in for earlier cashback). */
  nominators: number;
  nominatorStakePoints: bigint;
  /** Orders per consumer per cycle (mean; the fraction is a chance of one more). */
  ordersPerConsumer: number;
  /** Product prices: drawn from [min, max] in steps of `step` fen. */
  priceMinFen: bigint;
  priceMaxFen: bigint;
  priceStepFen: bigint;
  /** Share of orders the buyer sends back within the return window (refunded in full). */
  refundRate: number;
  /** Share of producers whose products do not meet their claims (their rounds fail). */
  dishonestShare: number;
  /** Share of testers who measure carelessly (they lose, and their backers are slashed). */
  sloppyShare: number;
  /** Test rounds opened per cycle (at least one). */
  roundsPerCycle: number;
  cycles: number;
  /** Length of a settlement cycle (CONCORD_CYCLE_DAYS); a round (14 + 3 days) must fit in one. */
  cycleDays: number;
  /** The simulated clock starts at the first cycle that begins on or after this day. */
  start: string;
  seed: number;
  /** The category's split policy override (DESIGN §7 defaults otherwise). */
  splitPolicy: SplitPolicyOverride;
}

export const DEFAULT_PARAMS: CityParams = {
  consumers: 40,
  promoters: 4,
  teamLeads: 1,
  invitedShare: 0.1,
  producers: 4,
  productsPerProducer: 1,
  experts: 2,
  testers: 10,
  nominators: 3,
  nominatorStakePoints: 2_000n,
  ordersPerConsumer: 1.2,
  priceMinFen: 3_000n,
  priceMaxFen: 30_000n,
  priceStepFen: 100n,
  refundRate: 0.05,
  dishonestShare: 0.25,
  sloppyShare: 0.1,
  roundsPerCycle: 1,
  cycles: 3,
  cycleDays: 28,
  start: '2026-01-05',
  seed: 1,
  splitPolicy: {},
};

export interface Preset {
  id: SeedId;
  /** What one simulated fen stands for at the seed's scale: the report multiplies by it. */
  scale: number;
  /** How the scale was chosen, for the report. */
  scaleNote: string;
  params: CityParams;
}

/**
 * Seed `002_…`'s city at 1:50: 10,000 consumers → 200, 200 promoters → 4 (teams of 50 kept), one
 * ¥150 order per consumer a month (what the seed's arithmetic counts), the seed's rates (platform
 * 6%, cashback 8%, promoters 12% = 10% direct + 2% team override). Suppliers 50 → 5: their number
 * enters no figure of the example. Concord's experience fee (15%) and trust fee (0.6%) stay, so the
 * consensus rounds are paid; the supplier keeps the rest (58.4%, within the seed's 50–60%).
 */
export const SEED_002_SCALE = 50;

/**
 * Seed `001_…`'s cycle at 1:1,000: ¥20,000,000 of sales → ¥20,000 (100 consumers, one ¥200 order
 * each), at the DESIGN §7 defaults (experience fee 15%, split 10/50/40; trust fee 0.6%).
 */
export const SEED_001_SCALE = 1_000;

export const PRESETS: Record<SeedId, Preset> = {
  'seed-002': {
    id: 'seed-002',
    scale: SEED_002_SCALE,
    scaleNote:
      '1:50 — consumers 10,000 → 200 and promoters 200 → 4 (teams of 50 kept); suppliers 50 → 5 (their number enters no figure); one ¥150 order per consumer per 30-day cycle.',
    params: {
      ...DEFAULT_PARAMS,
      consumers: SEED_002_CITY.consumers / SEED_002_SCALE,
      promoters: SEED_002_CITY.promoters / SEED_002_SCALE,
      teamLeads: 1,
      invitedShare: 0,
      producers: 5,
      productsPerProducer: 1,
      experts: 2,
      testers: 10,
      nominators: 3,
      ordersPerConsumer: 1,
      priceMinFen: SEED_002_CITY.ticketFen,
      priceMaxFen: SEED_002_CITY.ticketFen,
      refundRate: 0,
      dishonestShare: 0.2,
      sloppyShare: 0.1,
      cycles: 3,
      cycleDays: 30,
      splitPolicy: {
        platformServiceFeeBps: 600,
        consumerCashbackBps: 800,
        promoterCommissionBps: 1000,
        teamOverrideBps: 200,
      },
    },
  },
  'seed-001': {
    id: 'seed-001',
    scale: SEED_001_SCALE,
    scaleNote: '1:1,000 — sales of ¥20,000,000 per cycle → ¥20,000: 100 consumers, one ¥200 order each per cycle.',
    params: {
      ...DEFAULT_PARAMS,
      consumers: 100,
      promoters: 4,
      teamLeads: 1,
      invitedShare: 0,
      producers: 4,
      experts: 2,
      testers: 10,
      nominators: 3,
      ordersPerConsumer: 1,
      priceMinFen: 20_000n,
      priceMaxFen: 20_000n,
      refundRate: 0,
      dishonestShare: 0.25,
      sloppyShare: 0.1,
      cycles: 2,
      cycleDays: 28,
      splitPolicy: {},
    },
  },
};

/** Days a round needs (commit 14 + reveal 3) and the rest of a cycle needs around it. */
export const MIN_CYCLE_DAYS = 21;
/** A round draws 7 testers and decides with 5 reveals (DESIGN §8; DEFAULT_CONSENSUS_POLICY). */
export const MIN_TESTERS = 7;

/** Throws a UsageError naming the first parameter out of range. */
export function checkParams(p: CityParams): CityParams {
  const whole = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  };
  const share = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new UsageError(`${name} must be a share from 0 to 1 (got ${value})`);
  };
  whole('consumers', p.consumers, 1, 1_000_000);
  whole('promoters', p.promoters, 0, 100_000);
  whole('team leads', p.teamLeads, 0, 100_000);
  if (p.teamLeads > 0 && p.promoters === 0) throw new UsageError('team leads lead promoters: add --promoters');
  share('invited share', p.invitedShare);
  whole('producers', p.producers, 1, 10_000);
  whole('products per producer', p.productsPerProducer, 1, 100);
  whole('experts', p.experts, 1, 1_000);
  whole('testers', p.testers, MIN_TESTERS, 10_000);
  if (p.testers > p.consumers)
    throw new UsageError(`testers are consumers who also test: at most ${p.consumers} (got ${p.testers})`);
  whole('nominators', p.nominators, 1, 10_000);
  if (p.nominatorStakePoints < 1n) throw new UsageError('nominator stake must be at least 1 point');
  if (!Number.isFinite(p.ordersPerConsumer) || p.ordersPerConsumer < 0 || p.ordersPerConsumer > 20)
    throw new UsageError(`orders per consumer must be from 0 to 20 (got ${p.ordersPerConsumer})`);
  if (p.priceMinFen < 100n || p.priceMaxFen < p.priceMinFen || p.priceStepFen < 1n)
    throw new UsageError('prices: 1 ≤ min ≤ max yuan, and a step of at least one fen');
  share('refund rate', p.refundRate);
  share('dishonest share', p.dishonestShare);
  share('sloppy share', p.sloppyShare);
  whole('rounds per cycle', p.roundsPerCycle, 1, 100);
  whole('cycles', p.cycles, 1, 520);
  whole('cycle days', p.cycleDays, MIN_CYCLE_DAYS, 91);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(p.start) || Number.isNaN(Date.parse(`${p.start}T00:00:00Z`)))
    throw new UsageError(`start must be a date YYYY-MM-DD (got ${p.start})`);
  whole('seed', p.seed, 0, 2 ** 32 - 1);
  return p;
}
