import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byId as compare } from '../consensus/checks.js';
import { MoneyError } from '../money/money-error.js';
import { DEFAULT_SPLIT_POLICY, type SplitPolicy } from '../money/split-policy.js';
import {
  type CycleEntry,
  type CycleEntryKind,
  isMoneyEntry,
  SETTLEMENT_KINDS,
  type SettlementOrder,
  settleOrder,
  sumEntries,
} from './index.js';
import { linesArb, orderArb, orderLegs, PLATFORM, splitPolicyArb, sumFen } from './settlement.test-helper.js';

const order = (extra: Partial<SettlementOrder> = {}): SettlementOrder => ({
  orderId: 'o-1',
  paidFen: 10_000n,
  heldFen: 0n,
  policy: DEFAULT_SPLIT_POLICY,
  supplier: 'did:supplier',
  buyer: 'did:buyer',
  promoter: 'did:promoter',
  upline: 'did:upline',
  lines: [],
  ...extra,
});

const byKindParty = (a: CycleEntry, b: CycleEntry) => compare(a.kind, b.kind) || compare(a.party, b.party);
const sorted = (entries: readonly CycleEntry[]) => [...entries].sort(byKindParty);
const ofKind = (entries: readonly CycleEntry[], kind: CycleEntryKind) => entries.filter((e) => e.kind === kind);

function caughtMoney(run: () => unknown): MoneyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyError);
    return error as MoneyError;
  }
  throw new Error('expected a MoneyError');
}

describe('settleOrder', () => {
  it('settles a 100.00 yuan order by the default policy with 10.00 of commissions held', () => {
    const settled = settleOrder(
      order({
        heldFen: 1_000n,
        lines: [
          { amountFen: 7_000n, expert: 'did:expert:a' },
          { amountFen: 3_000n }, // no expert model: its part of the fee is nobody's weight
        ],
      }),
      PLATFORM,
    );
    expect(settled.orderId).toBe('o-1');
    expect(settled.movedFen).toBe(9_000n);
    // Legs: experience 1500, trust 60, promoter 1000 + override 300 (1000 held), cashback 500,
    // service fee 600, supplier 6040. The 300 fen the holds leave go to the supplier (default).
    expect(sorted(settled.entries)).toEqual([
      { kind: 'cashback', party: PLATFORM, amountFen: 500n },
      { kind: 'experience_pool', party: 'pool:experience', amountFen: 1_500n },
      { kind: 'expert_fee', party: 'did:expert:a', amountFen: 1_050n }, // 7000/10000 of 1500
      { kind: 'platform_service_fee', party: PLATFORM, amountFen: 600n },
      { kind: 'supplier', party: 'did:supplier', amountFen: 6_040n },
      { kind: 'trust_pool', party: 'pool:trust', amountFen: 60n },
      { kind: 'unused_share', party: 'did:supplier', amountFen: 300n },
    ]);
    expect(sumFen(settled.entries.filter(isMoneyEntry))).toBe(9_000n);
  });

  it('sends what the holds leave to the platform when the policy says so', () => {
    const policy: SplitPolicy = { ...DEFAULT_SPLIT_POLICY, unusedShareDestination: 'platform' };
    const settled = settleOrder(order({ policy, promoter: undefined, upline: undefined }), PLATFORM);
    expect(settled.movedFen).toBe(10_000n);
    expect(ofKind(settled.entries, 'unused_share')).toEqual([
      { kind: 'unused_share', party: PLATFORM, amountFen: 1_300n },
    ]);
    expect(ofKind(settled.entries, 'supplier')).toEqual([
      { kind: 'supplier', party: 'did:supplier', amountFen: 6_040n },
    ]);
    expect(ofKind(settled.entries, 'expert_fee')).toEqual([]);
  });

  it('leaves no unused share when the holds take both commission legs', () => {
    const settled = settleOrder(order({ heldFen: 1_300n }), PLATFORM);
    expect(settled.movedFen).toBe(8_700n);
    expect(ofKind(settled.entries, 'unused_share')).toEqual([]);
    expect(sumFen(settled.entries)).toBe(8_700n);
  });

  it('takes holds above the commission legs out of the supplier leg, down to zero', () => {
    const over = settleOrder(order({ heldFen: 1_500n }), PLATFORM);
    expect(over.movedFen).toBe(8_500n);
    expect(ofKind(over.entries, 'supplier')).toEqual([{ kind: 'supplier', party: 'did:supplier', amountFen: 5_840n }]);
    expect(ofKind(over.entries, 'unused_share')).toEqual([]);
    expect(sumFen(over.entries)).toBe(8_500n);

    const all = settleOrder(order({ heldFen: 1_300n + 6_040n }), PLATFORM);
    expect(all.movedFen).toBe(2_660n);
    expect(ofKind(all.entries, 'supplier')).toEqual([]);
    expect(sumFen(all.entries)).toBe(2_660n);
    for (const entry of all.entries) expect(entry.amountFen).toBeGreaterThan(0n);
  });

  it('rejects holds beyond the commission and supplier legs, and negative or non-bigint holds', () => {
    const beyond = caughtMoney(() => settleOrder(order({ heldFen: 1_300n + 6_040n + 1n }), PLATFORM));
    expect(beyond).toMatchObject({ code: 'invalid_amount', field: 'heldFen' });
    expect(beyond.message).toContain('o-1');
    expect(caughtMoney(() => settleOrder(order({ heldFen: -1n }), PLATFORM))).toMatchObject({
      code: 'invalid_amount',
      field: 'heldFen',
    });
    expect(caughtMoney(() => settleOrder(order({ heldFen: 5 as unknown as bigint }), PLATFORM)).code).toBe(
      'invalid_amount',
    );
  });

  it("passes splitOrder's errors through", () => {
    expect(caughtMoney(() => settleOrder(order({ paidFen: -1n }), PLATFORM))).toMatchObject({
      code: 'invalid_amount',
      field: 'paidFen',
    });
    expect(caughtMoney(() => settleOrder(order({ supplier: '' }), PLATFORM))).toMatchObject({
      code: 'invalid_party',
      field: 'parties.supplier',
    });
    expect(caughtMoney(() => settleOrder(order(), ''))).toMatchObject({
      code: 'invalid_party',
      field: 'parties.platform',
    });
  });

  it('settles an order of nothing to nothing', () => {
    expect(settleOrder(order({ paidFen: 0n, lines: [{ amountFen: 0n, expert: 'did:e' }] }), PLATFORM)).toEqual({
      orderId: 'o-1',
      movedFen: 0n,
      entries: [],
    });
  });

  it('gives the experts the whole experience fee, pro rata to their lines, when every line has one', () => {
    const settled = settleOrder(
      order({
        paidFen: 1_000n, // experience fee 150
        lines: [
          { amountFen: 1n, expert: 'did:e1' },
          { amountFen: 1n, expert: 'did:e2' },
          { amountFen: 1n, expert: 'did:e1' },
          { amountFen: 0n, expert: 'did:e3' },
        ],
      }),
      PLATFORM,
    );
    const fees = ofKind(settled.entries, 'expert_fee');
    expect(fees).toEqual([
      { kind: 'expert_fee', party: 'did:e1', amountFen: 50n },
      { kind: 'expert_fee', party: 'did:e2', amountFen: 50n },
      { kind: 'expert_fee', party: 'did:e1', amountFen: 50n },
    ]);
    expect(sumFen(fees)).toBe(150n);
  });

  it('keeps every money fen of the order and pays the pools, parties and experts as the policy says', () => {
    fc.assert(
      fc.property(orderArb('o-prop'), (o) => {
        const { commissionFen, supplierFen } = orderLegs(o);
        expect(o.heldFen).toBeGreaterThanOrEqual(0n);
        expect(o.heldFen).toBeLessThanOrEqual(commissionFen);
        const settled = settleOrder(o, PLATFORM);
        const money = settled.entries.filter(isMoneyEntry);
        expect(settled.orderId).toBe('o-prop');
        expect(settled.movedFen).toBe(o.paidFen - o.heldFen);
        expect(sumFen(money)).toBe(settled.movedFen);
        for (const entry of settled.entries) expect(entry.amountFen).toBeGreaterThan(0n);

        // The commission legs less the holds, to the policy's destination, and the supplier's leg.
        const unusedTo = o.policy.unusedShareDestination === 'platform' ? PLATFORM : o.supplier;
        const unused = ofKind(settled.entries, 'unused_share');
        expect(sumFen(unused)).toBe(commissionFen - o.heldFen);
        for (const entry of unused) expect(entry.party).toBe(unusedTo);
        const supplier = ofKind(settled.entries, 'supplier');
        expect(sumFen(supplier)).toBe(supplierFen);
        for (const entry of supplier) expect(entry.party).toBe(o.supplier);
        for (const kind of ['cashback', 'platform_service_fee'] as const) {
          for (const entry of ofKind(settled.entries, kind)) expect(entry.party).toBe(PLATFORM);
        }
        for (const entry of settled.entries) {
          expect(entry.party).not.toBe('did:promoter');
          expect(entry.party).not.toBe('did:upline');
        }

        // The experts' fee parts: a weight, never more than the experience pool's intake.
        const poolFen = sumFen(ofKind(settled.entries, 'experience_pool'));
        const fees = ofKind(settled.entries, 'expert_fee');
        const lineTotal = sumFen(o.lines);
        expect(sumFen(fees)).toBeLessThanOrEqual(poolFen);
        const experts = new Set(o.lines.flatMap((line) => (line.expert === undefined ? [] : [line.expert])));
        for (const fee of fees) expect(experts.has(fee.party)).toBe(true);
        if (lineTotal > 0n && o.lines.every((line) => line.expert !== undefined)) {
          expect(sumFen(fees)).toBe(poolFen);
        }
        if (lineTotal === 0n || poolFen === 0n) expect(fees).toEqual([]);
        // Each expert's parts are within one fen per line of its lines' exact proportion of the pool.
        if (lineTotal > 0n) {
          for (const expert of experts) {
            const own = o.lines.filter((line) => line.expert === expert);
            const exact = poolFen * sumFen(own);
            const diff = sumFen(fees.filter((fee) => fee.party === expert)) * lineTotal - exact;
            expect(diff < 0n ? -diff : diff).toBeLessThan(BigInt(own.length) * lineTotal);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('makes the supplier leg pay for holds above the commission legs, and throws beyond it', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        splitPolicyArb,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        linesArb,
        (paidFen, policy, withPromoter, withUpline, permille, beyond, lines) => {
          const base = order({
            paidFen,
            policy,
            promoter: withPromoter ? 'did:promoter' : undefined,
            upline: withUpline ? 'did:upline' : undefined,
            lines,
          });
          const { commissionFen, supplierFen } = orderLegs(base);
          const extra = (supplierFen * BigInt(permille)) / 1_000n;
          const heldFen = commissionFen + extra;
          const settled = settleOrder({ ...base, heldFen }, PLATFORM);
          expect(settled.movedFen).toBe(paidFen - heldFen);
          expect(sumFen(settled.entries.filter(isMoneyEntry))).toBe(paidFen - heldFen);
          expect(ofKind(settled.entries, 'unused_share')).toEqual([]);
          expect(sumFen(ofKind(settled.entries, 'supplier'))).toBe(supplierFen - extra);
          for (const entry of settled.entries) expect(entry.amountFen).toBeGreaterThan(0n);

          const error = caughtMoney(() =>
            settleOrder({ ...base, heldFen: commissionFen + supplierFen + beyond }, PLATFORM),
          );
          expect(error).toMatchObject({ code: 'invalid_amount', field: 'heldFen' });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('sumEntries', () => {
  it('sums by (kind, party), drops the sums of zero, and sorts by kind then party', () => {
    const entries: CycleEntry[] = [
      { kind: 'supplier', party: 'did:s2', amountFen: 5n },
      { kind: 'supplier', party: 'did:s1', amountFen: 7n },
      { kind: 'cashback', party: PLATFORM, amountFen: 3n },
      { kind: 'supplier', party: 'did:s2', amountFen: -5n }, // nets to zero: left out
      { kind: 'expert_fee', party: 'did:s1', amountFen: 2n }, // same party, other kind: its own sum
      { kind: 'supplier', party: 'did:s1', amountFen: 4n },
      { kind: 'cashback', party: PLATFORM, amountFen: -10n },
      { kind: 'trust_pool', party: 'pool:trust', amountFen: 0n },
    ];
    const copy = entries.map((entry) => ({ ...entry }));
    expect(sumEntries(entries)).toEqual([
      { kind: 'cashback', party: PLATFORM, amountFen: -7n },
      { kind: 'expert_fee', party: 'did:s1', amountFen: 2n },
      { kind: 'supplier', party: 'did:s1', amountFen: 11n },
    ]);
    expect(entries).toEqual(copy);
    expect(sumEntries([])).toEqual([]);
  });

  it('accepts any iterable, read once', () => {
    function* generate(): Generator<CycleEntry> {
      yield { kind: 'trust_pool', party: 'pool:trust', amountFen: 1n };
      yield { kind: 'trust_pool', party: 'pool:trust', amountFen: 2n };
    }
    expect(sumEntries(generate())).toEqual([{ kind: 'trust_pool', party: 'pool:trust', amountFen: 3n }]);
  });

  it('orders parties by UTF-16 code units, not code points or locale', () => {
    expect(compare('\u{10000}', '\uffff')).toBe(-1);
    expect(compare('Z', 'a')).toBe(-1);
    expect(compare('a', 'a')).toBe(0);
    const parties = ['\uffff', 'a', '\u{10000}', 'Z', 'é'];
    expect(
      sumEntries(parties.map((party) => ({ kind: 'supplier', party, amountFen: 1n }))).map((e) => e.party),
    ).toEqual(['Z', 'a', 'é', '\u{10000}', '\uffff']);
  });

  it('matches a naive per-pair sum for any entries', () => {
    const kinds: CycleEntryKind[] = ['supplier', 'cashback', 'expert_fee', 'experience_pool', 'trust_fee'];
    const entryArb = fc.record({
      kind: fc.constantFrom(...kinds),
      party: fc.constantFrom('a', 'b', 'a\nb', 'b\n', ''),
      amountFen: fc.bigInt({ min: -5n, max: 5n }),
    });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 40 }), (entries) => {
        const summed = sumEntries(entries);
        for (const kind of kinds) {
          for (const party of new Set(entries.map((e) => e.party))) {
            const expected = sumFen(entries.filter((e) => e.kind === kind && e.party === party));
            const found = summed.filter((e) => e.kind === kind && e.party === party);
            expect(found).toEqual(expected === 0n ? [] : [{ kind, party, amountFen: expected }]);
          }
        }
        expect(sumFen(summed)).toBe(sumFen(entries));
        for (let i = 1; i < summed.length; i++) expect(byKindParty(summed[i - 1]!, summed[i]!)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('isMoneyEntry', () => {
  it('counts every kind as money except the experts’ fee weights', () => {
    const kinds: CycleEntryKind[] = [...SETTLEMENT_KINDS, 'experience_pool', 'trust_pool'];
    for (const kind of kinds) expect(isMoneyEntry({ kind, party: 'x', amountFen: 1n })).toBe(true);
    expect(isMoneyEntry({ kind: 'expert_fee', party: 'x', amountFen: 1n })).toBe(false);
  });
});
