import { MoneyError } from './money-error.js';

/**
 * Money travels in JSON as a decimal string of fen (1 yuan = 100 fen): a JSON number would lose
 * precision past 2^53 in most parsers, and a decimal yuan string invites float arithmetic.
 * The grammar is canonical (no "+", no leading zeros, no "-0", no spaces, no exponent) so that one
 * amount has exactly one spelling — signed envelopes hash the text, not the value.
 */
const FEN_PATTERN = /^(0|-?[1-9][0-9]*)$/;

/** At most 20 digits: 10^20 fen is far beyond any real amount yet keeps inputs bounded. */
export const MAX_FEN_DIGITS = 20;
/** The largest magnitude `parseFen` accepts and `formatFen` emits. */
export const MAX_ABS_FEN = 10n ** BigInt(MAX_FEN_DIGITS) - 1n;

const FEN_PER_YUAN = 100n;

/** Parses a canonical fen string; throws `MoneyError` `invalid_amount` blaming `field`. */
export function parseFen(text: string, field = 'amount'): bigint {
  if (typeof text !== 'string') {
    throw new MoneyError('invalid_amount', field, 'an amount must be a decimal string of fen');
  }
  const digitCount = text.startsWith('-') ? text.length - 1 : text.length;
  // Length first, so an enormous input is rejected before the regex walks it.
  if (digitCount > MAX_FEN_DIGITS) {
    throw new MoneyError('invalid_amount', field, `an amount has at most ${MAX_FEN_DIGITS} digits`);
  }
  if (!FEN_PATTERN.test(text)) {
    throw new MoneyError(
      'invalid_amount',
      field,
      'an amount must be an integer number of fen in canonical form, e.g. "1234" or "-5"',
    );
  }
  return BigInt(text);
}

/**
 * Parses an amount that must be strictly positive and at most `maxFen` (a payment, a refund, a
 * transfer). Codes: `invalid_amount`, `amount_not_positive`, `amount_above_maximum`.
 */
export function parsePositiveFen(text: string, field = 'amount', maxFen: bigint = MAX_ABS_FEN): bigint {
  if (maxFen <= 0n) throw new RangeError('parsePositiveFen: maxFen must be positive');
  const amountFen = parseFen(text, field);
  if (amountFen <= 0n) throw new MoneyError('amount_not_positive', field, 'the amount must be greater than zero');
  if (amountFen > maxFen) {
    throw new MoneyError('amount_above_maximum', field, `the amount must be at most ${maxFen} fen`);
  }
  return amountFen;
}

/** The canonical JSON form of an amount; always accepted back by `parseFen`. */
export function formatFen(amountFen: bigint): string {
  if (amountFen > MAX_ABS_FEN || amountFen < -MAX_ABS_FEN) {
    // Emitting what no peer can parse back would only move the failure somewhere harder to see.
    throw new MoneyError('invalid_amount', 'amount', `an amount has at most ${MAX_FEN_DIGITS} digits`);
  }
  return amountFen.toString();
}

/** For display only: "¥12.34", "-¥0.05", "¥0.00". Never parse this back. */
export function formatYuan(amountFen: bigint): string {
  const sign = amountFen < 0n ? '-' : '';
  const absFen = amountFen < 0n ? -amountFen : amountFen;
  const yuan = absFen / FEN_PER_YUAN;
  const cents = (absFen % FEN_PER_YUAN).toString().padStart(2, '0');
  return `${sign}¥${yuan}.${cents}`;
}
