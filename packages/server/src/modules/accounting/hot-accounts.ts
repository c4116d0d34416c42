import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { createAccounts } from './ledger.js';
import type { AccountInput, LedgerAccount } from './types.js';

/**
 * Hot accounts (the platform fee, the pools: every order credits them) are split into shards,
 * `<key>:s0` … `<key>:s<n-1>`, and each transfer credits the shard its id hashes to. Transfers
 * then lock different rows, so sales no longer queue behind one row lock; the account's balance
 * is the sum of its shards. Only for accounts without balance limits (a limit cannot be checked
 * on a part), which is what the hot accounts are: they only receive.
 */
export async function createShardedAccount(tx: Tx, input: AccountInput, shards: number): Promise<LedgerAccount[]> {
  if (!Number.isInteger(shards) || shards < 2 || shards > 256) throw new RangeError('shards: 2..256');
  if (input.debitsMustNotExceedCredits || input.creditsMustNotExceedDebits) {
    throw new RangeError('an account with a balance limit cannot be sharded');
  }
  return createAccounts(
    tx,
    Array.from({ length: shards }, (_, i) => ({ ...input, key: `${input.key}:s${i}` })),
  );
}

/** The shard of `key` that transfer `transferId` uses: stable, spread evenly (FNV-1a). */
export function shardKey(key: string, shards: number, transferId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < transferId.length; i++) {
    hash ^= transferId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${key}:s${hash % shards}`;
}

/** The balances of a sharded account, summed over its shards. */
export async function shardedBalance(
  executor: Executor,
  key: string,
): Promise<{
  shards: number;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}> {
  const [row] = await rows<{
    shards: string;
    dq: string | null;
    cq: string | null;
    dp: string | null;
    cp: string | null;
  }>(
    executor,
    sql`select count(*)::text shards, sum(debits_posted)::text dq, sum(credits_posted)::text cq,
               sum(debits_pending)::text dp, sum(credits_pending)::text cp
        from ledger_accounts where key ~ ${`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:s[0-9]+$`}`,
  );
  return {
    shards: Number(row?.shards ?? 0),
    debitsPosted: BigInt(row?.dq ?? 0),
    creditsPosted: BigInt(row?.cq ?? 0),
    debitsPending: BigInt(row?.dp ?? 0),
    creditsPending: BigInt(row?.cp ?? 0),
  };
}
