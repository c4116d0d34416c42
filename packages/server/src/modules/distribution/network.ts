import type { DistributionPolicy } from '@concord/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';
import { type Cursor, decodeCursor, pageOf } from '../catalog/cursor.js';

/**
 * A promoter's own network: the customers bound to them and their direct team. Only the display
 * name an account chose is shown of anyone, never contact details or addresses (DESIGN §3).
 */

const DAY_MS = 86_400_000;

interface CustomerRow {
  consumer_did: string;
  display_name: string | null;
  bound_at: Date | string;
  last_click_at: Date | string;
  link_code: string | null;
  link_kind: 'invite' | 'product' | 'shop' | null;
  link_product_id: string | null;
  link_producer_did: string | null;
  completed_orders: number;
  commission_fen: string;
}

interface MemberRow {
  did: string;
  display_name: string | null;
  level: string;
  joined_at: Date | string;
  own_sales_fen: string;
  team_sales_fen: string;
  members: number;
}

const ms = (value: Date | string) => new Date(value).getTime();

/** Newest first: the cursor is the last row's (time, did). */
const keyset = (column: SQL, did: SQL, cursor: Cursor | undefined): SQL =>
  cursor === undefined
    ? sql`true`
    : sql`(${column}, ${did}) < (${new Date(Number(cursor.rank ?? 0)).toISOString()}::timestamptz, ${cursor.id})`;

interface Page {
  cursor?: string | undefined;
  limit: number;
}

/**
 * The consumers whose orders are attributed to `promoter` now: every binding in 'first' mode, only
 * those clicked within the window in 'last_click' mode (as protocol `bindingActive` decides).
 */
export async function boundCustomers(
  executor: Executor,
  promoter: string,
  now: Date,
  policy: DistributionPolicy,
  page: Page,
) {
  const windowMs = policy.lastClickWindowDays * DAY_MS;
  const lastClick = policy.bindingMode === 'last_click';
  const active = lastClick
    ? sql`b.last_click_at >= ${new Date(now.getTime() - windowMs).toISOString()}::timestamptz`
    : sql`true`;
  const found = await rows<CustomerRow>(
    executor,
    sql`select b.consumer_did, pr.display_name, b.bound_at, b.last_click_at, b.link_code,
               l.kind as link_kind, l.product_id as link_product_id, l.producer_did as link_producer_did,
               (select count(*) from orders o
                 where o.buyer_did = b.consumer_did and o.status = 'completed'
                   and o.attribution->>'promoter' = ${promoter})::int as completed_orders,
               -- Through the buyer's orders (indexed), not the promoter's commissions, which may be many.
               (select coalesce(sum(c.amount_fen - c.cancelled_fen - c.clawed_back_fen), 0)
                  from orders o join distribution_commissions c on c.order_id = o.id
                 where o.buyer_did = b.consumer_did and c.earner_did = ${promoter})::text as commission_fen
          from distribution_bindings b
          left join account_profiles pr on pr.did = b.consumer_did
          left join distribution_links l on l.code = b.link_code
         where b.promoter_did = ${promoter} and ${active}
           and ${keyset(sql`b.bound_at`, sql`b.consumer_did`, decodeCursor(page.cursor))}
         order by b.bound_at desc, b.consumer_did desc
         limit ${page.limit + 1}`,
  );
  const { items, nextCursor } = pageOf(found, page.limit, (last) => ({
    id: last.consumer_did,
    rank: String(ms(last.bound_at)),
  }));
  return {
    items: items.map((row) => ({
      did: row.consumer_did,
      displayName: row.display_name,
      boundAt: new Date(row.bound_at).toISOString(),
      boundUntil: lastClick ? new Date(ms(row.last_click_at) + windowMs).toISOString() : null,
      link:
        row.link_code === null || row.link_kind === null
          ? null
          : {
              code: row.link_code,
              kind: row.link_kind,
              productId: row.link_product_id,
              producer: row.link_producer_did,
            },
      completedOrders: Number(row.completed_orders),
      commissionFen: String(row.commission_fen),
    })),
    nextCursor,
  };
}

/** The promoters `upline` brought in who still hold the role, with their figures and own teams. */
export async function teamMembers(executor: Executor, upline: string, page: Page) {
  const found = await rows<MemberRow>(
    executor,
    sql`select p.did, pr.display_name, p.level, p.joined_at,
               coalesce(s.own_sales_fen, 0)::text as own_sales_fen,
               coalesce(s.team_sales_fen, 0)::text as team_sales_fen,
               (select count(*) from distribution_promoters d
                  join account_roles dr on dr.did = d.did and dr.role = 'promoter'
                 where d.upline_did = p.did)::int as members
          from distribution_promoters p
          join account_roles r on r.did = p.did and r.role = 'promoter'
          left join account_profiles pr on pr.did = p.did
          left join distribution_member_stats s on s.did = p.did
         where p.upline_did = ${upline}
           and ${keyset(sql`p.joined_at`, sql`p.did`, decodeCursor(page.cursor))}
         order by p.joined_at desc, p.did desc
         limit ${page.limit + 1}`,
  );
  const { items, nextCursor } = pageOf(found, page.limit, (last) => ({
    id: last.did,
    rank: String(ms(last.joined_at)),
  }));
  return {
    items: items.map((row) => ({
      did: row.did,
      displayName: row.display_name,
      level: row.level,
      joinedAt: new Date(row.joined_at).toISOString(),
      ownSalesFen: String(row.own_sales_fen),
      teamSalesFen: String(row.team_sales_fen),
      members: Number(row.members),
    })),
    nextCursor,
  };
}
