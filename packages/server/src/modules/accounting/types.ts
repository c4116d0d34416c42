/** A ledger account as clients see it; balances in minor units (fen, or points). */
export interface LedgerAccount {
  key: string;
  ledger: string;
  code: string;
  owner: string | null;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export interface AccountInput {
  key: string;
  ledger: string;
  code: string;
  owner?: string | undefined;
  debitsMustNotExceedCredits?: boolean | undefined;
  creditsMustNotExceedDebits?: boolean | undefined;
}

/**
 * One transfer of a batch. Exactly one of: a plain transfer (posted at once), `pending` (a hold),
 * `postPending` (release a hold, in full or — with `amount` — in part; the rest returns), or
 * `voidPending` (cancel a hold).
 */
export interface TransferInput {
  id: string;
  debitAccount?: string | undefined;
  creditAccount?: string | undefined;
  amount?: bigint | undefined;
  code: string;
  reference?: string | undefined;
  pending?: boolean | undefined;
  /** For a hold: after this many seconds it expires and the expiry job voids it. */
  timeoutSeconds?: number | undefined;
  postPending?: string | undefined;
  voidPending?: string | undefined;
}

export type TransferKind = 'single' | 'pending' | 'post' | 'void';

export interface TransferResult {
  id: string;
  /** 'exists': this id was created earlier with the same fields; nothing changed now. */
  status: 'created' | 'exists';
  kind: TransferKind;
  amount: bigint;
}

/** Posted credits less posted and pending debits: what the account can give now (0 if it does not exist). */
export const availableOf = (account: LedgerAccount | undefined): bigint =>
  account === undefined ? 0n : account.creditsPosted - account.debitsPosted - account.debitsPending;
