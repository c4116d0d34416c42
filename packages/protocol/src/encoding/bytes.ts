/** Byte encodings used across the protocol. Isomorphic: no Buffer, no node: imports. */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export const utf8Encode = (text: string): Uint8Array => textEncoder.encode(text);
/** Throws a TypeError on invalid UTF-8. */
export const utf8Decode = (bytes: Uint8Array): string => textDecoder.decode(bytes);

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte >> 4] + (HEX[byte & 15] as string);
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const B64_TABLE = decodeTable(B64);
const B64URL_TABLE = decodeTable(B64URL);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (b1 !== undefined) out += alphabet[(n >> 6) & 63];
    else if (pad) out += '=';
    if (b2 !== undefined) out += alphabet[n & 63];
    else if (pad) out += '=';
  }
  return out;
}

/**
 * Decodes `length` characters of unpadded base64 text. Strict: any character outside the
 * alphabet, an impossible length, or non-zero bits after the last byte (a second spelling of
 * the same bytes) is a TypeError, so one value has exactly one text.
 */
function decode(text: string, length: number, table: Int8Array, name: string): Uint8Array {
  if (length % 4 === 1) throw new TypeError(`invalid ${name}: impossible length`);
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let bits = 0;
  let buffered = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (table[code] as number) : -1;
    if (value < 0) throw new TypeError(`invalid ${name}: unexpected character`);
    bits = ((bits << 6) | value) & 0xffffff;
    buffered += 6;
    if (buffered >= 8) {
      buffered -= 8;
      out[o++] = (bits >> buffered) & 255;
    }
  }
  if ((bits & ((1 << buffered) - 1)) !== 0) throw new TypeError(`invalid ${name}: non-canonical final character`);
  return out;
}

/** Standard base64 with padding (RFC 4648 §4). */
export const toBase64 = (bytes: Uint8Array): string => encode(bytes, B64, true);

/** Strict standard base64 with padding; throws a TypeError on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new TypeError('invalid base64: length is not a multiple of 4');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return decode(text, text.length - padding, B64_TABLE, 'base64');
}

/** base64url without padding (RFC 4648 §5), as used for signatures in envelopes. */
export const toBase64Url = (bytes: Uint8Array): string => encode(bytes, B64URL, false);

export const fromBase64Url = (text: string): Uint8Array => decode(text, text.length, B64URL_TABLE, 'base64url');

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
