import { z } from 'zod';

export const ERROR_SCHEMA = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. invalid_signature'),
      message: z.string().describe('What went wrong, for people'),
      field: z.string().optional().describe('The request field at fault, when there is one'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const ERROR_RESPONSES = {
  400: ERROR_SCHEMA,
  401: ERROR_SCHEMA,
  403: ERROR_SCHEMA,
  404: ERROR_SCHEMA,
  409: ERROR_SCHEMA,
  413: ERROR_SCHEMA,
  422: ERROR_SCHEMA,
} as const;

/** Money in an answer: bigint minor units (fen or points) as a decimal string, JSON numbers being too small. */
export const MONEY_TEXT = z
  .string()
  .regex(/^-?[0-9]+$/)
  .describe('minor units (fen or points) as a decimal string');

export const PAGE_SIZE_MAX = 100;

/** Cursor pagination: `after` is the last id of the previous page. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
  after: z
    .string()
    .regex(/^[0-9]{1,19}$/, 'must be a cursor from nextCursor')
    .optional(),
});
