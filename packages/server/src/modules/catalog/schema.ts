import { CommerceError, MoneyError } from '@concord/protocol';
import { z } from 'zod';
import { AppError } from '../../errors.js';

/** Shared zod pieces of the catalog's events and routes, and how protocol errors become API errors. */

/** Model and product ids are chosen by their author. */
export const ENTITY_ID = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,63}$/, '3–64 lowercase letters, digits and hyphens, not starting with a hyphen');
export const CATEGORY_SLUG = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, '1–64 lowercase letters, digits and hyphens, not starting with a hyphen');
export const SKU_CODE = z.string().regex(/^[A-Za-z0-9-]{1,32}$/, '1–32 of A–Z a–z 0–9 -');
export const SKU_ID = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}:[A-Za-z0-9-]{1,32}$/, '<productId>:<code>');
export const LOT_ID = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, '1–64 of A–Z a–z 0–9 -');
export const SHA256_HEX = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters (SHA-256)');
export const MODEL_VERSION = z.number().int().min(1).max(1_000_000);

/** Fen as a canonical decimal string; amounts stay below 10^16 fen. */
export const FEN = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, 'a whole number of fen as a decimal string, e.g. "12800"');
export const POSITIVE_FEN = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of fen as a decimal string, e.g. "12800"');

/** Stock and quantities: int4 in the database, bounded well inside it. */
export const STOCK_MAX = 1_000_000_000;

/**
 * Text of at most `maxChars` characters, not blank, without surrounding spaces. Event bodies are
 * refused rather than trimmed, so that what the database holds is what the log says.
 */
export const text = (maxChars: number) =>
  z
    .string()
    .min(1)
    .max(maxChars)
    .refine((value) => value.trim() === value && value !== '', 'must not be blank or start or end with spaces');

export const BILINGUAL = z.object({ zh: text(64), en: text(64) }).strict();

/** A protocol validator's rejection as a 400 that names the body field and lists every issue. */
export function fromProtocolError(error: unknown): never {
  if (error instanceof CommerceError || error instanceof MoneyError) {
    const field = `body.${error.field}`;
    const issues = error.issues.map((issue) => ({ ...issue, field: `body.${issue.field}` }));
    throw new AppError(400, error.code, error.message, field, { issues });
  }
  throw error;
}

/** Runs a protocol validator, turning its error into an AppError. */
export function validated<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    return fromProtocolError(error);
  }
}
