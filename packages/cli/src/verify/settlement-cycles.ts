import { createHash } from 'node:crypto';
import {
  type CryptoProvider,
  type CycleOrderInput,
  CycleTree,
  closeCycleFromInputs,
  type Envelope,
  parseCycleInputs,
  roundLine,
  splitPolicyHash,
  toHex,
} from '@concord/protocol';
import { DEFAULT_CONSENSUS_POLICY } from '@concord/server';
import type { ConsensusState } from './consensus-state.js';
import { getText } from './http.js';
import type { ReplayCheck } from './replay-checks.js';
import type { Divergence } from './verify-log.js';

interface PlacedOrder {
  buyer: string;
  producer: string;
  totalFen: bigint;
  policyHash: string;
  promoter: string | undefined;
  /** Each item, with the expert whose model its product used when the order was placed. */
  items: { skuId: string; quantity: number; unitPriceFen: bigint; expert: string | undefined }[];
}

interface CycleBody {
  cycle: number;
  startsAt: string;
  endsAt: string;
  orders: number;
  paidFen: string;
  leaves: number;
  root: string;
  inputsDigest: string;
  totals: Record<string, string>;
}

/**
 * Settlement cycles, recomputed (DESIGN §11): while the log streams by, the orders placed and
 * completed are noted, and every `settlement.cycle.closed` is kept; then each cycle's inputs
 * document is fetched, checked against the digest the operator signed and against the log (every
 * order settled was placed by that buyer with that producer, promoter and policy, completed
 * before the cycle ended, paid no more than its total, and settled in no other cycle; every
 * policy hashes to the hash the buyer signed), and the cycle is recomputed by the protocol's
 * rules: the leaves' root, their number and the totals must be the published ones.
 *
 * Every round the cycle paid must have been decided on the log with the very reward inputs the
 * consensus replay recomputed, and paid in no other cycle.
 *
 * Each order's lines must be its placed items, paying no more than they cost, each naming the
 * expert whose model the product used when the order was placed: the catalogue as the log had
 * it at the `orders.order.placed` entry (the consensus state, folded by the results' replay
 * before this check sees the entry), so a product republished under another expert's model
 * before the cycle closed leaves the earlier sales to the first expert.
 *
 * Declared, not derivable from the log: what each order still had paid after refunds and the
 * commissions held on it, the reversals, and the witnesses' cosignature counts.
 */
export class SettlementCycles implements ReplayCheck {
  readonly name = 'settlement-cycles';
  private readonly placed = new Map<string, PlacedOrder>();
  private readonly completedAt = new Map<string, number>();
  private readonly cycles: { index: number; actor: string; body: CycleBody }[] = [];

  constructor(private readonly consensus: ConsensusState) {}

  entry(index: number, envelope: Envelope): string | undefined {
    const body = envelope.body as Record<string, unknown>;
    if (envelope.type === 'orders.order.placed') {
      this.placed.set(body.orderId as string, {
        buyer: envelope.actor,
        producer: body.producer as string,
        totalFen: BigInt(body.totalFen as string),
        policyHash: body.policyHash as string,
        promoter: (body.attribution as { promoter?: string } | null)?.promoter,
        items: (body.items as { skuId: string; quantity: number; unitPriceFen: string }[]).map((item) => ({
          skuId: item.skuId,
          quantity: item.quantity,
          unitPriceFen: BigInt(item.unitPriceFen),
          expert: this.expertOf(item.skuId),
        })),
      });
    } else if (envelope.type === 'orders.order.completed') {
      this.completedAt.set(body.orderId as string, Date.parse(envelope.ts));
    } else if (envelope.type === 'settlement.cycle.closed') {
      this.cycles.push({ index, actor: envelope.actor, body: body as unknown as CycleBody });
    }
    return undefined;
  }

  /** The expert of the model the SKU's product uses now (SKU ids are `<product>:<code>`). */
  private expertOf(skuId: string): string | undefined {
    const product = this.consensus.products.get(skuId.slice(0, skuId.lastIndexOf(':')));
    return product === undefined ? undefined : this.consensus.modelExperts.get(product.modelKey);
  }

  /** What is wrong with a settled order against the log, if anything. */
  private orderProblem(order: CycleOrderInput, endsAt: number): string | undefined {
    const placed = this.placed.get(order.orderId);
    if (placed === undefined) return 'was never placed';
    if (placed.producer !== order.supplier || placed.buyer !== order.buyer)
      return 'names another producer or buyer than its placement';
    if (placed.policyHash !== order.policyHash) return 'names another split policy than the buyer signed';
    if (placed.promoter !== order.promoter) return 'names another promoter than the buyer signed';
    if (order.paidFen > placed.totalFen) return `counts ${order.paidFen} fen paid of a ${placed.totalFen} fen order`;
    const completed = this.completedAt.get(order.orderId);
    if (completed === undefined || completed >= endsAt) return 'had not completed when the cycle ended';
    return linesProblem(order.lines, placed.items);
  }

  get count(): number {
    return this.cycles.length;
  }

  /** Fetches each cycle's inputs and recomputes it; the divergences name the cycle's log entry. */
  async check(baseUrl: string, crypto: CryptoProvider): Promise<Divergence[]> {
    const divergences: Divergence[] = [];
    const settledIn = new Map<string, number>();
    const roundPaidIn = new Map<string, number>();
    for (const { index, actor, body } of [...this.cycles].sort((a, b) => a.body.cycle - b.body.cycle)) {
      const diverge = (reason: string) => divergences.push({ index, reason: `cycle ${body.cycle}: ${reason}` });
      const text = await getText(`${baseUrl}/v1/settlement/cycles/${body.cycle}/inputs`);
      if (createHash('sha256').update(text).digest('hex') !== body.inputsDigest) {
        diverge('the inputs document does not match the digest the operator signed');
        continue;
      }
      let inputs: ReturnType<typeof parseCycleInputs>;
      try {
        inputs = parseCycleInputs(text);
      } catch (error) {
        diverge((error as Error).message);
        continue;
      }
      const { header } = inputs;
      if (header.cycle !== body.cycle || header.startsAt !== body.startsAt || header.endsAt !== body.endsAt)
        diverge('the inputs are of another cycle or window');
      if (header.platform !== actor) diverge(`the inputs name platform ${header.platform}, not the signer ${actor}`);
      for (const [hash, policy] of Object.entries(header.policies)) {
        if (splitPolicyHash(crypto, policy) !== hash) diverge(`the split policy given for ${hash} does not hash to it`);
      }
      const endsAt = Date.parse(body.endsAt);
      let paid = 0n;
      for (const order of inputs.orders) {
        paid += order.paidFen;
        const earlier = settledIn.get(order.orderId);
        const problem =
          earlier === undefined ? this.orderProblem(order, endsAt) : `was settled already in cycle ${earlier}`;
        if (problem !== undefined) diverge(`order ${order.orderId} ${problem}`);
        settledIn.set(order.orderId, body.cycle);
      }
      for (const round of inputs.rounds) {
        const replayed = this.consensus.rewardInputs.get(round.roundId);
        if (replayed === undefined) diverge(`round ${round.roundId} was not decided on the log`);
        else if (roundLine({ roundId: round.roundId, testers: replayed }) !== roundLine(round))
          diverge(`round ${round.roundId}'s reward inputs are not those its tally on the log decided with`);
        if (roundPaidIn.has(round.roundId))
          diverge(`round ${round.roundId} was paid already in cycle ${roundPaidIn.get(round.roundId)}`);
        roundPaidIn.set(round.roundId, body.cycle);
      }
      if (inputs.orders.length !== body.orders || paid.toString() !== body.paidFen)
        diverge(
          `the inputs hold ${inputs.orders.length} orders and ${paid} fen; the result says ${body.orders} and ${body.paidFen}`,
        );
      let recomputed: ReturnType<typeof closeCycleFromInputs>;
      try {
        recomputed = closeCycleFromInputs(inputs, DEFAULT_CONSENSUS_POLICY.reward);
      } catch (error) {
        diverge(`the cycle cannot be recomputed: ${(error as Error).message}`);
        continue;
      }
      const root = toHex(new CycleTree(crypto, recomputed.leaves).root);
      if (root !== body.root || recomputed.leaves.length !== body.leaves)
        diverge(
          `recomputed root ${root} over ${recomputed.leaves.length} leaves; published ${body.root} over ${body.leaves}`,
        );
      for (const [key, value] of Object.entries(recomputed.totals)) {
        if (body.totals[key] !== value.toString())
          diverge(`total ${key} recomputes to ${value}, published ${body.totals[key]}`);
      }
    }
    return divergences;
  }
}

/**
 * The order's lines as settled against its placement: one per item, none paying more than the
 * item cost, each naming the expert whose model the item's product used when the order was
 * placed, so the experts' share follows from the log too.
 */
function linesProblem(
  lines: readonly { amountFen: bigint; expert?: string | undefined }[],
  items: PlacedOrder['items'],
): string | undefined {
  if (lines.length !== items.length) return `has ${lines.length} lines settled for ${items.length} items placed`;
  for (const [i, line] of lines.entries()) {
    const item = items[i] as PlacedOrder['items'][number];
    if (line.amountFen > item.unitPriceFen * BigInt(item.quantity))
      return `line ${i} counts ${line.amountFen} fen of an item of ${item.unitPriceFen * BigInt(item.quantity)}`;
    if (line.expert !== item.expert)
      return `line ${i} pays expert ${line.expert ?? 'none'}; its product's model was ${item.expert ?? 'unknown'}'s when it was placed`;
  }
  return undefined;
}
