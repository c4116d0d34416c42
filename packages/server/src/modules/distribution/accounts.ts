import { type CryptoProvider, toHex, utf8Encode } from '@concord/protocol';
import type { Executor, Tx } from '../../db/connection.js';
import { createAccounts, getAccounts } from '../accounting/ledger.js';
import { availableOf, type LedgerAccount } from '../accounting/types.js';

/**
 * The distribution module's ledger accounts. Earnings are what a promoter may withdraw (never
 * below zero); a clawback the earnings cannot cover becomes a debt, an account of its own that
 * later releases repay first. Points live on the POINTS ledger: the issuance account mints them
 * (its debit balance is every point in circulation), a member's account holds them.
 */
export const POINTS_LEDGER = 'POINTS';
export const earningsAccount = (did: string) => `earnings:${did}`;
export const debtAccount = (did: string) => `debt:${did}`;
export const pointsAccount = (did: string) => `points:${did}`;
export const POINTS_ISSUANCE = 'points:issuance';
/** The code of nominators' locked stake (consensus/stake.ts): not 'points', so the monthly retirement never burns it. */
export const STAKE_CODE = 'points_stake';

export async function ensureEarnings(tx: Tx, did: string): Promise<void> {
  await createAccounts(tx, [
    { key: earningsAccount(did), ledger: 'CNY', code: 'earnings', owner: did, debitsMustNotExceedCredits: true },
    { key: debtAccount(did), ledger: 'CNY', code: 'commission_debt', owner: did },
  ]);
}

export async function ensurePoints(tx: Tx, did: string): Promise<void> {
  await createAccounts(tx, [
    { key: POINTS_ISSUANCE, ledger: POINTS_LEDGER, code: 'points_issuance' },
    { key: pointsAccount(did), ledger: POINTS_LEDGER, code: 'points', owner: did, debitsMustNotExceedCredits: true },
  ]);
}

export { availableOf };

/** What a debt account is owed: its posted debits beyond its posted credits. */
export function owedOf(account: LedgerAccount | undefined): bigint {
  const net = account === undefined ? 0n : account.debitsPosted - account.creditsPosted;
  return net > 0n ? net : 0n;
}

export async function available(executor: Executor, key: string): Promise<bigint> {
  const [account] = await getAccounts(executor, [key]);
  return availableOf(account);
}

export async function owed(executor: Executor, did: string): Promise<bigint> {
  const [account] = await getAccounts(executor, [debtAccount(did)]);
  return owedOf(account);
}

/** Ledger transfer ids are at most 128 characters. */
const TRANSFER_ID_MAX = 128;

/**
 * A ledger transfer id made of `parts` joined by ':' — readable when it fits, otherwise 'h:' and
 * the SHA-256 of the joined parts (order and refund ids are up to 64 characters each).
 */
export function transferIdOf(crypto: CryptoProvider, ...parts: string[]): string {
  const joined = parts.join(':');
  return joined.length <= TRANSFER_ID_MAX ? joined : `h:${toHex(crypto.sha256(utf8Encode(joined)))}`;
}
