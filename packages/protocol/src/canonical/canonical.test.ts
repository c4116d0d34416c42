import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { CanonicalError, canonicalBytes, canonicalize } from './index.js';

describe('RFC 8785 canonical JSON', () => {
  it('produces the RFC §3.2.4 example, byte for byte', () => {
    // RFC 8785 §3.2.2 input, written as JSON text so the parser does what any receiver would.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    const text = canonicalize(input);
    expect(text).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    expect(toHex(new TextEncoder().encode(text))).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c753030306' +
        '65c6e4127425c225c5c5c5c5c222f227d',
    );
  });

  it('sorts members by UTF-16 code units (RFC §3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // Read the order off the text: a parsed object would put the integer-like key "1" first again.
    const values = [...canonicalize(input).matchAll(/:"([^"]*)"/g)].map((match) => match[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their serialization.
  const appendixB: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  it.each(appendixB)('serializes the double %s as %s (Appendix B)', (bits, expected) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(`0x${bits}`));
    expect(canonicalize(view.getFloat64(0))).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses the non-finite number %s', (_name, value) => {
    expect(() => canonicalize({ a: [value] })).toThrow(CanonicalError);
    expect(() => canonicalize({ a: [value] })).toThrow('$.a[0]');
  });

  it('refuses lone surrogates in strings and in member names', () => {
    expect(() => canonicalize('\ud800')).toThrow(/lone UTF-16 surrogate/);
    expect(() => canonicalize('a\udc00b')).toThrow(CanonicalError);
    expect(() => canonicalize({ '\udbff': 1 })).toThrow(CanonicalError);
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });

  it('refuses what is not JSON data', () => {
    for (const bad of [undefined, () => 1, Symbol('s'), 1n, new Date(0), new Map(), [undefined]]) {
      expect(() => canonicalize(bad)).toThrow(CanonicalError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/nested deeper/);
  });

  it('leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalize({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  it("keeps Concord's envelopes to safe integers, while plain RFC 8785 accepts them", () => {
    expect(canonicalize(2 ** 53)).toBe('9007199254740992');
    expect(() => canonicalBytes({ amount: 2 ** 53 })).toThrow(/decimal strings/);
    expect(() => canonicalBytes(JSON.parse('{"fen": 12345678901234567890}'))).toThrow(CanonicalError);
    expect(new TextDecoder().decode(canonicalBytes({ n: Number.MAX_SAFE_INTEGER, m: 0.5 }))).toBe(
      '{"m":0.5,"n":9007199254740991}',
    );
  });

  it('is a fixed point: canonical text parses back to a value with the same canonical text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('does not depend on the order members were inserted', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalize(reversed)).toBe(canonicalize(value));
      }),
    );
  });
});
