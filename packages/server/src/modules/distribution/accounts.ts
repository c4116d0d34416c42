import type { Tx } from '../../db/connection.js';
import { createAccounts, getAccounts } from '../accounting/ledger.js';

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

/** Posted credits less posted and pending debits: what the account can give now. */
export async function available(tx: Tx, key: string): Promise<bigint> {
  const [account] = await getAccounts(tx, [key]);
  if (account === undefined) return 0n;
  return account.creditsPosted - account.debitsPosted - account.debitsPending;
}

/** What a debt account is owed: its posted debits beyond its posted credits. */
export async function owed(tx: Tx, did: string): Promise<bigint> {
  const [account] = await getAccounts(tx, [debtAccount(did)]);
  if (account === undefined) return 0n;
  const net = account.debitsPosted - account.creditsPosted;
  return net > 0n ? net : 0n;
}
