import { DEFAULT_DISTRIBUTION_POLICY, type DistributionPolicy } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newKeyPair, type TestApp } from '../../test-support/app.js';
import { attributionFor } from './attribution.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00.000Z');
const FIRST: DistributionPolicy = { ...DEFAULT_DISTRIBUTION_POLICY, bindingMode: 'first' };
const LAST_CLICK: DistributionPolicy = {
  ...DEFAULT_DISTRIBUTION_POLICY,
  bindingMode: 'last_click',
  lastClickWindowDays: 7,
};
const SELF_EARNS: DistributionPolicy = { ...FIRST, selfPurchaseCommission: true };

const did = () => newKeyPair().did;
const db = () => t.ctx.database.db;

async function promoter(who: string, options: { role?: boolean } = {}): Promise<string> {
  await db().execute(
    sql`insert into distribution_promoters (did, level, upline_did, joined_at, level_changed_at)
        values (${who}, 'l1', null, ${new Date(NOW.getTime() - 90 * DAY).toISOString()}::timestamptz, ${NOW.toISOString()}::timestamptz)`,
  );
  if (options.role !== false)
    await db().execute(sql`insert into account_roles (did, role, source) values (${who}, 'promoter', 'event')`);
  return who;
}

async function bind(consumer: string, to: string, lastClickDaysAgo: number): Promise<void> {
  const lastClick = new Date(NOW.getTime() - lastClickDaysAgo * DAY).toISOString();
  await db().execute(
    sql`insert into distribution_bindings (consumer_did, promoter_did, bound_at, last_click_at, event_id)
        values (${consumer}, ${to}, ${lastClick}::timestamptz, ${lastClick}::timestamptz, 1)`,
  );
}

describe('attributionFor', () => {
  it('attributes a bound buyer to their promoter while the binding holds and the promoter keeps the role', async () => {
    const producer = did();
    const seller = await promoter(did());
    const buyer = did();
    expect(await attributionFor(db(), FIRST, buyer, producer, NOW)).toBeNull();
    await bind(buyer, seller, 3);
    expect(await attributionFor(db(), FIRST, buyer, producer, NOW)).toEqual({ promoter: seller });
    expect(await attributionFor(db(), LAST_CLICK, buyer, producer, NOW)).toEqual({ promoter: seller });
    // The producer's own products earn their promoter-self nothing.
    expect(await attributionFor(db(), FIRST, buyer, seller, NOW)).toBeNull();

    const lapsed = did();
    await bind(lapsed, seller, 8);
    expect(await attributionFor(db(), LAST_CLICK, lapsed, producer, NOW)).toBeNull();
    expect(await attributionFor(db(), FIRST, lapsed, producer, NOW)).toEqual({ promoter: seller });

    const revoked = await promoter(did(), { role: false });
    const orphan = did();
    await bind(orphan, revoked, 1);
    expect(await attributionFor(db(), FIRST, orphan, producer, NOW)).toBeNull();
  });

  it('attributes a promoter buying to themselves only where the policy lets own purchases earn', async () => {
    const producer = did();
    const upline = await promoter(did());
    const buyer = await promoter(did());
    await bind(buyer, upline, 1);
    expect(await attributionFor(db(), SELF_EARNS, buyer, producer, NOW)).toEqual({ promoter: buyer });
    expect(await attributionFor(db(), SELF_EARNS, buyer, buyer, NOW)).toBeNull();
    // Not to their own binding either: a promoter's purchases are never someone else's sale.
    expect(await attributionFor(db(), FIRST, buyer, producer, NOW)).toBeNull();
  });
});
