import type { SettlementKind } from '@concord/protocol';
import { preparedRows, type Tx } from '../../db/connection.js';
import { createAccounts } from '../accounting/ledger.js';
import { earningsAccount, ensureEarnings } from '../distribution/accounts.js';
import { POINTS_REDEMPTION } from '../distribution/points-checkout.js';

/**
 * Where a cycle's leaf is paid. A party's share goes to its earnings, which it withdraws like a
 * promoter's commission (distribution's withdrawals); the platform's go to revenue accounts by
 * kind, except the cashback fen, which back the points the buyers earned and so go to the
 * account that pays for points redeemed at checkout.
 */
const PLATFORM_ACCOUNT: Record<SettlementKind, string> = {
  supplier: 'revenue:platform:supplier',
  platform_service_fee: 'revenue:platform:service_fee',
  cashback: POINTS_REDEMPTION,
  unused_share: 'revenue:platform:unused_shares',
  experience_expert: 'revenue:platform:experience',
  experience_tester: 'revenue:platform:experience',
  experience_nominator: 'revenue:platform:experience',
  experience_platform: 'revenue:platform:experience',
  trust_fee: 'revenue:platform:trust_fee',
};

const PLATFORM_KEYS = [...new Set(Object.values(PLATFORM_ACCOUNT))];

export function leafAccount(platform: string, party: string, kind: SettlementKind): string {
  return party === platform ? PLATFORM_ACCOUNT[kind] : earningsAccount(party);
}

/** The accounts a cycle's leaves are paid into, created where they do not exist yet. */
export async function ensureLeafAccounts(tx: Tx, platform: string, parties: Iterable<string>): Promise<void> {
  const others = [...new Set(parties)].filter((party) => party !== platform);
  const keys = [...PLATFORM_KEYS, ...others.map(earningsAccount)];
  const existing = new Set(
    (await preparedRows<{ key: string }>(tx, 'settlement_existing_accounts', EXISTING, [keys])).map((r) => r.key),
  );
  await createAccounts(
    tx,
    PLATFORM_KEYS.filter((key) => !existing.has(key)).map((key) => ({
      key,
      ledger: 'CNY',
      code: key === POINTS_REDEMPTION ? 'points_redemption' : 'revenue',
    })),
  );
  for (const party of others) if (!existing.has(earningsAccount(party))) await ensureEarnings(tx, party);
}

const EXISTING = 'select key from ledger_accounts where key = any($1::text[])';
