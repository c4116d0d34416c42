import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { DEFAULT_SPLIT_POLICY, MAX_ABS_FEN, MoneyError, type SplitPolicy } from '../money/index.js';
import { nodeCrypto } from '../node.js';
import { thrownIssues } from './commerce.test-helper.js';
import {
  lineTotalFen,
  MAX_ORDER_LINES,
  MAX_ORDER_QUANTITY,
  orderTotalFen,
  type PricedLine,
  splitPolicyHash,
} from './index.js';

const line = (quantity: number, unitPriceFen: bigint, index = 0): PricedLine => ({
  skuId: `sku-${index}`,
  productId: `product-${index}`,
  quantity,
  unitPriceFen,
});

describe('order totals', () => {
  it('multiplies and adds in bigint fen', () => {
    expect(lineTotalFen(line(3, 1_999n))).toBe(5_997n);
    expect(orderTotalFen([line(3, 1_999n), line(1, 50n, 1), line(999, 1n, 2)])).toBe(5_997n + 50n + 999n);
    // Far past 2^53: no precision lost.
    expect(orderTotalFen([line(999, 10n ** 16n + 1n)])).toBe(999n * (10n ** 16n + 1n));
  });

  it('accepts the limits themselves', () => {
    expect(lineTotalFen(line(1, 1n))).toBe(1n);
    expect(lineTotalFen(line(MAX_ORDER_QUANTITY, 1n))).toBe(BigInt(MAX_ORDER_QUANTITY));
    expect(orderTotalFen([line(1, MAX_ABS_FEN)])).toBe(MAX_ABS_FEN);
    const many = Array.from({ length: MAX_ORDER_LINES }, (_, i) => line(1, 100n, i));
    expect(orderTotalFen(many)).toBe(100n * BigInt(MAX_ORDER_LINES));
  });

  it('refuses an order without lines, or with too many', () => {
    expect(thrownIssues(() => orderTotalFen([]))).toEqual([['empty_order', 'lines']]);
    const tooMany = Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => line(1, 100n, i));
    expect(thrownIssues(() => orderTotalFen(tooMany))).toEqual([['too_many_lines', 'lines']]);
  });

  it.each<[string, number]>([
    ['0', 0],
    ['-1', -1],
    ['1000', 1000],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['"2"', '2' as unknown as number],
  ])('refuses a quantity of %s', (_, quantity) => {
    expect(thrownIssues(() => lineTotalFen(line(quantity, 100n)))).toEqual([['invalid_quantity', 'line.quantity']]);
    expect(thrownIssues(() => orderTotalFen([line(1, 100n), line(quantity, 100n, 1)]))).toEqual([
      ['invalid_quantity', 'lines[1].quantity'],
    ]);
  });

  it.each<[string, bigint]>([
    ['0', 0n],
    ['-100', -100n],
    ['above MAX_ABS_FEN', MAX_ABS_FEN + 1n],
    ['a number', 100 as unknown as bigint],
    ['a string', '100' as unknown as bigint],
  ])('refuses a unit price of %s', (_, price) => {
    expect(thrownIssues(() => lineTotalFen(line(1, price)))).toEqual([['invalid_price', 'line.unitPriceFen']]);
    expect(thrownIssues(() => orderTotalFen([line(1, price)]))).toEqual([['invalid_price', 'lines[0].unitPriceFen']]);
  });

  it('reports every bad line at once', () => {
    expect(thrownIssues(() => orderTotalFen([line(0, 0n), line(1, 1n, 1), line(2, -1n, 2)]))).toEqual([
      ['invalid_quantity', 'lines[0].quantity'],
      ['invalid_price', 'lines[0].unitPriceFen'],
      ['invalid_price', 'lines[2].unitPriceFen'],
    ]);
  });

  it('refuses a total no peer could parse back', () => {
    expect(thrownIssues(() => orderTotalFen([line(2, MAX_ABS_FEN / 2n + 1n)]))).toEqual([
      ['total_above_maximum', 'lines'],
    ]);
  });

  it('is the sum of its line totals, whatever the order of the lines', () => {
    const lines = fc.array(
      fc.tuple(fc.integer({ min: 1, max: MAX_ORDER_QUANTITY }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
      { minLength: 1, maxLength: MAX_ORDER_LINES },
    );
    fc.assert(
      fc.property(lines, (tuples) => {
        const priced = tuples.map(([quantity, price], i) => line(quantity, price, i));
        const total = orderTotalFen(priced);
        expect(total).toBe(priced.reduce((sum, l) => sum + lineTotalFen(l), 0n));
        expect(orderTotalFen([...priced].reverse())).toBe(total);
        expect(total >= BigInt(priced.length)).toBe(true);
      }),
    );
  });
});

describe.each([nodeCrypto, nobleCrypto])('splitPolicyHash with $name crypto', (crypto) => {
  // The RFC 8785 form of the default policy, written out by hand: members sorted by name.
  const DEFAULT_CANONICAL =
    '{"consumerCashbackBps":500,"experienceFeeBps":1500,"platformServiceFeeBps":600,' +
    '"promoterCommissionBps":1000,"teamOverrideBps":300,"trustFeeBps":60,"unusedShareDestination":"supplier"}';

  it('is the lowercase hex SHA-256 of the canonical JSON of the policy', () => {
    const expected = createHash('sha256').update(DEFAULT_CANONICAL, 'utf8').digest('hex');
    expect(splitPolicyHash(crypto, DEFAULT_SPLIT_POLICY)).toBe(expected);
    expect(splitPolicyHash(crypto, DEFAULT_SPLIT_POLICY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on member order', () => {
    const reordered = Object.fromEntries(Object.entries(DEFAULT_SPLIT_POLICY).reverse()) as unknown as SplitPolicy;
    expect(Object.keys(reordered)[0]).toBe('unusedShareDestination');
    expect(splitPolicyHash(crypto, reordered)).toBe(splitPolicyHash(crypto, DEFAULT_SPLIT_POLICY));
  });

  it('changes with any share', () => {
    const hash = splitPolicyHash(crypto, DEFAULT_SPLIT_POLICY);
    expect(splitPolicyHash(crypto, { ...DEFAULT_SPLIT_POLICY, trustFeeBps: 61 })).not.toBe(hash);
    expect(splitPolicyHash(crypto, { ...DEFAULT_SPLIT_POLICY, unusedShareDestination: 'platform' })).not.toBe(hash);
  });

  it('refuses an invalid policy rather than fingerprint it', () => {
    expect(() => splitPolicyHash(crypto, { ...DEFAULT_SPLIT_POLICY, experienceFeeBps: 9_500 })).toThrow(MoneyError);
    // A member outside SplitPolicy would otherwise change the fingerprint of the same policy.
    const extra = { ...DEFAULT_SPLIT_POLICY, note: 'x' } as SplitPolicy;
    expect(() => splitPolicyHash(crypto, extra)).toThrow(MoneyError);
  });
});
