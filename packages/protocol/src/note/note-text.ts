/**
 * Character rules shared by notes, checkpoints and witness bodies (c2sp.org/signed-note):
 * valid UTF-8, no ASCII control characters other than newline, key names without Unicode
 * spaces or plus. Also the canonical decimal numbers the tlog specs use.
 */

// ignoreBOM: a leading U+FEFF is kept as text, so the signed bytes are exactly the bytes received.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly; `undefined` for invalid UTF-8. */
export function decodeNoteBytes(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * True when `text` could appear in a signed note: no code point below U+0020 other than newline,
 * and no lone UTF-16 surrogate (which has no UTF-8 encoding).
 */
export function isNoteSafeText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20) {
      if (code !== 0x0a) return false;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

// Unicode White_Space is exactly the set Go's unicode.IsSpace reports (the reference implementation).
const UNICODE_SPACE = /\p{White_Space}/u;

/** c2sp.org/signed-note: key names are non-empty and contain no Unicode spaces and no plus (U+002B). */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.includes('+') &&
    !UNICODE_SPACE.test(name) &&
    isNoteSafeText(name)
  );
}

const CANONICAL_DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses an ASCII decimal with no sign and no leading zeroes (`0` itself is allowed), as the
 * checkpoint size, the witness `old` line and the 409 body are written. `'malformed'` for any
 * other spelling, `'unsafe'` for a value above Number.MAX_SAFE_INTEGER.
 */
export function parseCanonicalDecimal(text: string): number | 'malformed' | 'unsafe' {
  if (!CANONICAL_DECIMAL.test(text)) return 'malformed';
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : 'unsafe';
}

/** True for a number this folder accepts as a tree size or timestamp: a safe non-negative integer. */
export const isSafeCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
