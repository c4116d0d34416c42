import {
  CycleTree,
  type CycleWitness,
  rewardRound,
  type SettlementKind,
  settleOrder,
  toBase64,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';
import { csvField } from '../accounting/statement.js';
import { DEFAULT_CONSENSUS_POLICY } from '../consensus/policy.js';
import { cycleRounds, storedLeaves } from './close.js';
import { settledOrders } from './settled-orders.js';

/** Most source lines a statement lists per kind of source (a big supplier's cycle is summed above them). */
export const STATEMENT_LINES_MAX = 1_000;

export interface StatementLeaf {
  kind: SettlementKind;
  amountFen: string;
  /** Where the leaf sits among the cycle's leaves, and its RFC 9162 inclusion proof (base64 hashes). */
  index: number;
  proof: string[];
}

export interface StatementLine {
  /** What the amount came from: an order settled, a reversal of a refund, a round, the witness's cosignatures. */
  source: 'order' | 'reversal' | 'round' | 'cosignatures' | 'experience_pool';
  ref: string;
  kind: SettlementKind | 'expert_fee';
  amountFen: string;
}

export interface Statement {
  cycle: number;
  party: string;
  root: string;
  leafCount: number;
  totalFen: string;
  leaves: StatementLeaf[];
  lines: StatementLine[];
  /** True when a kind of source had more than STATEMENT_LINES_MAX lines (the leaves still hold the whole). */
  truncated: boolean;
}

/**
 * A party's statement of a closed cycle: its leaves with their inclusion proofs under the
 * published root, and the lines they came from — the orders (recomputed from the stored inputs
 * by the same `settleOrder`), the reversals, the rounds (their rewards rerun with the pool each
 * got), the witness's cosignatures. Undefined when the cycle is not closed.
 */
export async function statementOf(
  ctx: AppContext,
  executor: Executor,
  cycle: number,
  party: string,
): Promise<Statement | undefined> {
  const [state] = await rows<{
    status: string;
    root: string;
    witnesses: CycleWitness[] | string | null;
    ends_at: Date | string;
  }>(executor, sql`select status, root, witnesses, ends_at from settlement_cycles where cycle = ${cycle}`);
  if (state?.status !== 'closed') return undefined;
  const all = await storedLeaves(executor, cycle);
  const tree = new CycleTree(ctx.crypto, all);
  const leaves: StatementLeaf[] = [];
  all.forEach((leaf, index) => {
    if (leaf.party === party)
      leaves.push({
        kind: leaf.kind,
        amountFen: leaf.amountFen.toString(),
        index,
        proof: tree.proof(index).map((hash) => toBase64(hash)),
      });
  });
  const lines: StatementLine[] = [];
  let truncated = false;
  const platform = ctx.platformSigner.did;
  const kinds = new Set(leaves.map((l) => l.kind));

  // The party's legs of the orders `where` finds, recomputed; `fees` picks the experts' fee parts instead.
  const orderLines = async (where: ReturnType<typeof sql>, fees: boolean) => {
    const orders = await settledOrders(executor, sql`s.cycle = ${cycle} and ${where}`, STATEMENT_LINES_MAX + 1);
    truncated ||= orders.length > STATEMENT_LINES_MAX;
    for (const order of orders.slice(0, STATEMENT_LINES_MAX)) {
      for (const entry of settleOrder(order, platform).entries) {
        if (entry.party === party && (entry.kind === 'expert_fee') === fees)
          lines.push({
            source: fees ? 'experience_pool' : 'order',
            ref: order.orderId,
            kind: entry.kind as SettlementKind | 'expert_fee',
            amountFen: entry.amountFen.toString(),
          });
      }
    }
  };
  if (party !== platform && (kinds.has('supplier') || kinds.has('unused_share')))
    await orderLines(sql`s.supplier = ${party}`, false);
  if (kinds.has('experience_expert'))
    await orderLines(sql`s.lines @> ${JSON.stringify([{ expert: party }])}::jsonb`, true);
  if (kinds.has('experience_tester') || kinds.has('experience_nominator')) {
    const paid = await rows<{ round_id: string; pool_fen: string }>(
      executor,
      sql`select round_id, pool_fen::text from settlement_rounds where cycle = ${cycle} order by round_id`,
    );
    const pools = new Map(paid.map((r) => [r.round_id, BigInt(r.pool_fen)]));
    for (const round of await cycleRounds(executor, cycle, new Date(state.ends_at))) {
      const poolFen = pools.get(round.roundId);
      if (poolFen === undefined) continue;
      const result = rewardRound({ poolFen, testers: round.testers, policy: DEFAULT_CONSENSUS_POLICY.reward });
      for (const leg of result.payouts) {
        if (leg.party === party)
          lines.push({
            source: 'round',
            ref: round.roundId,
            kind: leg.role === 'tester' ? 'experience_tester' : 'experience_nominator',
            amountFen: leg.amountFen,
          });
      }
    }
  }
  if (kinds.has('trust_fee')) {
    const witness = (fromJsonb(state.witnesses) ?? []).find((w) => w.party === party);
    if (witness !== undefined)
      lines.push({
        source: 'cosignatures',
        ref: String(witness.cosignatures),
        kind: 'trust_fee',
        amountFen: leaves.find((l) => l.kind === 'trust_fee')?.amountFen ?? '0',
      });
  }
  const reversals = await rows<{ order_id: string; refund_id: string; kind: SettlementKind; amount_fen: string }>(
    executor,
    sql`select order_id, refund_id, kind, amount_fen::text from settlement_adjustments
         where cycle = ${cycle} and party = ${party} order by order_id, refund_id, kind limit ${STATEMENT_LINES_MAX + 1}`,
  );
  truncated ||= reversals.length > STATEMENT_LINES_MAX;
  for (const r of reversals.slice(0, STATEMENT_LINES_MAX))
    lines.push({ source: 'reversal', ref: `${r.order_id}/${r.refund_id}`, kind: r.kind, amountFen: r.amount_fen });

  return {
    cycle,
    party,
    root: state.root,
    leafCount: all.length,
    totalFen: leaves.reduce((sum, l) => sum + BigInt(l.amountFen), 0n).toString(),
    leaves,
    lines,
    truncated,
  };
}

/** The statement as CSV (RFC 4180): the leaves first (what was paid), then the lines they came from. */
export function statementCsv(statement: Statement): string {
  // Text through the ledger statement's quoting (formula-safe); amounts as they are, signs included.
  const row = (record: string, source: string, ref: string, kind: string, amountFen: string) =>
    `${[record, source, ref, kind].map(csvField).join(',')},${amountFen}`;
  const rowsOut = [
    'record,source,ref,kind,amount_fen',
    ...statement.leaves.map((leaf) => row('leaf', 'cycle', String(statement.cycle), leaf.kind, leaf.amountFen)),
    ...statement.lines.map((line) => row('line', line.source, line.ref, line.kind, line.amountFen)),
  ];
  return `${rowsOut.join('\r\n')}\r\n`;
}
