import { fromBase64Url, toBase64Url, utf8Decode, utf8Encode } from '@concord/protocol';
import { z } from 'zod';
import { badRequest } from '../../errors.js';

/**
 * Opaque keyset cursors: base64url of a small JSON object holding the sort key of the last row
 * of the page. Clients pass them back unchanged; anything else is refused.
 */

export const CURSOR_QUERY = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/, 'a cursor from nextCursor')
  .optional();

export const LIMIT_QUERY = (defaultLimit: number) => z.coerce.number().int().min(1).max(100).default(defaultLimit);

const CURSOR_BODY = z
  .object({
    id: z.string().min(1).max(200),
    rank: z
      .string()
      .regex(/^[0-9.eE+-]{1,32}$/)
      .optional(),
  })
  .strict();
export type Cursor = z.infer<typeof CURSOR_BODY>;

export const encodeCursor = (cursor: Cursor): string => toBase64Url(utf8Encode(JSON.stringify(cursor)));

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  try {
    return CURSOR_BODY.parse(JSON.parse(utf8Decode(fromBase64Url(text))));
  } catch {
    throw badRequest('invalid_cursor', 'cursor: pass back a nextCursor unchanged.', 'querystring.cursor');
  }
}

/** The page of `found` (fetched with limit + 1) and the cursor of the next one, if any. */
export function pageOf<T>(found: readonly T[], limit: number, cursorOf: (last: T) => Cursor) {
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
