import { formatCosignatureVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, newKeyPair, register, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, grantRole } from '../../test-support/commerce.js';
import { consensusJourney } from '../../test-support/consensus-journey.js';
import {
  buy,
  checkout,
  completeDelivered,
  listedProduct,
  refundAfterSale,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { releaseDueCommissions } from '../distribution/commissions.js';
import { runOrderTimers } from '../orders/timers.js';
import { closeSettlementCycle } from './close.js';
import { cycleWindow, settlementCycleAt } from './cycles.js';

const DAY = 86_400_000;
let t: TestApp;
let journey: Awaited<ReturnType<typeof consensusJourney>>;
const witnessPayee = newKeyPair();
const witnessKey = { name: 'witness.test', publicKey: nodeCrypto.ed25519.publicKey(nodeCrypto.randomBytes(32)) };

beforeAll(async () => {
  t = await createTestApp({
    config: {
      // A witness that is never reached (its cosignatures are written below); it names its payee.
      witnesses: [
        {
          url: 'http://127.0.0.1:9',
          verifierKey: formatCosignatureVerifierKey(nodeCrypto, witnessKey),
          payee: witnessPayee.did,
        },
      ],
      witnessQuorum: 0,
    },
  });
  await register(t, t.operator);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const db = () => t.ctx.database.db;

async function closeAt(cycle: number) {
  t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1_000);
  try {
    return await closeSettlementCycle(t.ctx, cycle);
  } finally {
    t.clock.now = new Date();
  }
}

const leaf = async (cycle: number, party: string, kind: string) =>
  BigInt(
    (
      await rows<{ amount_fen: string }>(
        db(),
        sql`select amount_fen::text from settlement_leaves where cycle = ${cycle} and party = ${party} and kind = ${kind}`,
      )
    )[0]?.amount_fen ?? '0',
  );

describe('every party of a cycle', () => {
  it('a promoter’s held commission stays on the escrow until its freeze ends; the producer withdraws its payable', async () => {
    const producerMember = await riceShop(t, 'rice-p', 50);
    const seller = await signedInMember(t);
    await grantRole(t, seller.pair, 'promoter');
    const link = String(
      (await accepted(t, seller.pair, 'distribution.link.created', { kind: 'product', productId: 'rice-p' })).code,
    );
    const buyer = await signedInMember(t);
    await accepted(t, buyer.pair, 'distribution.binding.created', { code: link });
    const placed = await checkout(t, buyer, 'rice-p:bag', 2);
    expect(placed.response.statusCode, placed.response.body).toBe(201);
    const orderId = placed.response.json().order.id as string;
    await shipAndDeliver(t, producerMember, buyer, orderId);
    await completeDelivered(t);
    // Completed a week from now, settled at the end of that cycle: the freeze (delivery + 37 days) runs on.
    const cycle = settlementCycleAt(t.ctx.config, new Date(Date.now() + 7 * DAY + 1_000));
    await closeAt(cycle);
    // ¥200: the direct commission (10%) is held on the escrow; no upline, so the 3% override is unused.
    const [settled] = await rows<{ held_fen: string; promoter: string }>(
      db(),
      sql`select held_fen::text, promoter from settlement_orders where order_id = ${orderId}`,
    );
    expect(settled).toEqual({ held_fen: '2000', promoter: seller.pair.did });
    const [escrow] = await getAccounts(db(), [`escrow:order:${orderId}`]);
    expect(escrow).toMatchObject({ creditsPosted: 20_000n, debitsPosted: 18_000n, debitsPending: 2_000n });
    t.clock.now = new Date(Date.now() + 40 * DAY);
    expect(await releaseDueCommissions(t.ctx, 100, orderId)).toBe(1);
    t.clock.now = new Date();
    const [emptied] = await getAccounts(db(), [`escrow:order:${orderId}`]);
    expect(emptied).toMatchObject({ creditsPosted: 20_000n, debitsPosted: 20_000n, debitsPending: 0n });

    // The producer's payable is in its earnings: it withdraws like any earner.
    const [earnings] = await getAccounts(db(), [`earnings:${producerMember.pair.did}`]);
    expect(earnings?.creditsPosted).toBeGreaterThan(10_000n);
    const withdrawal = await t.app.inject({
      method: 'POST',
      url: '/v1/distribution/withdrawals',
      headers: { ...bearer(producerMember.token), 'idempotency-key': 'producer-payout-1' },
      payload: { id: 'producer-payout-1', amountFen: '10000', destination: '6222 0000 0000 1234' },
    });
    expect(withdrawal.statusCode, withdrawal.body).toBe(201);
    expect(withdrawal.json()).toMatchObject({ did: producerMember.pair.did, amountFen: '10000', status: 'paying' });
    expect(await ledgerViolations(db())).toEqual([]);
  }, 120_000);
  it('testers and nominators share the testers’ half of the pool, the expert its tenth, the witness the trust fee', async () => {
    journey = await consensusJourney(t, { category: 'grain' });
    expect(journey.decision).toBe('decided');
    // Four shoppers buy the tested product after the verdict; their orders complete in the cycle.
    for (let i = 0; i < 4; i++) {
      const buyer = await signedInMember(t);
      const id = await buy(t, buyer, journey.skuId, 1);
      await shipAndDeliver(t, journey.producer, buyer, id);
    }
    // The journey left the clock in its future: the return window passes from there.
    t.clock.now = new Date(t.clock.now.getTime() + (t.ctx.config.returnWindowDays + 1) * DAY);
    expect(await runOrderTimers(t.ctx)).toBeGreaterThanOrEqual(4);
    const cycle = settlementCycleAt(t.ctx.config, t.clock.now);
    // The witness cosigned three checkpoints in the cycle.
    await t.integrate();
    const checkpoints = await rows<{ size: string }>(
      db(),
      sql`select size::text from log_checkpoints order by size desc limit 3`,
    );
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const { size } of checkpoints) {
      await db().execute(
        sql`insert into log_cosignatures (size, witness, line, created_at)
            values (${size}::int8, 'witness.test', '—',
                    ${cycleWindow(t.ctx.config, cycle).startsAt.toISOString()}::timestamptz + interval '1 hour')`,
      );
    }
    const summary = await closeAt(cycle);
    expect(summary.status).toBe('closed');
    const totals = summary.totals as Record<string, string>;
    const pool = BigInt(totals.experiencePoolFen as string);
    expect(pool).toBeGreaterThan(0n);

    // The round's winners (and their backers) share the testers' half, to the fen, the rest to the platform.
    const payouts = await rows<{ party: string; kind: string; amount_fen: string }>(
      db(),
      sql`select party, kind, amount_fen::text from settlement_leaves
           where cycle = ${cycle} and kind in ('experience_tester', 'experience_nominator')`,
    );
    const testerDids = new Set(journey.testers.map((tester) => tester.member.pair.did));
    const nominatorDids = new Set(journey.nominators.map((n) => n.pair.did));
    expect(payouts.some((p) => p.kind === 'experience_tester' && testerDids.has(p.party))).toBe(true);
    for (const p of payouts) {
      if (p.kind === 'experience_nominator') expect(nominatorDids.has(p.party) || testerDids.has(p.party)).toBe(true);
    }
    const testersFen = payouts.reduce((sum, p) => sum + BigInt(p.amount_fen), 0n);
    expect(testersFen).toBe(BigInt(totals.testersFen as string));
    expect(testersFen).toBeLessThanOrEqual((pool * 5_000n) / 10_000n + 1n);
    const [paid] = await rows<{ round_id: string; pool_fen: string; paid_fen: string }>(
      db(),
      sql`select round_id, pool_fen::text, paid_fen::text from settlement_rounds where cycle = ${cycle}`,
    );
    expect(paid).toMatchObject({ round_id: journey.roundId, paid_fen: totals.testersFen });

    // The model's expert: a tenth of the pool (the only model sold).
    expect(await leaf(cycle, journey.modelExpert.did, 'experience_expert')).toBe(BigInt(totals.expertsFen as string));
    expect(BigInt(totals.expertsFen as string)).toBe((pool * 1_000n) / 10_000n);
    // The witness: the whole trust fee, into its payee's earnings.
    expect(await leaf(cycle, witnessPayee.did, 'trust_fee')).toBe(BigInt(totals.trustPoolFen as string));

    // A tester's statement cites the round.
    const winner = journey.testers.find((tester) => payouts.some((p) => p.party === tester.member.pair.did));
    const statement = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/settlement/cycles/${cycle}/statement`,
        headers: bearer(winner?.member.token as string),
      })
    ).json();
    expect(statement.lines).toContainEqual(expect.objectContaining({ source: 'round', ref: journey.roundId }));

    // A later cycle does not pay the same round again.
    const later = await closeAt(cycle + 1);
    expect(later.status).toBe('closed');
    const [again] = await rows<{ n: string }>(db(), sql`select count(*)::text as n from settlement_rounds`);
    expect(again?.n).toBe('1');
    expect(await ledgerViolations(db())).toEqual([]);
  }, 180_000);

  it('a reversal beyond the producer’s earnings becomes a debt, which its next cycle’s sales repay first', async () => {
    const { producer: seller, skuId } = await listedProduct(t, 'rice-debt');
    const buyer = await signedInMember(t);
    const orderId = await buy(t, buyer, skuId, 2);
    await shipAndDeliver(t, seller, buyer, orderId);
    await completeDelivered(t);
    const sold = Math.max(
      settlementCycleAt(t.ctx.config, new Date(Date.now() + 7 * DAY + 1_000)),
      Number((await rows<{ c: number }>(db(), sql`select max(cycle) as c from settlement_cycles`))[0]?.c) + 1,
    );
    await closeAt(sold);
    const balances = async () => {
      const accounts = await getAccounts(db(), [`earnings:${seller.pair.did}`, `debt:${seller.pair.did}`]);
      const earnings = accounts.find((a) => a.key.startsWith('earnings:'));
      const debt = accounts.find((a) => a.key.startsWith('debt:'));
      return {
        available: (earnings?.creditsPosted ?? 0n) - (earnings?.debitsPosted ?? 0n) - (earnings?.debitsPending ?? 0n),
        owed: (debt?.debitsPosted ?? 0n) - (debt?.creditsPosted ?? 0n),
      };
    };
    // ¥200 sold, no promoter: 73.4% to the producer, which withdraws all of it.
    expect(await balances()).toEqual({ available: 14_680n, owed: 0n });
    const withdrawn = await t.app.inject({
      method: 'POST',
      url: '/v1/distribution/withdrawals',
      headers: { ...bearer(seller.token), 'idempotency-key': 'debt-payout' },
      payload: { id: 'debt-payout', amountFen: '14680', destination: '6222 0000 0000 5678' },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(201);
    expect((await balances()).available).toBe(0n);

    // One bag back after settlement: the cycle open now takes back 7,340 fen it cannot find.
    await refundAfterSale(t, buyer, orderId, 'debt-refund', 1);
    const reversedIn = settlementCycleAt(t.ctx.config, new Date());
    await closeAt(reversedIn);
    expect(await balances()).toEqual({ available: 0n, owed: 7_340n });

    // Its next sale (one bag, 7,340 fen to it) repays the debt before anything is available.
    const next = await buy(t, buyer, skuId, 1);
    await shipAndDeliver(t, seller, buyer, next);
    await completeDelivered(t);
    await closeAt(sold + 1);
    expect(await balances()).toEqual({ available: 0n, owed: 0n });
    expect(await ledgerViolations(db())).toEqual([]);
  }, 120_000);
});
