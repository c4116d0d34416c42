import { formatYuan } from '@concord/protocol';
import { type AppContext, closeSettlementCycle, settlementCycleAt } from '@concord/server';
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
  trust_fee: '信任费',
};

/**
 * The demo closes the last settlement cycle that has ended: the consensus story's purchases and
 * its decided round are in it, so the producer, the expert, the testers and their nominators, and
 * the platform each have a statement and income to see. Closing it again (a second demo) answers
 * the same result. Returns the summary lines.
 */
export async function closeDemoCycle(ctx: AppContext): Promise<string[]> {
  const cycle = settlementCycleAt(ctx.config, ctx.clock()) - 1;
  const summary = await closeSettlementCycle(ctx, cycle);
  const byKind = (await ctx.database.db.execute(
    sql`select kind, count(*)::int as parties, sum(amount_fen)::text as fen from settlement_leaves
         where cycle = ${cycle} group by kind order by kind`,
  )) as unknown as { rows: { kind: string; parties: number; fen: string }[] };
  return [
    `Settlement cycle ${cycle} closed (${summary.startsAt.slice(0, 10)} – ${summary.endsAt.slice(0, 10)}): ${summary.orders} orders, ${formatYuan(BigInt(summary.paidFen))}, root ${summary.root?.slice(0, 16)}…`,
    ...byKind.rows.map(
      (row) =>
        `  ${KIND_ZH[row.kind] ?? row.kind} (${row.kind}): ${formatYuan(BigInt(row.fen))} to ${row.parties} part${row.parties === 1 ? 'y' : 'ies'}`,
    ),
    `  Statements: GET /v1/settlement/cycles/${cycle}/statement (signed in); inputs: /v1/settlement/cycles/${cycle}/inputs`,
  ];
}
