import { canonicalize } from '../canonical/index.js';
import {
  type RewardPolicy,
  type RewardTesterJson,
  rewardTesterFromJson,
  rewardTesterToJson,
} from '../consensus/rewards.js';
import type { SplitPolicy } from '../money/split-policy.js';
import { type CycleClose, type CycleRound, type CycleWitness, closeCycle } from './cycle-result.js';
import { type CycleEntry, type SettlementKind, type SettlementOrder, settleOrder } from './order-settlement.js';
import type { SettlementPolicy } from './settlement-policy.js';

/**
 * Everything a cycle's result was computed from, as a document anyone can fetch beside the log
 * (`GET /v1/settlement/cycles/{n}/inputs`) and check by the SHA-256 the cycle's envelope carries:
 * a cycle of a million orders does not fit in a log entry (65,535 bytes), so it goes by hash, as
 * DESIGN §5 has large data do. JSON Lines, each line RFC 8785 JSON: a header, then the orders by
 * id, the reversals, the rounds by id and the witnesses by party. No personal data: DIDs, ids and
 * amounts only.
 */

export interface CycleHeader {
  readonly cycle: number;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly platform: string;
  readonly policy: SettlementPolicy;
  /** The split policies the orders snapshotted, by the hash the buyers signed. */
  readonly policies: Readonly<Record<string, SplitPolicy>>;
}

/** An order as settled: the protocol's input with its policy named by hash. */
export type CycleOrderInput = Omit<SettlementOrder, 'policy'> & { readonly policyHash: string };

/** A reversal of a refund after an earlier settlement, taken out of this cycle (negative amounts). */
export interface CycleAdjustment extends CycleEntry {
  readonly orderId: string;
  readonly refundId: string;
}

export interface CycleInputs {
  readonly header: CycleHeader;
  readonly orders: CycleOrderInput[];
  readonly adjustments: CycleAdjustment[];
  readonly rounds: CycleRound[];
  readonly witnesses: CycleWitness[];
}

const fen = (value: bigint) => value.toString();

export const headerLine = (header: CycleHeader) => canonicalize({ header });

export function orderLine(order: CycleOrderInput): string {
  return canonicalize({
    order: {
      orderId: order.orderId,
      paidFen: fen(order.paidFen),
      heldFen: fen(order.heldFen),
      policyHash: order.policyHash,
      supplier: order.supplier,
      buyer: order.buyer,
      ...(order.promoter === undefined ? {} : { promoter: order.promoter }),
      ...(order.upline === undefined ? {} : { upline: order.upline }),
      lines: order.lines.map((line) => ({
        amountFen: fen(line.amountFen),
        ...(line.expert === undefined ? {} : { expert: line.expert }),
      })),
    },
  });
}

export const adjustmentLine = (a: CycleAdjustment) =>
  canonicalize({
    adjustment: { orderId: a.orderId, refundId: a.refundId, kind: a.kind, party: a.party, amountFen: fen(a.amountFen) },
  });

export const roundLine = (round: CycleRound) =>
  canonicalize({
    round: {
      roundId: round.roundId,
      testers: round.testers.map(rewardTesterToJson),
    },
  });

export const witnessLine = (w: CycleWitness) =>
  canonicalize({ witness: { party: w.party, cosignatures: w.cosignatures } });

type Json = Record<string, unknown>;

/** Reads the document back (the verifier's side); throws an Error naming the line on a bad one. */
export function parseCycleInputs(text: string): CycleInputs {
  const lines = text.split('\n').filter((line) => line.length > 0);
  let header: CycleHeader | undefined;
  const orders: CycleOrderInput[] = [];
  const adjustments: CycleAdjustment[] = [];
  const rounds: CycleRound[] = [];
  const witnesses: CycleWitness[] = [];
  lines.forEach((line, i) => {
    let parsed: Json;
    try {
      parsed = JSON.parse(line) as Json;
    } catch {
      throw new Error(`cycle inputs line ${i + 1}: not JSON`);
    }
    if (canonicalize(parsed) !== line) throw new Error(`cycle inputs line ${i + 1}: not canonical JSON`);
    if (i === 0) {
      if (parsed.header === undefined) throw new Error('cycle inputs: the first line is not the header');
      header = parsed.header as CycleHeader;
    } else if (parsed.order !== undefined) {
      const o = parsed.order as Json;
      orders.push({
        orderId: o.orderId as string,
        paidFen: BigInt(o.paidFen as string),
        heldFen: BigInt(o.heldFen as string),
        policyHash: o.policyHash as string,
        supplier: o.supplier as string,
        buyer: o.buyer as string,
        promoter: o.promoter as string | undefined,
        upline: o.upline as string | undefined,
        lines: (o.lines as Json[]).map((l) => ({
          amountFen: BigInt(l.amountFen as string),
          expert: l.expert as string | undefined,
        })),
      });
    } else if (parsed.adjustment !== undefined) {
      const a = parsed.adjustment as Json;
      adjustments.push({
        orderId: a.orderId as string,
        refundId: a.refundId as string,
        kind: a.kind as SettlementKind,
        party: a.party as string,
        amountFen: BigInt(a.amountFen as string),
      });
    } else if (parsed.round !== undefined) {
      const r = parsed.round as Json;
      rounds.push({
        roundId: r.roundId as string,
        testers: (r.testers as RewardTesterJson[]).map(rewardTesterFromJson),
      });
    } else if (parsed.witness !== undefined) {
      const w = parsed.witness as Json;
      witnesses.push({ party: w.party as string, cosignatures: w.cosignatures as number });
    } else throw new Error(`cycle inputs line ${i + 1}: unknown record`);
  });
  if (header === undefined) throw new Error('cycle inputs: empty document');
  return { header, orders, adjustments, rounds, witnesses };
}

/**
 * The cycle recomputed from its inputs alone (what `concord verify` does): every order settled
 * under the policy its hash names, the reversals added, and the close. Throws an Error when an
 * order names a policy the header does not hold.
 */
export function closeCycleFromInputs(inputs: CycleInputs, rewardPolicy?: RewardPolicy): CycleClose {
  const { header } = inputs;
  function* entries(): Generator<CycleEntry> {
    for (const order of inputs.orders) {
      const policy = Object.hasOwn(header.policies, order.policyHash) ? header.policies[order.policyHash] : undefined;
      if (policy === undefined)
        throw new Error(`order ${order.orderId} names policy ${order.policyHash}, not in the header`);
      yield* settleOrder({ ...order, policy }, header.platform).entries;
    }
    yield* inputs.adjustments;
  }
  return closeCycle({
    entries: entries(),
    rounds: inputs.rounds,
    witnesses: inputs.witnesses,
    platform: header.platform,
    policy: header.policy,
    ...(rewardPolicy === undefined ? {} : { rewardPolicy }),
  });
}
