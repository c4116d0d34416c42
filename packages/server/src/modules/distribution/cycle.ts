import {
  type CompletedOrder,
  type CycleDistribution,
  computeCycle,
  DEFAULT_SPLIT_POLICY,
  type DistributionPolicy,
  type MembershipTier,
  type OrderAttribution,
  type SplitPolicy,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Database, fromJsonb, rows, transaction } from '../../db/connection.js';

// Rows fetched and written per round trip: large enough that 100,000 orders take a few dozen.
const PAGE = 10_000;

interface OrderRow {
  seq: string;
  id: string;
  paid_fen: string;
  buyer_did: string;
  attribution: OrderAttribution | null;
  policy_hash: string;
  delivered_at: Date | string;
  completed_at: Date | string;
  tier: MembershipTier | null;
  inviter_did: string | null;
  first_completed: boolean;
}

export interface CycleRun {
  cycleKey: string;
  distribution: CycleDistribution;
  /** Where the time went: reading the orders, the protocol's computation, writing the entries. */
  timings: { readMs: number; computeMs: number; writeMs: number };
}

/**
 * The commissions and points of every order completed in [from, to) that no review holds
 * (protocol `computeCycle`), stored as the cycle's entries, replacing an earlier run of the same
 * cycle in one transaction. Orders are read in pages by their sequence; each split policy is
 * parsed once per distinct hash.
 */
export async function computeCycleDistribution(
  database: Database,
  policy: DistributionPolicy,
  window: { cycleKey: string; from: Date; to: Date },
  onProgress?: (done: number) => void,
): Promise<CycleRun> {
  const started = performance.now();
  const db = database.db;
  const policies = new Map<string, SplitPolicy>();
  for (const row of await rows<{ policy_hash: string; policy: SplitPolicy }>(
    db,
    sql`select distinct on (policy_hash) policy_hash, policy from orders
         where status = 'completed' and completed_at >= ${window.from.toISOString()}::timestamptz
           and completed_at < ${window.to.toISOString()}::timestamptz`,
  )) {
    policies.set(row.policy_hash, fromJsonb(row.policy));
  }
  const orders: CompletedOrder[] = [];
  for (let after = '0'; ; ) {
    const page = await rows<OrderRow>(
      db,
      sql`select o.seq, o.id, o.total_fen - o.refunded_fen as paid_fen, o.buyer_did, o.attribution, o.policy_hash,
                 o.delivered_at, o.completed_at, s.tier, i.inviter_did,
                 not exists (select 1 from orders e where e.buyer_did = o.buyer_did and e.status = 'completed'
                               and (e.completed_at, e.seq) < (o.completed_at, o.seq)) as first_completed
            from orders o
            left join distribution_member_stats s on s.did = o.buyer_did
            left join distribution_invites i on i.invitee_did = o.buyer_did
           where o.status = 'completed' and o.seq > ${after}::int8
             and o.completed_at >= ${window.from.toISOString()}::timestamptz
             and o.completed_at < ${window.to.toISOString()}::timestamptz
             and not exists (select 1 from distribution_reviews r where r.order_id = o.id and r.status <> 'approved')
           order by o.seq limit ${PAGE}`,
    );
    for (const row of page) {
      const attribution = fromJsonb(row.attribution);
      orders.push({
        orderId: row.id,
        paidFen: BigInt(row.paid_fen),
        buyer: row.buyer_did,
        ...(attribution === null ? {} : { attribution }),
        buyerTier: row.tier ?? 'normal',
        ...(row.inviter_did === null ? {} : { inviter: row.inviter_did }),
        firstCompletedOrder: row.first_completed,
        deliveredAtMs: new Date(row.delivered_at).getTime(),
        completedAtMs: new Date(row.completed_at).getTime(),
        splitPolicy: policies.get(row.policy_hash) ?? DEFAULT_SPLIT_POLICY,
      });
    }
    onProgress?.(orders.length);
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE) break;
    after = String(last.seq);
  }
  const read = performance.now();
  const distribution = computeCycle(orders, DEFAULT_SPLIT_POLICY, policy);
  const computed = performance.now();

  const entries = [
    ...distribution.commissions.map((c) => ({
      orderId: c.orderId,
      kind: c.kind,
      party: c.beneficiary,
      fen: c.amountFen,
      points: 0n,
    })),
    ...distribution.points.map((p) => ({
      orderId: p.orderId,
      kind: p.kind,
      party: p.holder,
      fen: p.fen,
      points: p.points,
    })),
  ];
  await transaction(db, async (tx) => {
    await tx.execute(sql`delete from distribution_cycle_entries where cycle_key = ${window.cycleKey}`);
    for (let i = 0; i < entries.length; i += PAGE) {
      const chunk = entries.slice(i, i + PAGE);
      await tx.execute(
        sql`insert into distribution_cycle_entries (cycle_key, order_id, kind, party, amount_fen, points)
            select ${window.cycleKey}, * from unnest(${`{${chunk.map((e) => e.orderId).join(',')}}`}::text[],
                                                    ${`{${chunk.map((e) => e.kind).join(',')}}`}::text[],
                                                    ${`{${chunk.map((e) => `"${e.party}"`).join(',')}}`}::text[],
                                                    ${`{${chunk.map((e) => e.fen).join(',')}}`}::int8[],
                                                    ${`{${chunk.map((e) => e.points).join(',')}}`}::int8[])`,
      );
    }
  });
  const written = performance.now();
  return {
    cycleKey: window.cycleKey,
    distribution,
    timings: { readMs: read - started, computeMs: computed - read, writeMs: written - computed },
  };
}
