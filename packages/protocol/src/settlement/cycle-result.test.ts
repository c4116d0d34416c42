import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsensusError } from '../consensus/consensus-error.js';
import { DEFAULT_REWARD_POLICY, type RewardTester, rewardRound } from '../consensus/rewards.js';
import { DEFAULT_SPLIT_POLICY } from '../money/split-policy.js';
import {
  type CycleEntry,
  type CycleLeaf,
  type CycleRound,
  type CycleWitness,
  closeCycle,
  DEFAULT_SETTLEMENT_POLICY,
  isMoneyEntry,
  type SettlementPolicy,
  settleOrder,
  validateSettlementPolicy,
} from './index.js';
import { adjustmentArb, orderArb, PLATFORM, sumFen } from './settlement.test-helper.js';

const tester = (id: string, accuracy: number, weight = 1, extra: Partial<RewardTester> = {}): RewardTester => ({
  tester: id,
  accuracy,
  weight,
  commissionBps: 0,
  selfStakeFen: 0n,
  nominators: [],
  ...extra,
});

const pool = (amountFen: bigint): CycleEntry => ({ kind: 'experience_pool', party: 'pool:experience', amountFen });
const trust = (amountFen: bigint): CycleEntry => ({ kind: 'trust_pool', party: 'pool:trust', amountFen });
const fee = (party: string, amountFen: bigint): CycleEntry => ({ kind: 'expert_fee', party, amountFen });
const leaf = (party: string, kind: CycleLeaf['kind'], amountFen: bigint): CycleLeaf => ({ party, kind, amountFen });

const close = (
  entries: CycleEntry[],
  rounds: CycleRound[] = [],
  witnesses: CycleWitness[] = [],
  policy: SettlementPolicy = DEFAULT_SETTLEMENT_POLICY,
) => closeCycle({ entries, rounds, witnesses, platform: PLATFORM, policy });

/**
 * A reference largest-remainder split, written from `allocate`'s contract (floors, then the
 * leftover fen to the largest remainders, ties to the larger weight, then the earlier party).
 */
function largestRemainder(amountFen: bigint, weights: readonly bigint[]): bigint[] {
  const total = weights.reduce((s, w) => s + w, 0n);
  const floors = weights.map((w) => (amountFen * w) / total);
  let leftover = amountFen - floors.reduce((s, x) => s + x, 0n);
  const ranked = weights
    .map((w, i) => ({ i, w, r: (amountFen * w) % total }))
    .sort((a, b) => (a.r !== b.r ? (a.r > b.r ? -1 : 1) : a.w !== b.w ? (a.w > b.w ? -1 : 1) : a.i - b.i));
  for (const { i } of ranked) {
    if (leftover === 0n) break;
    floors[i] = floors[i]! + 1n;
    leftover -= 1n;
  }
  return floors;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * closeCycle written again, the plain way: the leaves as a map from [party, kind] to fen.
 * (rewardRound is the consensus rule for one round; it is reused, not reimplemented.)
 */
function referenceClose(
  entries: readonly CycleEntry[],
  rounds: readonly CycleRound[],
  witnesses: readonly CycleWitness[],
  policy: SettlementPolicy,
): { leaves: Map<string, bigint>; expertsFen: bigint; testersFen: bigint } {
  const leaves = new Map<string, bigint>();
  const add = (party: string, kind: string, amountFen: bigint) => {
    const key = JSON.stringify([party, kind]);
    leaves.set(key, (leaves.get(key) ?? 0n) + amountFen);
  };
  let experienceFen = 0n;
  let trustFen = 0n;
  const expertWeights = new Map<string, bigint>();
  for (const entry of entries) {
    if (entry.kind === 'experience_pool') experienceFen += entry.amountFen;
    else if (entry.kind === 'trust_pool') trustFen += entry.amountFen;
    else if (entry.kind === 'expert_fee')
      expertWeights.set(entry.party, (expertWeights.get(entry.party) ?? 0n) + entry.amountFen);
    else add(entry.party, entry.kind, entry.amountFen);
  }

  let expertsFen = 0n;
  let testersFen = 0n;
  if (experienceFen <= 0n) add(PLATFORM, 'experience_platform', experienceFen);
  else {
    const { expertsBps, testersBps, platformBps } = policy.experiencePool;
    const [toExperts, toTesters, toPlatform] = largestRemainder(experienceFen, [
      BigInt(expertsBps),
      BigInt(testersBps),
      BigInt(platformBps),
    ]) as [bigint, bigint, bigint];
    add(PLATFORM, 'experience_platform', toPlatform);
    const experts = [...expertWeights].filter(([, w]) => w > 0n).sort(([a], [b]) => byCodeUnits(a, b));
    if (experts.length === 0) add(PLATFORM, 'experience_platform', toExperts);
    else {
      const shares = largestRemainder(
        toExperts,
        experts.map(([, w]) => w),
      );
      for (const [i, [party]] of experts.entries()) add(party, 'experience_expert', shares[i]!);
      expertsFen = toExperts;
    }
    const ordered = [...rounds].sort((a, b) => byCodeUnits(a.roundId, b.roundId));
    if (ordered.length === 0) add(PLATFORM, 'experience_platform', toTesters);
    else {
      const parts = largestRemainder(
        toTesters,
        ordered.map(() => 1n),
      );
      ordered.forEach((round, i) => {
        const result = rewardRound({ poolFen: parts[i]!, testers: round.testers, policy: DEFAULT_REWARD_POLICY });
        let paid = 0n;
        for (const leg of result.payouts) {
          add(leg.party, leg.role === 'tester' ? 'experience_tester' : 'experience_nominator', BigInt(leg.amountFen));
          paid += BigInt(leg.amountFen);
        }
        add(PLATFORM, 'experience_platform', parts[i]! - paid);
        testersFen += paid;
      });
    }
  }

  const cosigners = witnesses.filter((w) => w.cosignatures > 0);
  if (trustFen <= 0n || cosigners.length === 0) add(PLATFORM, 'trust_fee', trustFen);
  else {
    const shares = largestRemainder(
      trustFen,
      cosigners.map((w) => BigInt(w.cosignatures)),
    );
    for (const [i, w] of cosigners.entries()) add(w.party, 'trust_fee', shares[i]!);
  }
  for (const [key, amountFen] of leaves) if (amountFen === 0n) leaves.delete(key);
  return { leaves, expertsFen, testersFen };
}

const asMap = (leaves: readonly CycleLeaf[]) =>
  new Map(leaves.map((l) => [JSON.stringify([l.party, l.kind]), l.amountFen] as const));
const sortedPairs = (map: Map<string, bigint>) => [...map].sort(([a], [b]) => byCodeUnits(a, b));

describe('closeCycle: a worked example', () => {
  // Order A, 100.00 yuan, default policy, both commissions held (1300): experience 1500, trust 60,
  // cashback 500, service fee 600, supplier 6040; its lines weigh the experts 6000 : 4000, so their
  // fee parts are 900 and 600. Order B, 200.00 yuan, no promoter, unused shares to the platform:
  // experience 3000, trust 120, cashback 1000, service fee 1200, unused 2600, supplier 12080; one
  // line of expert e1, fee part 3000. Then refunds of earlier orders reverse 500 of experience,
  // 30 of trust, 1000 of supplier s1's leg and 100 of cashback.
  const entries: CycleEntry[] = [
    ...settleOrder(
      {
        orderId: 'A',
        paidFen: 10_000n,
        heldFen: 1_300n,
        policy: DEFAULT_SPLIT_POLICY,
        supplier: 'did:s1',
        buyer: 'did:b1',
        promoter: 'did:p',
        upline: 'did:u',
        lines: [
          { amountFen: 6_000n, expert: 'did:e1' },
          { amountFen: 4_000n, expert: 'did:e2' },
        ],
      },
      PLATFORM,
    ).entries,
    ...settleOrder(
      {
        orderId: 'B',
        paidFen: 20_000n,
        heldFen: 0n,
        policy: { ...DEFAULT_SPLIT_POLICY, unusedShareDestination: 'platform' },
        supplier: 'did:s2',
        buyer: 'did:b2',
        lines: [{ amountFen: 20_000n, expert: 'did:e1' }],
      },
      PLATFORM,
    ).entries,
    pool(-500n),
    trust(-30n),
    { kind: 'supplier', party: 'did:s1', amountFen: -1_000n },
    { kind: 'cashback', party: PLATFORM, amountFen: -100n },
  ];
  const rounds: CycleRound[] = [
    { roundId: 'r3', testers: [tester('did:t5', 0.3)] }, // nobody accurate enough: no winner
    { roundId: 'r1', testers: [tester('did:t1', 0.9), tester('did:t2', 0.9), tester('did:t3', 0.2)] },
    {
      roundId: 'r2',
      testers: [
        tester('did:t1', 0.8, 3, {
          commissionBps: 2_000,
          selfStakeFen: 100n,
          nominators: [{ nominator: 'did:n1', stakeFen: 300n }],
        }),
        tester('did:t4', 0.6, 1),
      ],
    },
  ];
  const witnesses: CycleWitness[] = [
    { party: 'did:w2', cosignatures: 1 },
    { party: 'did:w3', cosignatures: 0 },
    { party: 'did:w1', cosignatures: 2 },
  ];

  it('pays every party exactly the hand-computed amounts', () => {
    const result = close(entries, rounds, witnesses);
    // Experience pool 1500 + 3000 − 500 = 4000: experts 400, testers 2000, platform 1600.
    // Experts by fee parts e1 3900 : e2 600 → 346.67 / 53.33 → 347 and 53 (largest remainder).
    // Testers: three rounds of 2000 → r1 667, r2 667, r3 666 (the earlier rounds take the fen).
    //   r1: t1 and t2 win equally → 334 (earlier id takes the odd fen) and 333.
    //   r2: t1 alone wins 667: commission 20% → 133, the rest 534 by stake 100 : 300 → 133 to t1
    //       and 401 to n1 (equal remainders: the larger stake takes the fen). t1: 334 + 133 + 133.
    //   r3: nobody wins; its 666 go to the platform.
    // Trust pool 60 + 120 − 30 = 150 → w1 100, w2 50 (w3 cosigned nothing).
    expect(result.leaves).toEqual([
      leaf('did:e1', 'experience_expert', 347n),
      leaf('did:e2', 'experience_expert', 53n),
      leaf('did:n1', 'experience_nominator', 401n),
      leaf('did:s1', 'supplier', 5_040n),
      leaf('did:s2', 'supplier', 12_080n),
      leaf('did:t1', 'experience_tester', 600n),
      leaf('did:t2', 'experience_tester', 333n),
      leaf('did:w1', 'trust_fee', 100n),
      leaf('did:w2', 'trust_fee', 50n),
      leaf(PLATFORM, 'cashback', 1_400n),
      leaf(PLATFORM, 'experience_platform', 1_600n + 666n),
      leaf(PLATFORM, 'platform_service_fee', 1_800n),
      leaf(PLATFORM, 'unused_share', 2_600n),
    ]);
    // In: 8700 (A) + 20000 (B) − 1630 (reversals).
    expect(result.totals).toEqual({
      paidOutFen: 27_070n,
      experiencePoolFen: 4_000n,
      trustPoolFen: 150n,
      expertsFen: 400n,
      testersFen: 1_334n,
    });
    expect(result.rounds).toEqual([
      { roundId: 'r1', poolFen: 667n, paidFen: 667n },
      { roundId: 'r2', poolFen: 667n, paidFen: 667n },
      { roundId: 'r3', poolFen: 666n, paidFen: 0n },
    ]);
  });

  it('agrees with the reference implementation', () => {
    const result = close(entries, rounds, witnesses);
    const reference = referenceClose(entries, rounds, witnesses, DEFAULT_SETTLEMENT_POLICY);
    expect(sortedPairs(asMap(result.leaves))).toEqual(sortedPairs(reference.leaves));
  });

  it('does not depend on the order of the entries, rounds or witnesses', () => {
    const result = close(entries, rounds, witnesses);
    expect(close([...entries].reverse(), [...rounds].reverse(), witnesses)).toEqual(result);
    function* once(): Generator<CycleEntry> {
      yield* entries;
    }
    expect(
      closeCycle({ entries: once(), rounds, witnesses, platform: PLATFORM, policy: DEFAULT_SETTLEMENT_POLICY }),
    ).toEqual(result);
  });
});

describe('closeCycle: who takes a part nobody can', () => {
  const winners: CycleRound[] = [{ roundId: 'r', testers: [tester('did:t', 1)] }];

  it("gives the experts' 10% to the platform when no product used an expert's model", () => {
    const result = close([pool(1_000n)], winners);
    expect(result.leaves).toEqual([
      leaf('did:t', 'experience_tester', 500n),
      leaf(PLATFORM, 'experience_platform', 500n),
    ]);
    expect(result.totals.expertsFen).toBe(0n);
    expect(result.totals.testersFen).toBe(500n);
  });

  it('ignores expert fee parts that refunds took back to zero or below', () => {
    const result = close([pool(1_000n), fee('did:e1', 50n), fee('did:e1', -50n), fee('did:e2', -5n)], winners);
    expect(result.leaves.some((l) => l.kind === 'experience_expert')).toBe(false);
    expect(result.leaves).toContainEqual(leaf(PLATFORM, 'experience_platform', 500n));
  });

  it("gives the testers' 50% to the platform when the cycle decided no round", () => {
    const result = close([pool(1_000n), fee('did:e', 7n)]);
    expect(result.leaves).toEqual([
      leaf('did:e', 'experience_expert', 100n),
      leaf(PLATFORM, 'experience_platform', 900n),
    ]);
    expect(result.rounds).toEqual([]);
    expect(result.totals.testersFen).toBe(0n);
  });

  it("gives a round's part to the platform when it has no winner", () => {
    const rounds: CycleRound[] = [
      { roundId: 'a', testers: [tester('did:t1', 0.2), tester('did:t2', 0.4)] },
      { roundId: 'b', testers: [] },
      { roundId: 'c', testers: [tester('did:t3', 1, 0)] }, // no weight: cannot win
      { roundId: 'd', testers: [tester('did:t4', 1)] },
    ];
    const result = close([pool(1_000n), fee('did:e', 1n)], rounds);
    expect(result.rounds).toEqual([
      { roundId: 'a', poolFen: 125n, paidFen: 0n },
      { roundId: 'b', poolFen: 125n, paidFen: 0n },
      { roundId: 'c', poolFen: 125n, paidFen: 0n },
      { roundId: 'd', poolFen: 125n, paidFen: 125n },
    ]);
    expect(result.leaves).toEqual([
      leaf('did:e', 'experience_expert', 100n),
      leaf('did:t4', 'experience_tester', 125n),
      leaf(PLATFORM, 'experience_platform', 400n + 375n),
    ]);
  });

  it('passes the reward policy on to the rounds', () => {
    const result = closeCycle({
      entries: [pool(1_000n)],
      rounds: winners.map((r) => ({ ...r, testers: [tester('did:t', 0.9)] })),
      witnesses: [],
      platform: PLATFORM,
      policy: DEFAULT_SETTLEMENT_POLICY,
      rewardPolicy: { ...DEFAULT_REWARD_POLICY, winnerAccuracyMin: 0.95 },
    });
    expect(result.leaves).toEqual([leaf(PLATFORM, 'experience_platform', 1_000n)]);
    expect(close([pool(1_000n)], [{ roundId: 'r', testers: [tester('did:t', 0.9)] }]).totals.testersFen).toBe(500n);
  });

  it('gives the trust pool to the platform without a witness that cosigned', () => {
    expect(close([trust(77n)]).leaves).toEqual([leaf(PLATFORM, 'trust_fee', 77n)]);
    const idle = [
      { party: 'did:w1', cosignatures: 0 },
      { party: 'did:w2', cosignatures: 0 },
    ];
    expect(close([trust(77n)], [], idle).leaves).toEqual([leaf(PLATFORM, 'trust_fee', 77n)]);
  });

  it('divides the trust pool pro rata to cosignatures', () => {
    const witnesses = [
      { party: 'did:w1', cosignatures: 1 },
      { party: 'did:w2', cosignatures: 2 },
      { party: 'did:w3', cosignatures: 0 },
    ];
    expect(close([trust(100n)], [], witnesses).leaves).toEqual([
      leaf('did:w1', 'trust_fee', 33n),
      leaf('did:w2', 'trust_fee', 67n),
    ]);
  });

  it('leaves the platform a negative experience leaf when refunds exceed the intake', () => {
    const result = close(
      [pool(100n), pool(-250n), fee('did:e', 100n), { kind: 'supplier', party: 'did:s', amountFen: 300n }],
      winners,
      [{ party: 'did:w', cosignatures: 3 }],
    );
    expect(result.leaves).toEqual([leaf('did:s', 'supplier', 300n), leaf(PLATFORM, 'experience_platform', -150n)]);
    expect(result.totals).toEqual({
      paidOutFen: 150n,
      experiencePoolFen: -150n,
      trustPoolFen: 0n,
      expertsFen: 0n,
      testersFen: 0n,
    });
    expect(result.rounds).toEqual([]);
  });

  it('leaves the platform a negative trust leaf rather than charging the witnesses', () => {
    const result = close([trust(10n), trust(-40n)], [], [{ party: 'did:w', cosignatures: 3 }]);
    expect(result.leaves).toEqual([leaf(PLATFORM, 'trust_fee', -30n)]);
  });

  it('pays nothing and makes no leaf for a cycle without money', () => {
    expect(close([], winners, [{ party: 'did:w', cosignatures: 1 }])).toEqual({
      leaves: [],
      totals: { paidOutFen: 0n, experiencePoolFen: 0n, trustPoolFen: 0n, expertsFen: 0n, testersFen: 0n },
      rounds: [],
    });
  });

  it('sums a party’s legs of one kind from several orders, and keeps its kinds apart', () => {
    const result = close([
      { kind: 'unused_share', party: PLATFORM, amountFen: 5n },
      { kind: 'unused_share', party: PLATFORM, amountFen: 6n },
      { kind: 'platform_service_fee', party: PLATFORM, amountFen: 1n },
      { kind: 'supplier', party: 'did:s', amountFen: 4n },
      { kind: 'supplier', party: 'did:s', amountFen: -4n },
    ]);
    expect(result.leaves).toEqual([leaf(PLATFORM, 'platform_service_fee', 1n), leaf(PLATFORM, 'unused_share', 11n)]);
  });

  it("passes the consensus rule's errors through", () => {
    const duplicate: CycleRound[] = [{ roundId: 'r', testers: [tester('did:t', 1), tester('did:t', 0.9)] }];
    expect(() => close([pool(1_000n)], duplicate)).toThrow(ConsensusError);
  });
});

const settlementPolicyArb: fc.Arbitrary<SettlementPolicy> = fc
  .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }))
  .map(([a, b]) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return validateSettlementPolicy({
      experiencePool: { expertsBps: lo, testersBps: hi - lo, platformBps: 10_000 - hi },
    });
  });

const DIDS = ['did:t:0', 'did:t:1', 'did:t:2', 'did:t:3', 'did:n:0', 'did:n:1', 'did:expert:a', PLATFORM];

const testerArb: fc.Arbitrary<RewardTester> = fc.record({
  tester: fc.constantFrom(...DIDS),
  accuracy: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1)),
  weight: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 1)),
  commissionBps: fc.integer({ min: 0, max: 10_000 }),
  selfStakeFen: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  nominators: fc.uniqueArray(
    fc.record({ nominator: fc.constantFrom(...DIDS), stakeFen: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
    { selector: (n) => n.nominator, maxLength: 3 },
  ),
});

const roundsArb: fc.Arbitrary<CycleRound[]> = fc.uniqueArray(
  fc.record({
    roundId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'),
    testers: fc.uniqueArray(testerArb, { selector: (t) => t.tester, maxLength: 5 }),
  }),
  { selector: (r) => r.roundId, maxLength: 4 },
);

const witnessesArb: fc.Arbitrary<CycleWitness[]> = fc.array(
  fc.record({
    party: fc.constantFrom('did:w:0', 'did:w:1', 'did:w:2', PLATFORM),
    cosignatures: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000 })),
  }),
  { maxLength: 4 },
);

const cycleArb = fc.record({
  orders: fc.array(orderArb('o'), { maxLength: 5 }),
  adjustments: fc.array(adjustmentArb, { maxLength: 4 }),
  rounds: roundsArb,
  witnesses: witnessesArb,
  policy: fc.oneof(fc.constant(DEFAULT_SETTLEMENT_POLICY), settlementPolicyArb),
});

describe('closeCycle: properties', () => {
  it('pays out exactly the money in, one sorted non-zero leaf per (party, kind), as the reference does', () => {
    fc.assert(
      fc.property(cycleArb, ({ orders, adjustments, rounds, witnesses, policy }) => {
        const entries = [...orders.flatMap((o) => settleOrder(o, PLATFORM).entries), ...adjustments];
        const moneyIn = sumFen(entries.filter(isMoneyEntry));
        const result = closeCycle({ entries, rounds, witnesses, platform: PLATFORM, policy });

        // Conservation: every fen in is a fen out.
        expect(sumFen(result.leaves)).toBe(moneyIn);
        expect(result.totals.paidOutFen).toBe(moneyIn);
        // One leaf per pair, strictly sorted by party then kind (so also unique), none zero.
        for (let i = 1; i < result.leaves.length; i++) {
          const a = result.leaves[i - 1]!;
          const b = result.leaves[i]!;
          expect(byCodeUnits(a.party, b.party) || byCodeUnits(a.kind, b.kind)).toBe(-1);
        }
        for (const l of result.leaves) expect(l.amountFen).not.toBe(0n);

        // Totals.
        const experienceFen = sumFen(entries.filter((e) => e.kind === 'experience_pool'));
        const trustFen = sumFen(entries.filter((e) => e.kind === 'trust_pool'));
        expect(result.totals.experiencePoolFen).toBe(experienceFen);
        expect(result.totals.trustPoolFen).toBe(trustFen);
        const paidTo = (kinds: readonly string[]) => sumFen(result.leaves.filter((l) => kinds.includes(l.kind)));
        expect(paidTo(['experience_expert'])).toBe(result.totals.expertsFen);
        expect(paidTo(['experience_tester', 'experience_nominator'])).toBe(result.totals.testersFen);
        expect(paidTo(['experience_expert', 'experience_tester', 'experience_nominator', 'experience_platform'])).toBe(
          experienceFen,
        );
        expect(sumFen(result.rounds.map((r) => ({ amountFen: r.paidFen })))).toBe(result.totals.testersFen);
        if (experienceFen > 0n && rounds.length > 0) {
          expect(result.rounds.map((r) => r.roundId)).toEqual(rounds.map((r) => r.roundId).sort(byCodeUnits));
          for (const r of result.rounds) expect(r.paidFen).toBeLessThanOrEqual(r.poolFen);
        } else expect(result.rounds).toEqual([]);
        // Nobody but the platform is ever charged for a pool.
        for (const l of result.leaves) {
          if (l.kind.startsWith('experience_') && l.party !== PLATFORM) expect(l.amountFen).toBeGreaterThan(0n);
          if (l.kind === 'trust_fee' && !witnesses.some((w) => w.party === l.party && w.cosignatures > 0))
            expect(l.party).toBe(PLATFORM);
        }

        const reference = referenceClose(entries, rounds, witnesses, policy);
        expect(sortedPairs(asMap(result.leaves))).toEqual(sortedPairs(reference.leaves));
        expect(result.totals.expertsFen).toBe(reference.expertsFen);
        expect(result.totals.testersFen).toBe(reference.testersFen);
      }),
      { numRuns: 150 },
    );
  });
});
