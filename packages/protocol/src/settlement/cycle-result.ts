import { canonicalBytes } from '../canonical/index.js';
import { byId } from '../consensus/checks.js';
import { DEFAULT_REWARD_POLICY, type RewardPolicy, type RewardTester, rewardRound } from '../consensus/rewards.js';
import type { CryptoProvider } from '../crypto/types.js';
import { MemoryHashStore } from '../log/memory-store.js';
import { emptyRoot, leafHash } from '../log/merkle.js';
import { verifyInclusion } from '../log/verify-proofs.js';
import { allocate } from '../money/allocate.js';
import { type CycleEntry, isMoneyEntry, type SettlementKind, sumByKey, sumEntries } from './order-settlement.js';
import type { SettlementPolicy } from './settlement-policy.js';

/**
 * The close of a settlement cycle (DESIGN §11): what the cycle's orders added up (their legs, the
 * two pools' intake, the experts' fee parts, and the reversals of refunds after an earlier
 * settlement, negative) becomes one amount per (party, account kind) — the cycle's leaves. The
 * experience pool is divided by the policy among the experts (pro rata to the experience fees of
 * the products sold under their models), the winning testers of the cycle's rounds (each decided
 * round an equal part, divided by the consensus rewards rule with that part as its pool) and the
 * platform; the trust fee among the witnesses, pro rata to the checkpoints each cosigned in the
 * cycle. A part with nobody to take it (no expert, no round, no winner, no witness) goes to the
 * platform, as does a pool that refunds left negative (the platform bears the loss). Pure.
 */

export interface CycleRound {
  readonly roundId: string;
  /** The inputs the round's rewards were decided with (consensus_results 'rewards'). */
  readonly testers: readonly RewardTester[];
}

export interface CycleWitness {
  /** Who is paid: the witness's DID. */
  readonly party: string;
  readonly cosignatures: number;
}

export interface CycleCloseInput {
  /** Every entry of the cycle: the orders' (`settleOrder`) and the reversals', in any order. */
  readonly entries: Iterable<CycleEntry>;
  readonly rounds: readonly CycleRound[];
  readonly witnesses: readonly CycleWitness[];
  readonly platform: string;
  readonly policy: SettlementPolicy;
  readonly rewardPolicy?: RewardPolicy;
}

export interface CycleLeaf {
  readonly party: string;
  readonly kind: SettlementKind;
  /** Negative when the party gives back more than it earns (reversals of earlier cycles). */
  readonly amountFen: bigint;
}

/** Where a round's part of the testers' share went. */
export interface CycleRoundPayout {
  readonly roundId: string;
  readonly poolFen: bigint;
  readonly paidFen: bigint;
}

export interface CycleClose {
  /** Sorted by party, then kind; one per pair; none zero. */
  readonly leaves: CycleLeaf[];
  readonly totals: {
    /** Everything the leaves pay: the cycle's money in, exactly. */
    readonly paidOutFen: bigint;
    readonly experiencePoolFen: bigint;
    readonly trustPoolFen: bigint;
    readonly expertsFen: bigint;
    readonly testersFen: bigint;
  };
  readonly rounds: CycleRoundPayout[];
}

export function closeCycle(input: CycleCloseInput): CycleClose {
  const { platform, policy } = input;
  const summed = sumEntries(input.entries);
  const paid: CycleLeaf[] = [];
  let moneyIn = 0n;
  let experiencePoolFen = 0n;
  let trustPoolFen = 0n;
  const expertFees: CycleEntry[] = [];
  for (const entry of summed) {
    if (isMoneyEntry(entry)) moneyIn += entry.amountFen;
    if (entry.kind === 'experience_pool') experiencePoolFen += entry.amountFen;
    else if (entry.kind === 'trust_pool') trustPoolFen += entry.amountFen;
    else if (entry.kind === 'expert_fee') {
      if (entry.amountFen > 0n) expertFees.push(entry);
    } else paid.push({ party: entry.party, kind: entry.kind, amountFen: entry.amountFen });
  }

  let expertsFen = 0n;
  let testersFen = 0n;
  const roundPayouts: CycleRoundPayout[] = [];
  if (experiencePoolFen <= 0n) {
    paid.push({ party: platform, kind: 'experience_platform', amountFen: experiencePoolFen });
  } else {
    const { expertsBps, testersBps, platformBps } = policy.experiencePool;
    const [toExperts, toTesters, toPlatform] = allocate(experiencePoolFen, [expertsBps, testersBps, platformBps]) as [
      bigint,
      bigint,
      bigint,
    ];
    paid.push({ party: platform, kind: 'experience_platform', amountFen: toPlatform });
    if (expertFees.length === 0) paid.push({ party: platform, kind: 'experience_platform', amountFen: toExperts });
    else {
      const shares = allocate(
        toExperts,
        expertFees.map((e) => e.amountFen),
      );
      for (const [i, e] of expertFees.entries())
        paid.push({ party: e.party, kind: 'experience_expert', amountFen: shares[i]! });
      expertsFen = toExperts;
    }
    const rounds = [...input.rounds].sort((a, b) => byId(a.roundId, b.roundId));
    if (rounds.length === 0) paid.push({ party: platform, kind: 'experience_platform', amountFen: toTesters });
    else {
      const pools = allocate(
        toTesters,
        rounds.map(() => 1),
      );
      rounds.forEach((round, i) => {
        const poolFen = pools[i]!;
        const result = rewardRound({
          poolFen,
          testers: round.testers,
          policy: input.rewardPolicy ?? DEFAULT_REWARD_POLICY,
        });
        for (const leg of result.payouts) {
          const kind = leg.role === 'tester' ? 'experience_tester' : 'experience_nominator';
          paid.push({ party: leg.party, kind, amountFen: BigInt(leg.amountFen) });
        }
        const paidFen = BigInt(result.paidFen);
        paid.push({ party: platform, kind: 'experience_platform', amountFen: poolFen - paidFen });
        testersFen += paidFen;
        roundPayouts.push({ roundId: round.roundId, poolFen, paidFen });
      });
    }
  }

  const witnesses = input.witnesses.filter((w) => w.cosignatures > 0);
  if (trustPoolFen <= 0n || witnesses.length === 0) {
    paid.push({ party: platform, kind: 'trust_fee', amountFen: trustPoolFen });
  } else {
    const shares = allocate(
      trustPoolFen,
      witnesses.map((w) => w.cosignatures),
    );
    for (const [i, w] of witnesses.entries()) paid.push({ party: w.party, kind: 'trust_fee', amountFen: shares[i]! });
  }

  const leaves = sumByKey(paid, (leaf) => [leaf.party, leaf.kind]).map(
    ({ key: [party, kind], amountFen }): CycleLeaf => ({ party, kind: kind as SettlementKind, amountFen }),
  );
  const paidOutFen = leaves.reduce((sum, leaf) => sum + leaf.amountFen, 0n);
  // Every fen in is a fen out, to exactly one party: the whole point of the cycle.
  if (paidOutFen !== moneyIn) throw new Error(`closeCycle: the leaves pay ${paidOutFen} of the ${moneyIn} fen in`);
  return {
    leaves,
    totals: { paidOutFen, experiencePoolFen, trustPoolFen, expertsFen, testersFen },
    rounds: roundPayouts,
  };
}

/** A leaf's bytes: RFC 8785 JSON of {amountFen (decimal string), kind, party}. */
export function cycleLeafBytes(leaf: CycleLeaf): Uint8Array {
  return canonicalBytes({ amountFen: leaf.amountFen.toString(), kind: leaf.kind, party: leaf.party });
}

/** The RFC 9162 tree over a cycle's leaves, in their order: its root and each leaf's inclusion proof. */
export class CycleTree {
  private readonly store: MemoryHashStore;

  constructor(
    private readonly crypto: CryptoProvider,
    readonly leaves: readonly CycleLeaf[],
  ) {
    this.store = new MemoryHashStore(crypto);
    for (const leaf of leaves) this.store.append(cycleLeafBytes(leaf));
  }

  get root(): Uint8Array {
    return this.leaves.length === 0 ? emptyRoot(this.crypto) : this.store.treeHash();
  }

  proof(index: number): Uint8Array[] {
    return this.store.recordProof(index);
  }
}

/** True only if `leaf` is leaf `index` of the `size` leaves of the cycle whose root is `root`. */
export function verifyCycleLeaf(
  crypto: CryptoProvider,
  leaf: CycleLeaf,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  return verifyInclusion(crypto, leafHash(crypto, cycleLeafBytes(leaf)), index, size, proof, root);
}
