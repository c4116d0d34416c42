import { createHash } from 'node:crypto';
import {
  adjustmentLine,
  type CycleWitness,
  headerLine,
  orderLine,
  roundLine,
  type SettlementKind,
  type SettlementPolicy,
  type SplitPolicy,
  witnessLine,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';
import { cycleRounds } from './close.js';

const PAGE = 10_000;

interface SettledRow {
  order_id: string;
  paid_fen: string;
  held_fen: string;
  policy_hash: string;
  supplier: string;
  buyer: string;
  promoter: string | null;
  upline: string | null;
  lines: { amountFen: string; expert?: string }[] | string;
}

/**
 * The lines of a cycle's inputs document (protocol `cycle-inputs.ts`), read from what the close
 * stored, page by page so that a cycle of a million orders never sits in memory whole.
 */
export async function* cycleInputLines(ctx: AppContext, executor: Executor, cycle: number): AsyncGenerator<string> {
  const [row] = await rows<{
    starts_at: Date | string;
    ends_at: Date | string;
    policy: SettlementPolicy | string;
    witnesses: CycleWitness[] | string;
  }>(executor, sql`select starts_at, ends_at, policy, witnesses from settlement_cycles where cycle = ${cycle}`);
  if (row === undefined) return;
  const policies: Record<string, SplitPolicy> = {};
  for (const p of await rows<{ policy_hash: string; policy: SplitPolicy | string }>(
    executor,
    sql`select distinct on (o.policy_hash) o.policy_hash, o.policy from orders o
         where o.policy_hash in (select distinct policy_hash from settlement_orders where cycle = ${cycle})`,
  ))
    policies[p.policy_hash] = fromJsonb(p.policy);
  yield headerLine({
    cycle,
    startsAt: new Date(row.starts_at).toISOString(),
    endsAt: new Date(row.ends_at).toISOString(),
    platform: ctx.platformSigner.did,
    policy: fromJsonb(row.policy),
    policies,
  });
  for (let after = ''; ; ) {
    const page = await rows<SettledRow>(
      executor,
      sql`select order_id, paid_fen::text, held_fen::text, policy_hash, supplier, buyer, promoter, upline, lines
            from settlement_orders where cycle = ${cycle} and order_id > ${after} order by order_id limit ${PAGE}`,
    );
    for (const o of page) {
      yield orderLine({
        orderId: o.order_id,
        paidFen: BigInt(o.paid_fen),
        heldFen: BigInt(o.held_fen),
        policyHash: o.policy_hash,
        supplier: o.supplier,
        buyer: o.buyer,
        promoter: o.promoter ?? undefined,
        upline: o.upline ?? undefined,
        lines: fromJsonb(o.lines).map((l) => ({ amountFen: BigInt(l.amountFen), expert: l.expert })),
      });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.order_id;
  }
  for (const a of await rows<{
    order_id: string;
    refund_id: string;
    kind: SettlementKind;
    party: string;
    amount_fen: string;
  }>(
    executor,
    sql`select order_id, refund_id, kind, party, amount_fen::text from settlement_adjustments where cycle = ${cycle}
         order by order_id, refund_id, kind, party`,
  )) {
    yield adjustmentLine({
      orderId: a.order_id,
      refundId: a.refund_id,
      kind: a.kind,
      party: a.party,
      amountFen: BigInt(a.amount_fen),
    });
  }
  const paid = new Set(
    (
      await rows<{ round_id: string }>(executor, sql`select round_id from settlement_rounds where cycle = ${cycle}`)
    ).map((r) => r.round_id),
  );
  const rounds = (await cycleRounds(executor, cycle, new Date(row.ends_at))).filter((r) => paid.has(r.roundId));
  for (const round of rounds.sort((a, b) => (a.roundId < b.roundId ? -1 : 1))) yield roundLine(round);
  for (const witness of fromJsonb(row.witnesses) ?? []) yield witnessLine(witness);
}

/** SHA-256 of the document (each line followed by a newline), hex. */
export async function cycleInputsDigest(ctx: AppContext, executor: Executor, cycle: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const line of cycleInputLines(ctx, executor, cycle)) hash.update(`${line}\n`);
  return hash.digest('hex');
}
