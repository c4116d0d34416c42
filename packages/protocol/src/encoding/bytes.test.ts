import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromBase64Url,
  fromHex,
  toBase64,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from './bytes.js';

describe('byte encodings', () => {
  it('match Node for base64, base64url and hex on any bytes, and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(toBase64(bytes)).toBe(buffer.toString('base64'));
        expect(toBase64Url(bytes)).toBe(buffer.toString('base64url'));
        expect(toHex(bytes)).toBe(buffer.toString('hex'));
        expect(bytesEqual(fromBase64(toBase64(bytes)), bytes)).toBe(true);
        expect(bytesEqual(fromBase64Url(toBase64Url(bytes)), bytes)).toBe(true);
        expect(bytesEqual(fromHex(toHex(bytes)), bytes)).toBe(true);
      }),
    );
  });

  it('passes the RFC 4648 §10 test vectors', () => {
    const vectors = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase64(utf8Encode(plain as string))).toBe(encoded);
      expect(utf8Decode(fromBase64(encoded as string))).toBe(plain);
    }
  });

  it('refuses malformed and non-canonical text', () => {
    for (const bad of ['Zg=', 'Zg', 'Z===', 'Zh==', 'Zm9v!', 'Zm9v\n', 'Zm-v'])
      expect(() => fromBase64(bad)).toThrow(TypeError);
    for (const bad of ['Zg==', 'Z', 'Zh', 'Zm+v', 'Zm9v ', 'é']) expect(() => fromBase64Url(bad)).toThrow(TypeError);
    for (const bad of ['abc', 'zz', '0x00']) expect(() => fromHex(bad)).toThrow();
  });

  it('concatenates and compares bytes', () => {
    expect(toHex(concatBytes(fromHex('01'), new Uint8Array(0), fromHex('0203')))).toBe('010203');
    expect(bytesEqual(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(bytesEqual(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(bytesEqual(fromHex('01'), fromHex('0100'))).toBe(false);
  });
});
