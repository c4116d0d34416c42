/**
 * C2SP tlog-tiles entry bundles: the entries of one level-0 tile, each as a big-endian uint16
 * length followed by that many bytes. Decoding is strict, so one bundle has one encoding.
 */
import { LogFormatError } from './log-error.js';
import { TILE_WIDTH } from './tile-paths.js';

/** The longest entry a bundle can carry (the uint16 length prefix). */
export const MAX_ENTRY_SIZE = 0xffff;

/** Encodes up to 256 entries; an entry longer than 65535 bytes is a RangeError. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new RangeError(`an entry bundle holds at most ${TILE_WIDTH} entries`);
  let length = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE) {
      throw new RangeError(`entry of ${entry.length} bytes is longer than ${MAX_ENTRY_SIZE}`);
    }
    length += 2 + entry.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const entry of entries) {
    out[offset] = entry.length >> 8;
    out[offset + 1] = entry.length & 0xff;
    out.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return out;
}

/**
 * Decodes a bundle; throws a LogFormatError on a truncated length or entry, or on more than
 * 256 entries. With `width`, the bundle must hold exactly that many entries.
 */
export function decodeEntryBundle(bytes: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (entries.length === TILE_WIDTH) throw new LogFormatError(`entry bundle has more than ${TILE_WIDTH} entries`);
    if (offset + 2 > bytes.length) throw new LogFormatError('entry bundle is truncated inside a length prefix');
    const length = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
    offset += 2;
    if (offset + length > bytes.length) throw new LogFormatError('entry bundle is truncated inside an entry');
    entries.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  if (width !== undefined && entries.length !== width) {
    throw new LogFormatError(`entry bundle has ${entries.length} entries, expected ${width}`);
  }
  return entries;
}
