import {
  DistributionError,
  evaluateLevel,
  evaluateLevels,
  type LevelEvaluationInput,
  PROMOTER_LEVELS,
  type PromoterLevel,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows, transaction } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { platformAct } from '../orders/platform-acts.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { distributionPolicy } from './policy.js';

/**
 * The monthly re-evaluation of promoter levels (seed `002_…`: 推广者 → 团队长 → 区域合伙人 →
 * 城市代理). Once a month the job compares every active promoter's figures in
 * distribution_member_stats (own sales, team sales, direct members: running totals kept as orders
 * complete) with the ladder (protocol `evaluateLevels`); each change is a platform act
 * `distribution.promoter.level_changed` naming the figures it used, so anyone can check it with
 * `evaluateLevel`, and its handler moves the level. Orders snapshot levels at checkout, so a
 * change applies to orders placed after it.
 */

const LEVEL = z.enum(PROMOTER_LEVELS as [PromoterLevel, ...PromoterLevel[]]);
const MONTH = z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM');
const AMOUNT_TEXT = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, 'a whole number of fen, as a string');

export const LEVEL_CHANGED_BODY = z
  .object({
    promoter: DID_SCHEMA,
    from: LEVEL,
    to: LEVEL,
    /** The month of the run that decided it (Beijing time). */
    month: MONTH,
    stats: z
      .object({
        ownSalesFen: AMOUNT_TEXT,
        teamSalesFen: AMOUNT_TEXT,
        directMembers: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      })
      .strict(),
  })
  .strict();

export const promoterLevelChanged = defineEvent({
  type: 'distribution.promoter.level_changed',
  summary:
    "The platform's monthly evaluation moves a promoter to the level their figures reach (the figures are in the body; platform only).",
  body: LEVEL_CHANGED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform changes levels, by its monthly evaluation.');
    const { tx, now } = event;
    const stats = {
      ownSalesFen: BigInt(body.stats.ownSalesFen),
      teamSalesFen: BigInt(body.stats.teamSalesFen),
      directMembers: body.stats.directMembers,
    };
    let reached: PromoterLevel;
    try {
      reached = evaluateLevel(stats, distributionPolicy(appOf(event)), 'body.stats');
    } catch (error) {
      if (error instanceof DistributionError) throw new AppError(422, error.code, error.message, error.field);
      throw error;
    }
    if (reached !== body.to || body.from === body.to) {
      throw new AppError(
        422,
        'level_mismatch',
        `These figures reach ${reached}; the change says ${body.from} → ${body.to}.`,
        'body.to',
      );
    }
    const [promoter] = await rows<{ level: string }>(
      tx,
      sql`select level from distribution_promoters where did = ${body.promoter} for update`,
    );
    if (promoter === undefined) throw notFound(`Promoter ${body.promoter}`, 'body.promoter');
    if (promoter.level !== body.from) {
      throw conflict('level_changed', `${body.promoter} is at ${promoter.level} now, not ${body.from}.`, 'body.from');
    }
    await tx.execute(
      sql`update distribution_promoters set level = ${body.to}, level_changed_at = ${now.toISOString()}::timestamptz
          where did = ${body.promoter}`,
    );
    const direction = PROMOTER_LEVELS.indexOf(body.to) > PROMOTER_LEVELS.indexOf(body.from) ? 'up' : 'down';
    return { promoter: body.promoter, from: body.from, to: body.to, direction, month: body.month };
  },
});

const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** Promoters evaluated per page; each change is its own transaction. */
const PAGE = 500;
/** A run holds its month this long per page; a crashed run is taken over after it. */
const LEASE_MS = 10 * 60_000;

/** The month of `now` in Beijing time (China has no daylight saving: always UTC+8), as YYYY-MM. */
export const levelRunMonth = (now: Date) => new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 7);

export interface LevelRunResult {
  month: string;
  /** False when this month's run had finished already, or another process holds it. */
  ran: boolean;
  evaluated: number;
  changed: number;
}

interface PromoterFigures {
  did: string;
  level: string;
  own_sales_fen: string;
  team_sales_fen: string;
  direct_members: number | string;
}

/**
 * The monthly level evaluation of the month of `now`: at most once per month (a row in
 * distribution_level_runs; a finished month is skipped), resumable (the run keeps a cursor and a
 * crashed run is taken over when its lease lapses), paged over the active promoters by DID. Each
 * change is submitted as a platform act in its own transaction; a change refused because the
 * promoter moved meanwhile is left for next month.
 */
export async function runLevelEvaluation(ctx: AppContext, now: Date): Promise<LevelRunResult> {
  const month = levelRunMonth(now);
  const db = ctx.database.db;
  // The lease runs on the clock, not on `now` (the month's date), so a long run keeps it.
  const lease = () => new Date(ctx.clock().getTime() + LEASE_MS).toISOString();
  const [claimed] = await transaction(db, async (tx) => {
    await tx.execute(
      sql`insert into distribution_level_runs (month, started_at) values (${month}, ${now.toISOString()}::timestamptz)
          on conflict (month) do nothing`,
    );
    return rows<{ cursor_did: string | null; evaluated: number; changed: number }>(
      tx,
      sql`update distribution_level_runs set lease_until = ${lease()}::timestamptz
           where month = ${month} and finished_at is null
             and (lease_until is null or lease_until <= ${ctx.clock().toISOString()}::timestamptz)
          returning cursor_did, evaluated, changed`,
    );
  });
  if (claimed === undefined) return { month, ran: false, evaluated: 0, changed: 0 };
  const policy = distributionPolicy(ctx);
  const onLadder = new Set<string>(policy.levels.map((rung) => rung.level));
  let cursor = claimed.cursor_did;
  let evaluated = Number(claimed.evaluated);
  let changed = Number(claimed.changed);
  for (;;) {
    const page = await rows<PromoterFigures>(
      db,
      sql`select p.did, p.level, coalesce(s.own_sales_fen, 0)::text as own_sales_fen,
                 coalesce(s.team_sales_fen, 0)::text as team_sales_fen, coalesce(s.direct_members, 0) as direct_members
            from distribution_promoters p
            join account_roles r on r.did = p.did and r.role = 'promoter'
            left join distribution_member_stats s on s.did = p.did
           where ${cursor === null ? sql`true` : sql`p.did > ${cursor}`}
           order by p.did limit ${PAGE}`,
    );
    if (page.length === 0) break;
    // A level the ladder no longer has cannot be compared; such a promoter waits for the operator.
    const inputs: LevelEvaluationInput[] = page
      .filter((row) => onLadder.has(row.level))
      .map((row) => ({
        promoter: row.did,
        currentLevel: row.level as PromoterLevel,
        stats: {
          ownSalesFen: BigInt(row.own_sales_fen),
          teamSalesFen: BigInt(row.team_sales_fen),
          directMembers: Number(row.direct_members),
        },
      }));
    const byDid = new Map(inputs.map((input) => [input.promoter, input.stats]));
    for (const change of evaluateLevels(inputs, policy)) {
      const stats = byDid.get(change.promoter)!;
      try {
        await transaction(db, (tx) =>
          platformAct(ctx, tx, promoterLevelChanged.type, {
            promoter: change.promoter,
            from: change.from,
            to: change.to,
            month,
            stats: {
              ownSalesFen: stats.ownSalesFen.toString(),
              teamSalesFen: stats.teamSalesFen.toString(),
              directMembers: stats.directMembers,
            },
          }),
        );
        changed++;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
    }
    evaluated += page.length;
    cursor = page.at(-1)!.did;
    await db.execute(
      sql`update distribution_level_runs set cursor_did = ${cursor}, evaluated = ${evaluated}, changed = ${changed},
            lease_until = ${lease()}::timestamptz
          where month = ${month}`,
    );
    if (page.length < PAGE) break;
  }
  await db.execute(
    sql`update distribution_level_runs set finished_at = ${now.toISOString()}::timestamptz, lease_until = null,
          evaluated = ${evaluated}, changed = ${changed}
        where month = ${month}`,
  );
  return { month, ran: true, evaluated, changed };
}
