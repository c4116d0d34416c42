import { createHash } from 'node:crypto';
import {
  adjustmentLine,
  byId,
  type CycleWitness,
  headerLine,
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

const PAGE = 50_000;

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
    // One order per distinct hash (a scan of the orders themselves would sort a million rows).
    sql`select h.policy_hash, (select o.policy from orders o where o.policy_hash = h.policy_hash limit 1) as policy
          from (select distinct policy_hash from settlement_orders where cycle = ${cycle}) h`,
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
  // The orders' lines were written by the close as it settled them: the document reads them back.
  for (let after = ''; ; ) {
    const page = await rows<{ order_id: string; input_line: string }>(
      executor,
      sql`select order_id, input_line from settlement_orders where cycle = ${cycle} and order_id > ${after}
           order by order_id limit ${PAGE}`,
    );
    for (const o of page) yield o.input_line;
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
  for (const round of rounds.sort((a, b) => byId(a.roundId, b.roundId))) yield roundLine(round);
  for (const witness of fromJsonb(row.witnesses) ?? []) yield witnessLine(witness);
}

/** SHA-256 of the document (each line followed by a newline), hex. */
export async function cycleInputsDigest(ctx: AppContext, executor: Executor, cycle: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const line of cycleInputLines(ctx, executor, cycle)) hash.update(`${line}\n`);
  return hash.digest('hex');
}
