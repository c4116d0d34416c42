import type { CycleSummary, Database } from '@concord/server';
import type { Role } from './city.js';
import { iso, query } from './engine.js';

/**
 * What one closed cycle left in the database, read after its close: the settlement's leaves (one
 * amount per party and account kind), the promoters' commissions held on the cycle's orders, the
 * points ledger, and the rounds. Every amount is fen (points are counted 1 point = 1 fen, the
 * default rate).
 */

/** A party's role in the city: the city's own, or `witness` for a trust-fee payee it did not make. */
export type PartyRole = Role | 'witness' | 'other';

/** One line of income: a settlement leaf kind (or a commission kind) summed over a role's parties. */
export interface IncomeLine {
  kind: string;
  role: PartyRole;
  parties: number;
  amountFen: bigint;
}

export interface PointsState {
  /** Minted and not taken back: the debit balance of points:issuance. */
  issued: bigint;
  /** Destroyed by the monthly retirement (points:burned). */
  burned: bigint;
  /** Paid with at checkout (points:spent) and taken as transfer fees (points:fees). */
  spent: bigint;
  /** Held by members: issued − burned − spent. */
  circulating: bigint;
  /** Awarded in the cycle's window, by kind (cashback, referral), net of refunds' reversals. */
  awardedCashback: bigint;
  awardedReferral: bigint;
  /** Retired by the retirement run after this close (0 when the month was retired already). */
  retired: bigint;
}

export interface RoundCounts {
  opened: number;
  pass: number;
  fail: number;
  inconclusive: number;
  /** Tallies that drew more testers instead of deciding. */
  extended: number;
  /** Still open at the close. */
  open: number;
}

export interface CycleMetrics {
  /** 1-based position in the run. */
  index: number;
  cycle: number;
  startsAt: string;
  endsAt: string;
  summary: CycleSummary;
  /** The city's bookkeeping: what it bought in the cycle, and sent back. */
  placedOrders: number;
  placedFen: bigint;
  refundedOrders: number;
  refundedFen: bigint;
  /** Orders a consumer could not place (nothing listed). */
  skippedOrders: number;
  /** Σ held_fen of the cycle's settled orders: the commissions the distribution module holds. */
  commissionsHeldFen: bigint;
  income: IncomeLine[];
  points: PointsState;
  rounds: RoundCounts;
}

const big = (value: string | number | null | undefined) => BigInt(value ?? 0);

export async function readCycleMetrics(input: {
  database: Database;
  roles: ReadonlyMap<string, PartyRole>;
  summary: CycleSummary;
  index: number;
  bookkeeping: Pick<CycleMetrics, 'placedOrders' | 'placedFen' | 'refundedOrders' | 'refundedFen' | 'skippedOrders'>;
  extended: number;
  retired: bigint;
}): Promise<CycleMetrics> {
  const { database, summary } = input;
  const cycle = summary.cycle;
  if (!Number.isSafeInteger(cycle)) throw new Error(`simulate: bad cycle ${cycle}`);
  const startsAt = new Date(summary.startsAt);
  const endsAt = new Date(summary.endsAt);
  const roleOf = (party: string, kind: string): PartyRole =>
    input.roles.get(party) ?? (kind === 'trust_fee' ? 'witness' : 'other');

  const lines = new Map<string, IncomeLine>();
  const parties = new Map<string, Set<string>>();
  const add = (kind: string, party: string, amountFen: bigint) => {
    const role = roleOf(party, kind);
    const key = `${kind}\n${role}`;
    const line = lines.get(key) ?? { kind, role, parties: 0, amountFen: 0n };
    const seen = parties.get(key) ?? new Set<string>();
    seen.add(party);
    parties.set(key, seen);
    line.parties = seen.size;
    line.amountFen += amountFen;
    lines.set(key, line);
  };
  const leaves = await query<{ party: string; kind: string; amount_fen: string }>(
    database,
    `select party, kind, amount_fen::text as amount_fen from settlement_leaves where cycle = ${cycle} order by position`,
  );
  for (const leaf of leaves) add(leaf.kind, leaf.party, big(leaf.amount_fen));

  // The commissions still held on the cycle's orders (what the settlement left in their escrows).
  const commissions = await query<{ kind: string; earner_did: string; amount: string }>(
    database,
    `select c.kind, c.earner_did, (c.amount_fen - c.cancelled_fen - c.clawed_back_fen)::text as amount
       from distribution_commissions c join settlement_orders s on s.order_id = c.order_id
      where s.cycle = ${cycle} order by c.id`,
  );
  let commissionFen = 0n;
  for (const c of commissions) {
    const amount = big(c.amount);
    commissionFen += amount;
    add(c.kind === 'override' ? 'team_override' : 'promoter_commission', c.earner_did, amount);
  }
  const [held] = await query<{ held: string }>(
    database,
    `select coalesce(sum(held_fen), 0)::text as held from settlement_orders where cycle = ${cycle}`,
  );
  const commissionsHeldFen = big(held?.held);
  // A refund after the settlement takes back commissions; the difference is named, never dropped.
  if (commissionFen !== commissionsHeldFen) {
    lines.set('commission_adjustment\nother', {
      kind: 'commission_adjustment',
      role: 'other',
      parties: 0,
      amountFen: commissionsHeldFen - commissionFen,
    });
  }

  const accounts = await query<{ key: string; debits: string; credits: string }>(
    database,
    `select key, debits_posted::text as debits, credits_posted::text as credits from ledger_accounts
      where ledger = 'POINTS' and key in ('points:issuance', 'points:burned', 'points:spent', 'points:fees')`,
  );
  const balance = (key: string, debit: boolean) => {
    const row = accounts.find((a) => a.key === key);
    if (row === undefined) return 0n;
    return debit ? big(row.debits) - big(row.credits) : big(row.credits) - big(row.debits);
  };
  const issued = balance('points:issuance', true);
  const burned = balance('points:burned', false);
  const spent = balance('points:spent', false) + balance('points:fees', false);
  const awards = await query<{ kind: string; points: string }>(
    database,
    `select kind, coalesce(sum(points - reversed_points), 0)::text as points from distribution_points_awards
      where created_at >= ${iso(startsAt)} and created_at < ${iso(endsAt)} group by kind`,
  );
  const awarded = (kind: string) => big(awards.find((a) => a.kind === kind)?.points);

  const opened = await query<{ n: string }>(
    database,
    `select count(*)::text as n from consensus_rounds where created_at >= ${iso(startsAt)} and created_at < ${iso(endsAt)}`,
  );
  const decided = await query<{ verdict: string | null; status: string; n: string }>(
    database,
    `select verdict, status, count(*)::text as n from consensus_rounds
      where decided_at >= ${iso(startsAt)} and decided_at < ${iso(endsAt)} group by verdict, status`,
  );
  const [stillOpen] = await query<{ n: string }>(
    database,
    `select count(*)::text as n from consensus_rounds where status = 'open'`,
  );
  const count = (match: (row: { verdict: string | null; status: string }) => boolean) =>
    decided.filter(match).reduce((sum, row) => sum + Number(row.n), 0);

  return {
    index: input.index,
    cycle,
    startsAt: summary.startsAt,
    endsAt: summary.endsAt,
    summary,
    ...input.bookkeeping,
    commissionsHeldFen,
    income: [...lines.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.role < b.role ? -1 : 1)),
    points: {
      issued,
      burned,
      spent,
      circulating: issued - burned - spent,
      awardedCashback: awarded('cashback'),
      awardedReferral: awarded('referral'),
      retired: input.retired,
    },
    rounds: {
      opened: Number(opened[0]?.n ?? 0),
      pass: count((r) => r.verdict === 'pass'),
      fail: count((r) => r.verdict === 'fail'),
      inconclusive: count((r) => r.verdict !== 'pass' && r.verdict !== 'fail'),
      extended: input.extended,
      open: Number(stillOpen?.n ?? 0),
    },
  };
}
