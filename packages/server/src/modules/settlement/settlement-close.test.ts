import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import {
  buy,
  completeDelivered,
  type Member,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { closeSettlementCycle } from './close.js';
import { clearingAccount, cycleWindow, settlementCycleAt } from './cycles.js';

let t: TestApp;
let producer: Member;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-s', 100);
});
afterAll(async () => {
  await t?.close();
});

async function completedOrders(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const buyer = await signedInMember(t);
    const id = await buy(t, buyer, 'rice-s:bag', 1 + (i % 3));
    await shipAndDeliver(t, producer, buyer, id);
    ids.push(id);
  }
  await completeDelivered(t);
  return ids;
}

describe('closing a cycle', () => {
  it('settles every completed order and pays every leaf', async () => {
    const ids = await completedOrders(3);
    const [{ completed_at } = { completed_at: '' }] = await rows<{ completed_at: string }>(
      t.ctx.database.db,
      sql`select max(completed_at)::text as completed_at from orders where id in ${ids}`,
    );
    const cycle = settlementCycleAt(t.ctx.config, new Date(completed_at));
    t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1000);
    const summary = await closeSettlementCycle(t.ctx, cycle);
    t.clock.now = new Date();
    expect(summary.status).toBe('closed');
    expect(summary.orders).toBe(3);
    const [clearing] = await getAccounts(t.ctx.database.db, [clearingAccount(cycle)]);
    expect(clearing?.creditsPosted).toBe(clearing?.debitsPosted);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
    console.log(summary);
  });
});
