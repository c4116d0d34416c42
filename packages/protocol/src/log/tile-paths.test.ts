import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entriesTilePath, LogFormatError, parseTilePath, TILE_WIDTH, tilePath } from './index.js';

describe('tile paths (C2SP tlog-tiles)', () => {
  it('writes N in 3-digit groups, all but the last prefixed with x', () => {
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(0, 0)).toBe('tile/0/000');
    expect(tilePath(2, 999)).toBe('tile/2/999');
    expect(tilePath(2, 1000)).toBe('tile/2/x001/000');
    expect(tilePath(1, 3057500)).toBe('tile/1/x003/x057/500');
    expect(tilePath(63, 123456078)).toBe('tile/63/x123/x456/078');
  });

  it('adds .p/W only for partial tiles', () => {
    expect(tilePath(1, 0, 5)).toBe('tile/1/000.p/5');
    expect(tilePath(0, 1234067, 1)).toBe('tile/0/x001/x234/067.p/1');
    expect(tilePath(0, 273, 112)).toBe('tile/0/273.p/112');
    expect(tilePath(0, 273, TILE_WIDTH)).toBe('tile/0/273');
    expect(entriesTilePath(5, 17)).toBe('tile/entries/005.p/17');
    expect(entriesTilePath(1234067)).toBe('tile/entries/x001/x234/067');
  });

  it('refuses impossible coordinates', () => {
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(-1, 0)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
    expect(() => tilePath(0, 0.5)).toThrow(RangeError);
    expect(() => tilePath(0, 2 ** 53)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
    expect(() => entriesTilePath(0, 300)).toThrow(RangeError);
  });

  it('parses what it writes', () => {
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ kind: 'hash', level: 0, n: 1234067, width: 256 });
    expect(parseTilePath('tile/1/000.p/5')).toEqual({ kind: 'hash', level: 1, n: 0, width: 5 });
    expect(parseTilePath('tile/entries/x001/000.p/255')).toEqual({ kind: 'entries', level: 0, n: 1000, width: 255 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.maxSafeNat()),
        fc.integer({ min: 1, max: 256 }),
        (level, n, width) => {
          expect(parseTilePath(tilePath(level, n, width))).toEqual({ kind: 'hash', level, n, width });
          expect(parseTilePath(entriesTilePath(n, width))).toEqual({ kind: 'entries', level: 0, n, width });
        },
      ),
    );
  });

  it.each([
    ['tile/0', 'no index'],
    ['tiles/0/000', 'wrong prefix'],
    ['/tile/0/000', 'leading slash'],
    ['tile/0/000/', 'trailing slash'],
    ['tile/00/000', 'leading zero in the level'],
    ['tile/01/000', 'leading zero in the level'],
    ['tile/64/000', 'level above 63'],
    ['tile/-1/000', 'negative level'],
    ['tile/data/000', 'unknown level name'],
    ['tile/0/1', 'index group not 3 digits'],
    ['tile/0/0001', 'index group of 4 digits'],
    ['tile/0/x1234/567', 'x group of 4 digits'],
    ['tile/0/001/234', 'inner group without x'],
    ['tile/0/x001/x234', 'last group with x'],
    ['tile/0/x000/001', 'leading zero group'],
    ['tile/0/x000/x001/234', 'leading zero group'],
    ['tile/0/+01', 'sign in the index'],
    ['tile/0/x999/x999/x999/x999/x999/x999/999', 'index beyond 2^53'],
    ['tile/0/000.p', 'partial without width'],
    ['tile/0/000.p/', 'empty width'],
    ['tile/0/000.p/0', 'width 0'],
    ['tile/0/000.p/256', 'width 256 written as partial'],
    ['tile/0/000.p/300', 'width above 255'],
    ['tile/0/000.p/05', 'leading zero in the width'],
    ['tile/0/000.p/5a', 'junk in the width'],
    ['tile/0/000.p/5/6', 'extra element'],
    ['tile/0/x001.p/234', 'partial marker on an inner group'],
    ['tile/entries/000.p/256', 'entries width 256 written as partial'],
    ['tile/entries/x000/000', 'entries leading zero group'],
  ])('rejects %s (%s)', (path) => {
    expect(() => parseTilePath(path)).toThrow(LogFormatError);
    expect(() => parseTilePath(path)).toThrow(/malformed tile path/);
  });
});
