/**
 * C2SP tlog-tiles resource paths: `tile/<L>/<N>[.p/<W>]` for hash tiles and
 * `tile/entries/<N>[.p/<W>]` for entry bundles. N is written in 3-digit groups, all but the
 * last prefixed with `x` (1234067 → x001/x234/067), so a static file tree never has a file and
 * a directory of the same name. Parsing accepts only the one canonical spelling.
 */
import { LogFormatError } from './log-error.js';

/** Tile height: each tile is a subtree of height 8 … */
export const TILE_HEIGHT = 8;
/** … so a full tile holds 256 hashes (8,192 bytes), and a full bundle 256 entries. */
export const TILE_WIDTH = 256;
/** Levels are 0 through 63. */
export const MAX_TILE_LEVEL = 63;

/** A tile coordinate: the n-th tile at `level`, holding `width` (1..256) hashes or entries. */
export interface Tile {
  readonly level: number;
  readonly n: number;
  readonly width: number;
}

export interface ParsedTilePath extends Tile {
  /** 'hash' for tile/<L>/…, 'entries' for tile/entries/… (whose level is reported as 0). */
  readonly kind: 'hash' | 'entries';
}

function checkTileIndex(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`tile index must be a non-negative safe integer`);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`tile width must be 1..${TILE_WIDTH}, got ${String(width)}`);
  }
}

const pad3 = (group: number): string => String(group).padStart(3, '0');

function encodeIndex(n: number, width: number): string {
  let text = pad3(n % 1000);
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) {
    text = `x${pad3(rest % 1000)}/${text}`;
  }
  return width === TILE_WIDTH ? text : `${text}.p/${width}`;
}

/** The path of a hash tile, e.g. tilePath(0, 1234067) = 'tile/0/x001/x234/067', tilePath(1, 0, 5) = 'tile/1/000.p/5'. */
export function tilePath(level: number, n: number, width: number = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) {
    throw new RangeError(`tile level must be 0..${MAX_TILE_LEVEL}, got ${String(level)}`);
  }
  checkTileIndex(n);
  checkWidth(width);
  return `tile/${level}/${encodeIndex(n, width)}`;
}

/** The path of an entry bundle, e.g. entriesTilePath(5, 17) = 'tile/entries/005.p/17'. */
export function entriesTilePath(n: number, width: number = TILE_WIDTH): string {
  checkTileIndex(n);
  checkWidth(width);
  return `tile/entries/${encodeIndex(n, width)}`;
}

const LEVEL = /^(?:0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;
const INNER_GROUP = /^x[0-9]{3}$/;
const LAST_GROUP = /^[0-9]{3}$/;

/** Parses a tile or entry bundle path; throws a LogFormatError saying what is wrong. */
export function parseTilePath(path: string): ParsedTilePath {
  const fail = (why: string): never => {
    throw new LogFormatError(`malformed tile path ${JSON.stringify(path)}: ${why}`);
  };
  if (typeof path !== 'string') return fail('not a string');
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) return fail('expected tile/<L>/<N>[.p/<W>]');
  const levelText = parts[1] as string;
  const kind = levelText === 'entries' ? 'entries' : 'hash';
  let level = 0;
  if (kind === 'hash') {
    if (!LEVEL.test(levelText)) return fail('the level must be a decimal number without leading zeros');
    level = Number(levelText);
    if (level > MAX_TILE_LEVEL) return fail(`the level must be at most ${MAX_TILE_LEVEL}`);
  }

  const groups = parts.slice(2);
  let width = TILE_WIDTH;
  const beforeLast = groups[groups.length - 2];
  if (beforeLast?.endsWith('.p')) {
    const widthText = groups.pop() as string;
    if (!WIDTH.test(widthText)) return fail('the partial width must be a decimal number without leading zeros');
    width = Number(widthText);
    if (width >= TILE_WIDTH) return fail(`the partial width must be 1..${TILE_WIDTH - 1}`);
    groups[groups.length - 1] = beforeLast.slice(0, -'.p'.length);
  }

  let n = 0;
  groups.forEach((group, i) => {
    const last = i === groups.length - 1;
    if (!(last ? LAST_GROUP : INNER_GROUP).test(group)) {
      fail(last ? 'the last index group must be 3 digits' : 'index groups before the last must be x and 3 digits');
    }
    if (i === 0 && !last && group === 'x000') fail('the index has a leading zero group');
    n = n * 1000 + Number(last ? group : group.slice(1));
  });
  if (!Number.isSafeInteger(n)) return fail('the index is too large');

  const canonical = kind === 'entries' ? entriesTilePath(n, width) : tilePath(level, n, width);
  if (canonical !== path) return fail(`not the canonical spelling ${canonical}`);
  return { kind, level, n, width };
}
