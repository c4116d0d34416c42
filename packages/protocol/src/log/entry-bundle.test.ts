import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../encoding/bytes.js';
import { decodeEntryBundle, encodeEntryBundle, LogFormatError, MAX_ENTRY_SIZE } from './index.js';

describe('entry bundles', () => {
  it('writes each entry as a big-endian uint16 length and its bytes', () => {
    const bundle = encodeEntryBundle([Uint8Array.of(0xaa), new Uint8Array(0), new Uint8Array(258).fill(7)]);
    expect([...bundle.subarray(0, 6)]).toEqual([0x00, 0x01, 0xaa, 0x00, 0x00, 0x01]);
    expect(bundle[6]).toBe(0x02);
    expect(bundle.length).toBe(3 + 2 + 2 + 258);
    expect(encodeEntryBundle([])).toEqual(new Uint8Array(0));
  });

  it('round-trips any bundle of up to 256 entries', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 256 }), (entries) => {
        const bundle = encodeEntryBundle(entries);
        expect(decodeEntryBundle(bundle)).toEqual(entries);
        expect(decodeEntryBundle(bundle, entries.length)).toEqual(entries);
      }),
      { numRuns: 50 },
    );
  });

  it('takes entries of up to 65535 bytes and no longer', () => {
    const largest = new Uint8Array(MAX_ENTRY_SIZE).fill(1);
    const decoded = decodeEntryBundle(encodeEntryBundle([largest]));
    expect(decoded).toHaveLength(1);
    expect(bytesEqual(decoded[0] as Uint8Array, largest)).toBe(true);
    expect(() => encodeEntryBundle([new Uint8Array(MAX_ENTRY_SIZE + 1)])).toThrow(RangeError);
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(0)))).toThrow(RangeError);
  });

  it('rejects truncated bundles, trailing bytes and the wrong count', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 20 }), (entries) => {
        const bundle = encodeEntryBundle(entries);
        const boundaries = new Set<number>([0]);
        let offset = 0;
        for (const entry of entries) {
          offset += 2 + entry.length;
          boundaries.add(offset);
        }
        for (let cut = 1; cut < bundle.length; cut++) {
          const prefix = bundle.subarray(0, cut);
          if (boundaries.has(cut)) expect(() => decodeEntryBundle(prefix, entries.length)).toThrow(LogFormatError);
          else expect(() => decodeEntryBundle(prefix)).toThrow(LogFormatError);
        }
        expect(() => decodeEntryBundle(Uint8Array.of(...bundle, 0))).toThrow(LogFormatError);
      }),
      { numRuns: 50 },
    );
    expect(() => decodeEntryBundle(Uint8Array.of(0x00, 0x05, 1, 2))).toThrow(/truncated inside an entry/);
    expect(() => decodeEntryBundle(Uint8Array.of(0x00))).toThrow(/truncated inside a length/);
    expect(() => decodeEntryBundle(new Uint8Array(2 * 257))).toThrow(/more than 256/);
  });
});
