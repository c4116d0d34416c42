import { formatYuan } from '@concord/protocol';
import { type AppContext, closeSettlementCycle, listCycles, settlementCycleAt } from '@concord/server';
import { sql } from 'drizzle-orm';

const KIND_ZH: Record<string, string> = {
  supplier: '供应商货款',
  unused_share: '未用份额',
  platform_service_fee: '平台技术服务费',
  cashback: '返利积分准备金',
  experience_expert: '体验池·专家',
  experience_tester: '体验池·体验者',
  experience_nominator: '体验池·提名人',
  experience_platform: '体验池·平台',
  trust_fee: '信任费·见证人',
};

type Rows<T> = { rows: T[] };

/**
 * The demo closes the settlement cycles that have ended, in order, from the first with an order
 * to settle: the consensus story's purchases, its decided rounds and the witnesses' cosignatures
 * of that time fall in them, so the producer, the expert, the testers and their nominators, the
 * witnesses and the platform each have a statement and income to see. A second demo finds them
 * closed and changes nothing. Returns the summary lines.
 */
export async function closeDemoCycles(ctx: AppContext): Promise<string[]> {
  const db = ctx.database.db;
  const last = settlementCycleAt(ctx.config, ctx.clock()) - 1;
  const [pending] = (
    (await db.execute(
      sql`select min(completed_at)::text as at from orders o
           where o.status = 'completed' and o.settled_cycle is null`,
    )) as unknown as Rows<{ at: string | null }>
  ).rows;
  const first = pending?.at == null ? last : Math.min(settlementCycleAt(ctx.config, new Date(pending.at)), last);
  for (let cycle = first; cycle <= last; cycle++) await closeSettlementCycle(ctx, cycle);

  // Every closed cycle that paid anyone (this run's and earlier demos').
  const paid = (await listCycles(db, undefined, 100))
    .filter((summary) => summary.status === 'closed' && (summary.leaves ?? 0) > 0)
    .reverse();
  const lines: string[] = [];
  for (const summary of paid) {
    lines.push(
      `Settlement cycle ${summary.cycle} closed (${summary.startsAt.slice(0, 10)} – ${summary.endsAt.slice(0, 10)}): ${summary.orders} orders, ${formatYuan(BigInt(summary.paidFen))}, root ${summary.root?.slice(0, 16)}…`,
    );
    const byKind = (
      (await db.execute(
        sql`select kind, count(*)::int as parties, sum(amount_fen)::text as fen from settlement_leaves
             where cycle = ${summary.cycle} group by kind order by kind`,
      )) as unknown as Rows<{ kind: string; parties: number; fen: string }>
    ).rows;
    for (const row of byKind) {
      lines.push(
        `  ${KIND_ZH[row.kind] ?? row.kind} (${row.kind}): ${formatYuan(BigInt(row.fen))} to ${row.parties} part${row.parties === 1 ? 'y' : 'ies'}`,
      );
    }
    lines.push(`  Statements: GET /v1/settlement/cycles/${summary.cycle}/statement; inputs: …/${summary.cycle}/inputs`);
  }
  return lines;
}
