import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFen, formatYuan, MAX_ABS_FEN, parseFen, parsePositiveFen } from './fen.js';
import { MoneyError } from './money-error.js';

function caught(run: () => unknown): MoneyError {
  try {
    run();
  } catch (error) {
    if (error instanceof MoneyError) return error;
    throw error;
  }
  throw new Error('expected a MoneyError');
}

describe('parseFen', () => {
  it('accepts canonical integers of fen', () => {
    expect(parseFen('0')).toBe(0n);
    expect(parseFen('1234')).toBe(1234n);
    expect(parseFen('-5')).toBe(-5n);
    expect(parseFen('99999999999999999999')).toBe(MAX_ABS_FEN);
    expect(parseFen('-99999999999999999999')).toBe(-MAX_ABS_FEN);
  });

  it.each([
    '',
    '-',
    '-0',
    '+1',
    '01',
    '00',
    '1.0',
    '12.34',
    '1e3',
    ' 1',
    '1 ',
    '0x10',
    '１２',
    '100000000000000000000',
    '-100000000000000000000',
  ])('rejects %j with invalid_amount on the given field', (text) => {
    const error = caught(() => parseFen(text, 'priceFen'));
    expect(error.code).toBe('invalid_amount');
    expect(error.field).toBe('priceFen');
    expect(error.issues).toEqual([{ code: 'invalid_amount', field: 'priceFen', message: error.message }]);
  });

  it('rejects a JSON number smuggled past the type', () => {
    expect(caught(() => parseFen(1234 as unknown as string)).code).toBe('invalid_amount');
  });

  it('blames "amount" when no field is given', () => {
    expect(caught(() => parseFen('x')).field).toBe('amount');
  });

  it('round-trips every bounded amount through formatFen', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_ABS_FEN, max: MAX_ABS_FEN }), (amountFen) => {
        expect(parseFen(formatFen(amountFen))).toBe(amountFen);
      }),
    );
  });

  it('accepts exactly the canonical spelling of the value it returns', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', '.', ' ') }), (text) => {
        let parsed: bigint | undefined;
        try {
          parsed = parseFen(text);
        } catch (error) {
          expect(error).toBeInstanceOf(MoneyError);
          return;
        }
        expect(parsed.toString()).toBe(text);
      }),
    );
  });
});

describe('parsePositiveFen', () => {
  it('accepts amounts in (0, max]', () => {
    expect(parsePositiveFen('1')).toBe(1n);
    expect(parsePositiveFen('500', 'refundFen', 500n)).toBe(500n);
  });

  it('rejects zero and negatives with amount_not_positive', () => {
    for (const text of ['0', '-1']) {
      const error = caught(() => parsePositiveFen(text, 'refundFen'));
      expect([error.code, error.field]).toEqual(['amount_not_positive', 'refundFen']);
    }
  });

  it('rejects amounts over the configured maximum', () => {
    const error = caught(() => parsePositiveFen('501', 'refundFen', 500n));
    expect([error.code, error.field]).toEqual(['amount_above_maximum', 'refundFen']);
  });

  it('still rejects malformed text first', () => {
    expect(caught(() => parsePositiveFen('1.5', 'x', 10n)).code).toBe('invalid_amount');
  });

  it('refuses a maximum that admits nothing', () => {
    expect(() => parsePositiveFen('1', 'x', 0n)).toThrow(RangeError);
  });
});

describe('formatFen', () => {
  it('refuses amounts that parseFen would not read back', () => {
    expect(caught(() => formatFen(MAX_ABS_FEN + 1n)).code).toBe('invalid_amount');
    expect(caught(() => formatFen(-MAX_ABS_FEN - 1n)).code).toBe('invalid_amount');
  });
});

describe('formatYuan', () => {
  it.each([
    [0n, '¥0.00'],
    [5n, '¥0.05'],
    [-5n, '-¥0.05'],
    [1234n, '¥12.34'],
    [-1234n, '-¥12.34'],
    [100n, '¥1.00'],
    [123456789n, '¥1234567.89'],
  ])('%s fen is %s', (amountFen, text) => {
    expect(formatYuan(amountFen)).toBe(text);
  });

  it('shows the digits of the fen amount, sign first', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (amountFen) => {
        const text = formatYuan(amountFen);
        expect(text.startsWith('-')).toBe(amountFen < 0n);
        const digits = text.replace('-', '').replace('¥', '').replace('.', '');
        expect(BigInt(digits)).toBe(amountFen < 0n ? -amountFen : amountFen);
        expect(text).toMatch(/^-?¥(0|[1-9][0-9]*)\.[0-9]{2}$/);
      }),
    );
  });
});
