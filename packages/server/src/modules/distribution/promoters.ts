import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';

export interface Promoter {
  did: string;
  level: string;
  uplineDid: string | null;
  joinedAt: Date;
  levelChangedAt: Date;
}

/** Whether the account holds the promoter role now (approved, not revoked). */
export async function isPromoter(executor: Executor, did: string): Promise<boolean> {
  const [row] = await rows<{ did: string }>(
    executor,
    sql`select did from account_roles where did = ${did} and role = 'promoter'`,
  );
  return row !== undefined;
}

/**
 * A promoter's channel record, made when the role is approved: the promoter they were bound to
 * then becomes their upline (who earns the team override on their sales), at the first level. An
 * account approved again after a revocation keeps its record and its upline.
 */
export async function enrolPromoter(
  tx: Tx,
  did: string,
  upline: string | undefined,
  level: string,
  now: Date,
): Promise<void> {
  const [enrolled] = await rows<{ upline_did: string | null }>(
    tx,
    sql`insert into distribution_promoters (did, level, upline_did, joined_at, level_changed_at)
        values (${did}, ${level}, ${upline ?? null}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
        on conflict (did) do nothing
        returning upline_did`,
  );
  if (enrolled?.upline_did) await bumpStats(tx, enrolled.upline_did, { directMembers: 1 });
}

export interface StatsDelta {
  ownSalesFen?: bigint;
  teamSalesFen?: bigint;
  directMembers?: number;
  spendFen?: bigint;
  invites?: number;
  completedOrders?: number;
}

/** Adds to an account's running figures (levels and tiers are judged on them). */
export async function bumpStats(tx: Tx, did: string, delta: StatsDelta): Promise<void> {
  const own = (delta.ownSalesFen ?? 0n).toString();
  const team = (delta.teamSalesFen ?? 0n).toString();
  const spend = (delta.spendFen ?? 0n).toString();
  await tx.execute(
    sql`insert into distribution_member_stats as s (did, own_sales_fen, team_sales_fen, direct_members, spend_fen, invites, completed_orders)
        values (${did}, ${own}::int8, ${team}::int8, ${delta.directMembers ?? 0}, ${spend}::int8, ${delta.invites ?? 0}, ${delta.completedOrders ?? 0})
        on conflict (did) do update set
          own_sales_fen = s.own_sales_fen + excluded.own_sales_fen,
          team_sales_fen = s.team_sales_fen + excluded.team_sales_fen,
          direct_members = s.direct_members + excluded.direct_members,
          spend_fen = s.spend_fen + excluded.spend_fen,
          invites = s.invites + excluded.invites,
          completed_orders = s.completed_orders + excluded.completed_orders`,
  );
}

export interface PromoterRow {
  did: string;
  level: string;
  upline_did: string | null;
  joined_at: Date | string;
  level_changed_at: Date | string;
}

export const toPromoter = (row: PromoterRow): Promoter => ({
  did: row.did,
  level: row.level,
  uplineDid: row.upline_did,
  joinedAt: new Date(row.joined_at),
  levelChangedAt: new Date(row.level_changed_at),
});

/** Promoters who hold the role now, as `p` (a revoked role leaves the record but ends the promoter). */
export const CURRENT_PROMOTERS = sql`distribution_promoters p join account_roles r on r.did = p.did and r.role = 'promoter'`;

export async function findPromoter(executor: Executor, did: string): Promise<Promoter | undefined> {
  const [row] = await rows<PromoterRow>(executor, sql`select p.* from ${CURRENT_PROMOTERS} where p.did = ${did}`);
  return row && toPromoter(row);
}
