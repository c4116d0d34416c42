import { canonicalBytes } from '../canonical/canonicalize.js';
import type { CryptoProvider } from '../crypto/types.js';
import { toHex } from '../encoding/bytes.js';
import { MAX_ABS_FEN } from '../money/fen.js';
import { type SplitPolicy, validateSplitPolicy } from '../money/split-policy.js';
import { CommerceError, type CommerceIssue } from './commerce-error.js';

/** One order line with the unit price fixed when the order was placed. */
export interface PricedLine {
  skuId: string;
  productId: string;
  /** An integer 1–999. */
  quantity: number;
  /** Positive, at most MAX_ABS_FEN. */
  unitPriceFen: bigint;
}

export const MAX_ORDER_QUANTITY = 999;
export const MAX_ORDER_LINES = 100;

/** quantity × unit price. Throws `CommerceError` `invalid_quantity` or `invalid_price`. */
export function lineTotalFen(line: PricedLine): bigint {
  const issues = lineIssues(line, 'line');
  if (issues.length > 0) throw CommerceError.fromIssues(issues);
  return BigInt(line.quantity) * line.unitPriceFen;
}

/**
 * The sum of the line totals. Throws `CommerceError` listing every issue: `empty_order` (no
 * lines), `too_many_lines` (over MAX_ORDER_LINES), `invalid_quantity` (not an integer
 * 1–MAX_ORDER_QUANTITY), `invalid_price` (not a bigint in 1–MAX_ABS_FEN), blaming
 * `lines[i].quantity` or `lines[i].unitPriceFen`; `total_above_maximum` when the sum passes
 * MAX_ABS_FEN (an amount no peer could parse back).
 */
export function orderTotalFen(lines: readonly PricedLine[]): bigint {
  if (lines.length === 0) throw new CommerceError('empty_order', 'lines', 'an order has at least one line');
  if (lines.length > MAX_ORDER_LINES) {
    throw new CommerceError('too_many_lines', 'lines', `an order has at most ${MAX_ORDER_LINES} lines`);
  }
  const issues = lines.flatMap((line, index) => lineIssues(line, `lines[${index}]`));
  if (issues.length > 0) throw CommerceError.fromIssues(issues);
  const totalFen = lines.reduce((sum, line) => sum + BigInt(line.quantity) * line.unitPriceFen, 0n);
  if (totalFen > MAX_ABS_FEN) {
    throw new CommerceError('total_above_maximum', 'lines', `the order total exceeds ${MAX_ABS_FEN} fen`);
  }
  return totalFen;
}

function lineIssues(line: PricedLine, field: string): CommerceIssue[] {
  const issues: CommerceIssue[] = [];
  const { quantity, unitPriceFen } = line;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_ORDER_QUANTITY) {
    issues.push({
      code: 'invalid_quantity',
      field: `${field}.quantity`,
      message: `a quantity is an integer 1–${MAX_ORDER_QUANTITY}`,
    });
  }
  if (typeof unitPriceFen !== 'bigint' || unitPriceFen <= 0n || unitPriceFen > MAX_ABS_FEN) {
    issues.push({
      code: 'invalid_price',
      field: `${field}.unitPriceFen`,
      message: 'a unit price is a positive bigint number of fen',
    });
  }
  return issues;
}

/**
 * Lowercase hex SHA-256 of the RFC 8785 canonical bytes of `policy`: the fingerprint an order
 * records of the split policy it was priced under, so an auditor can check that the policy
 * replayed is the one that applied. The policy is validated first: an invalid one, or one with
 * members outside `SplitPolicy`, throws `MoneyError` rather than get a fingerprint of its own.
 * Equal policies share the hash whatever the order of their members.
 */
export function splitPolicyHash(crypto: CryptoProvider, policy: SplitPolicy): string {
  return toHex(crypto.sha256(canonicalBytes(validateSplitPolicy(policy))));
}
