import { createHash } from 'node:crypto';
import {
  type CycleLeaf,
  CycleTree,
  canonicalBytes,
  closeCycleFromInputs,
  DEFAULT_SPLIT_POLICY,
  fromBase64,
  fromHex,
  parseCycleInputs,
  type SplitPolicy,
  toHex,
  verifyCycleLeaf,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, bearer, productBody, riceModel } from '../../test-support/commerce.js';
import {
  buy,
  completeDelivered,
  listedProduct,
  type Member,
  refundAfterSale,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { closeSettlementCycle } from './close.js';
import { clearingAccount, cycleWindow, settlementCycleAt } from './cycles.js';
import { seedCompletedOrders } from './seed.js';

let t: TestApp;
let producer: Member;
let expert: string;
const db = () => t.ctx.database.db;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-s', 500);
  const [model] = await rows<{ expert_did: string }>(
    db(),
    sql`select expert_did from catalog_model_versions where model_id = 'rice-model'`,
  );
  expert = model?.expert_did as string;
});
afterAll(async () => {
  await t?.close();
});

/** `count` orders of 1–3 bags at ¥100, paid, shipped, delivered and completed. */
async function completedOrders(count: number): Promise<{ ids: string[]; cycle: number }> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const buyer = await signedInMember(t);
    const id = await buy(t, buyer, 'rice-s:bag', 1 + (i % 3));
    await shipAndDeliver(t, producer, buyer, id);
    ids.push(id);
  }
  await completeDelivered(t);
  const [last] = await rows<{ at: string }>(
    db(),
    sql`select max(completed_at)::text as at from orders where id in ${ids}`,
  );
  return { ids, cycle: settlementCycleAt(t.ctx.config, new Date(last?.at as string)) };
}

/** Closes `cycle` with the clock just past its end, then brings the clock back. */
async function close(cycle: number, options: Parameters<typeof closeSettlementCycle>[2] = {}) {
  t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1_000);
  try {
    return await closeSettlementCycle(t.ctx, cycle, options);
  } finally {
    t.clock.now = new Date();
  }
}

const leavesOf = async (cycle: number): Promise<CycleLeaf[]> =>
  (
    await rows<{ party: string; kind: CycleLeaf['kind']; amount_fen: string }>(
      db(),
      sql`select party, kind, amount_fen::text from settlement_leaves where cycle = ${cycle} order by position`,
    )
  ).map((r) => ({ party: r.party, kind: r.kind, amountFen: BigInt(r.amount_fen) }));

const amountOf = (leaves: CycleLeaf[], party: string, kind: string) =>
  leaves.find((l) => l.party === party && l.kind === kind)?.amountFen ?? 0n;

const transferCount = async () =>
  Number((await rows<{ n: string }>(db(), sql`select count(*)::text as n from ledger_transfers`))[0]?.n);

async function inputsOf(cycle: number) {
  const response = await t.app.inject({ method: 'GET', url: `/v1/settlement/cycles/${cycle}/inputs` });
  expect(response.statusCode).toBe(200);
  return response.body;
}

describe('closing a settlement cycle', () => {
  let cycle: number;
  let paid: bigint;

  it('settles every completed order by its policy and pays every leaf out of the cycle', async () => {
    const orders = await completedOrders(3);
    cycle = orders.cycle;
    // 1 + 2 + 3 bags at ¥100: 60,000 fen, every share of the default policy a whole number of fen.
    paid = 60_000n;
    const summary = await close(cycle);
    expect(summary).toMatchObject({ cycle, status: 'closed', orders: 3, paidFen: '60000', leaves: 7 });

    // The default policy, recomputed by hand: no promoter, so both commission shares (13%) are
    // unused and go to the supplier; cashback 5% backs the buyers' points; no round and no
    // witness, so the testers' half of the pool and the trust fee go to the platform.
    const platform = t.operator.did;
    const leaves = await leavesOf(cycle);
    const pct = (bps: bigint) => (paid * bps) / 10_000n;
    expect(amountOf(leaves, producer.pair.did, 'supplier')).toBe(pct(10_000n - 1_500n - 60n - 1_300n - 500n - 600n));
    expect(amountOf(leaves, producer.pair.did, 'unused_share')).toBe(pct(1_300n));
    expect(amountOf(leaves, platform, 'platform_service_fee')).toBe(pct(600n));
    expect(amountOf(leaves, platform, 'cashback')).toBe(pct(500n));
    expect(amountOf(leaves, expert, 'experience_expert')).toBe(pct(150n));
    expect(amountOf(leaves, platform, 'experience_platform')).toBe(pct(1_350n));
    expect(amountOf(leaves, platform, 'trust_fee')).toBe(pct(60n));
    expect(leaves.reduce((sum, l) => sum + l.amountFen, 0n)).toBe(paid);

    // Conservation: the escrows are empty, the clearing account too, the producer's earnings hold its leaves.
    for (const id of orders.ids) {
      const [escrow] = await getAccounts(db(), [`escrow:order:${id}`]);
      expect((escrow?.creditsPosted ?? 0n) - (escrow?.debitsPosted ?? 0n)).toBe(0n);
    }
    const [clearing] = await getAccounts(db(), [clearingAccount(cycle)]);
    expect(clearing?.creditsPosted).toBe(paid);
    expect(clearing?.debitsPosted).toBe(paid);
    const [earnings] = await getAccounts(db(), [`earnings:${producer.pair.did}`]);
    expect(earnings?.creditsPosted).toBe(pct(10_000n - 1_500n - 60n - 500n - 600n));
    expect(await ledgerViolations(db())).toEqual([]);

    // The result is on the log, signed by the operator, and states the root of the stored leaves.
    const [event] = await rows<{ actor: string; body: Record<string, unknown> }>(
      db(),
      sql`select actor, envelope->'body' as body from events where type = 'settlement.cycle.closed'`,
    );
    expect(event?.actor).toBe(platform);
    expect(event?.body.root).toBe(toHex(new CycleTree(nodeCrypto, leaves).root));
  });

  it('publishes inputs whose digest the envelope carries and from which anyone recomputes the root', async () => {
    const text = await inputsOf(cycle);
    const summary = (await t.app.inject({ method: 'GET', url: `/v1/settlement/cycles/${cycle}` })).json();
    expect(createHash('sha256').update(text).digest('hex')).toBe(summary.inputsDigest);
    const recomputed = closeCycleFromInputs(parseCycleInputs(text));
    expect(toHex(new CycleTree(nodeCrypto, recomputed.leaves).root)).toBe(summary.root);
    expect(text).not.toContain('ship');
  });

  it('gives each party a statement whose leaves verify against the published root', async () => {
    const summary = (await t.app.inject({ method: 'GET', url: `/v1/settlement/cycles/${cycle}` })).json();
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/settlement/cycles/${cycle}/statement`,
      headers: bearer(producer.token),
    });
    expect(response.statusCode).toBe(200);
    const statement = response.json();
    expect(statement.root).toBe(summary.root);
    expect(statement.leaves.map((l: { kind: string }) => l.kind).sort()).toEqual(['supplier', 'unused_share']);
    for (const leaf of statement.leaves) {
      const ok = verifyCycleLeaf(
        nodeCrypto,
        { party: producer.pair.did, kind: leaf.kind, amountFen: BigInt(leaf.amountFen) },
        leaf.index,
        statement.leafCount,
        leaf.proof.map((p: string) => fromBase64(p)),
        fromHex(summary.root),
      );
      expect(ok).toBe(true);
      // A statement that claims one fen more does not verify.
      const forged = verifyCycleLeaf(
        nodeCrypto,
        { party: producer.pair.did, kind: leaf.kind, amountFen: BigInt(leaf.amountFen) + 1n },
        leaf.index,
        statement.leafCount,
        leaf.proof.map((p: string) => fromBase64(p)),
        fromHex(summary.root),
      );
      expect(forged).toBe(false);
    }
    // The lines say which orders the amounts came from, and add up to the leaves.
    const lineSum = statement.lines.reduce((sum: bigint, l: { amountFen: string }) => sum + BigInt(l.amountFen), 0n);
    expect(lineSum).toBe(BigInt(statement.totalFen));
    expect(new Set(statement.lines.map((l: { ref: string }) => l.ref)).size).toBe(3);

    const csv = await t.app.inject({
      method: 'GET',
      url: `/v1/settlement/cycles/${cycle}/statement.csv`,
      headers: bearer(producer.token),
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('record,source,ref,kind,amount_fen');

    const stranger = await signedInMember(t);
    const other = await t.app.inject({
      method: 'GET',
      url: `/v1/settlement/cycles/${cycle}/statement?party=${encodeURIComponent(producer.pair.did)}`,
      headers: bearer(stranger.token),
    });
    expect(other.statusCode).toBe(403);
    const open = await t.app.inject({
      method: 'GET',
      url: `/v1/settlement/cycles/${cycle + 50}/statement`,
      headers: bearer(stranger.token),
    });
    expect(open.statusCode).toBe(404);
  });

  it('answers a second close with the same result and moves nothing', async () => {
    const before = await transferCount();
    const again = await close(cycle);
    expect(again.status).toBe('closed');
    expect(await transferCount()).toBe(before);
  });

  it('refuses to close a cycle that has not ended, and anyone but an operator', async () => {
    const operator = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/challenge',
      payload: { did: t.operator.did },
    });
    expect(operator.statusCode).toBeLessThan(500);
    const current = settlementCycleAt(t.ctx.config, new Date());
    const member = await signedInMember(t);
    const denied = await t.app.inject({
      method: 'POST',
      url: `/v1/settlement/cycles/${current}/close`,
      headers: bearer(member.token),
    });
    expect(denied.statusCode).toBe(403);
    await expect(closeSettlementCycle(t.ctx, current)).rejects.toMatchObject({ status: 409, code: 'cycle_open' });
    await expect(closeSettlementCycle(t.ctx, -1)).rejects.toMatchObject({ status: 400, code: 'invalid_cycle' });
  });
});

describe('a refund after settlement', () => {
  it('reverses the order’s legs exactly, out of the cycle open at the time', async () => {
    const buyer = await signedInMember(t);
    const orderId = await buy(t, buyer, 'rice-s:bag', 2);
    await shipAndDeliver(t, producer, buyer, orderId);
    await completeDelivered(t);
    const [row] = await rows<{ at: string }>(
      db(),
      sql`select completed_at::text as at from orders where id = ${orderId}`,
    );
    const settledIn = settlementCycleAt(t.ctx.config, new Date(row?.at as string)) + 1;
    await close(settledIn);
    const [earningsBefore] = await getAccounts(db(), [`earnings:${producer.pair.did}`]);

    await refundAfterSale(t, buyer, orderId, 'after-settlement', 1);
    // One bag of two back: every leg of the order gives back half, to the fen.
    const adjustments = await rows<{ cycle: number; kind: string; party: string; amount_fen: string }>(
      db(),
      sql`select cycle, kind, party, amount_fen::text from settlement_adjustments where order_id = ${orderId}`,
    );
    const byKind = Object.fromEntries(adjustments.map((a) => [a.kind, BigInt(a.amount_fen)]));
    expect(byKind).toEqual({
      supplier: -6_040n,
      unused_share: -1_300n,
      platform_service_fee: -600n,
      cashback: -500n,
      experience_pool: -1_500n,
      trust_pool: -60n,
    });
    const reversedIn = Number(adjustments[0]?.cycle);
    expect(reversedIn).toBe(settlementCycleAt(t.ctx.config, new Date()));
    const [escrow] = await getAccounts(db(), [`escrow:order:${orderId}`]);
    expect((escrow?.creditsPosted ?? 0n) - (escrow?.debitsPosted ?? 0n)).toBe(0n);

    // The next close of that cycle takes it back from the parties (the producer had no new sale).
    const summary = await close(reversedIn);
    expect(summary.status).toBe('closed');
    const leaves = await leavesOf(reversedIn);
    expect(amountOf(leaves, producer.pair.did, 'supplier')).toBe(-6_040n);
    expect(amountOf(leaves, producer.pair.did, 'unused_share')).toBe(-1_300n);
    expect(amountOf(leaves, t.operator.did, 'experience_platform')).toBe(-1_500n);
    const [earningsAfter] = await getAccounts(db(), [`earnings:${producer.pair.did}`]);
    expect(
      (earningsBefore?.creditsPosted ?? 0n) -
        (earningsBefore?.debitsPosted ?? 0n) -
        ((earningsAfter?.creditsPosted ?? 0n) - (earningsAfter?.debitsPosted ?? 0n)),
    ).toBe(7_340n);
    const [clearing] = await getAccounts(db(), [clearingAccount(reversedIn)]);
    expect((clearing?.creditsPosted ?? 0n) - (clearing?.debitsPosted ?? 0n)).toBe(0n);
    expect(await ledgerViolations(db())).toEqual([]);
  });
});

describe('closes that overlap or stop half-way', () => {
  const completedAt = () => new Date(Date.now() + 30 * 86_400_000);

  it('two closes at once settle every order once and publish one result', async () => {
    const at = completedAt();
    await seedCompletedOrders(t.ctx.database, {
      count: 120,
      prefix: 'overlap',
      products: [{ productId: 'rice-s', producer: producer.pair.did }],
      buyers: 7,
      completedAt: at,
    });
    const cycle = settlementCycleAt(t.ctx.config, at);
    t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1_000);
    const [a, b] = await Promise.all([
      closeSettlementCycle(t.ctx, cycle, { batchSize: 25 }),
      closeSettlementCycle(t.ctx, cycle, { batchSize: 40 }),
    ]);
    t.clock.now = new Date();
    expect(a.root).toBe(b.root);
    expect(a.orders).toBeGreaterThanOrEqual(120);
    const [counts] = await rows<{ settled: string; published: string }>(
      db(),
      sql`select (select count(*) from settlement_orders where order_id like 'overlap-%')::text as settled,
                 (select count(*) from events where type = 'settlement.cycle.closed'
                    and (envelope->'body'->>'cycle')::int = ${cycle})::text as published`,
    );
    expect(counts).toEqual({ settled: '120', published: '1' });
    const recomputed = closeCycleFromInputs(parseCycleInputs(await inputsOf(cycle)));
    expect(toHex(new CycleTree(nodeCrypto, recomputed.leaves).root)).toBe(a.root);
    expect(await ledgerViolations(db())).toEqual([]);
  });

  it('stops at an order whose snapshotted policy cuts more than it paid, writing nothing of its batch', async () => {
    const at = new Date(completedAt().getTime() + 28 * 86_400_000);
    await seedCompletedOrders(t.ctx.database, {
      count: 5,
      prefix: 'overcut',
      products: [{ productId: 'rice-s', producer: producer.pair.did }],
      buyers: 2,
      completedAt: at,
    });
    // A policy is known by its hash (the one the buyer signed): the bad one comes with its own
    // (splitPolicyHash refuses to fingerprint an invalid policy, so it is hashed by hand).
    const snapshot = async (policy: SplitPolicy) =>
      db().execute(
        sql`update orders set policy = ${JSON.stringify(policy)}::jsonb,
                   policy_hash = ${toHex(nodeCrypto.sha256(canonicalBytes(policy)))}
             where id = 'overcut-3'`,
      );
    await snapshot({ ...DEFAULT_SPLIT_POLICY, platformServiceFeeBps: 9_000 });
    const cycle = settlementCycleAt(t.ctx.config, at);
    const before = await transferCount();
    await expect(close(cycle)).rejects.toMatchObject({
      status: 422,
      code: 'unsettleable_order',
      field: 'orders.overcut-3.sharesBps',
    });
    expect(await transferCount()).toBe(before);
    const [settled] = await rows<{ n: string }>(
      db(),
      sql`select count(*)::text as n from settlement_orders where order_id like 'overcut-%'`,
    );
    expect(settled?.n).toBe('0');
    expect(await ledgerViolations(db())).toEqual([]);
    // Put right (the policy the buyer signed), the next close finishes the cycle.
    await snapshot(DEFAULT_SPLIT_POLICY);
    expect((await close(cycle)).status).toBe('closed');
  });

  it('a close that stopped after some batches is finished by the next, with the result of one run', async () => {
    const at = new Date(completedAt().getTime() + 14 * 86_400_000);
    await seedCompletedOrders(t.ctx.database, {
      count: 90,
      prefix: 'resume',
      products: [{ productId: 'rice-s', producer: producer.pair.did }],
      buyers: 5,
      completedAt: at,
    });
    const cycle = settlementCycleAt(t.ctx.config, at);
    const partial = await close(cycle, { batchSize: 20, stopAfterBatches: 2 });
    expect(partial).toMatchObject({ status: 'closing', orders: 40, root: null });
    const [clearing] = await getAccounts(db(), [clearingAccount(cycle)]);
    expect(clearing?.creditsPosted).toBeGreaterThan(0n);
    const done = await close(cycle, { batchSize: 30 });
    expect(done).toMatchObject({ status: 'closed', orders: 90 });
    const recomputed = closeCycleFromInputs(parseCycleInputs(await inputsOf(cycle)));
    expect(toHex(new CycleTree(nodeCrypto, recomputed.leaves).root)).toBe(done.root);
    expect(recomputed.totals.paidOutFen.toString()).toBe(done.paidFen);
    expect(await ledgerViolations(db())).toEqual([]);
  });
});

describe('a product republished under another expert’s model', () => {
  it('pays each sale’s fee to the expert whose model the product used when it was sold', async () => {
    const { producer: seller, productId, skuId } = await listedProduct(t, 'rice-swap');
    const buyer = await signedInMember(t);
    const orderId = await buy(t, buyer, skuId, 2);
    await shipAndDeliver(t, seller, buyer, orderId);
    const [line] = await rows<{ model_id: string; model_version: number }>(
      db(),
      sql`select model_id, model_version from order_lines where order_id = ${orderId}`,
    );
    expect(line).toEqual({ model_id: 'rice-model', model_version: 1 });

    // Before the order completes, the producer delists the product and republishes it under
    // another expert's model.
    const other = await accountWithRole(t, 'expert');
    await accepted(t, other, 'catalog.model.published', {
      modelId: 'rice-model-b',
      version: 1,
      definition: riceModel(),
    });
    await accepted(t, seller.pair, 'catalog.product.delisted', { productId });
    await accepted(
      t,
      seller.pair,
      'catalog.product.published',
      productBody(productId, {
        model: { id: 'rice-model-b', version: 1 },
        skus: [{ code: 'bag', options: {}, priceFen: '10000', stock: 50 }],
      }),
    );
    await accepted(t, seller.pair, 'catalog.product.listed', { productId });
    await completeDelivered(t);

    const [times] = await rows<{ at: string; closed: number | null }>(
      db(),
      sql`select (select completed_at::text from orders where id = ${orderId}) as at,
                 (select max(cycle) from settlement_cycles) as closed`,
    );
    const cycle = Math.max(settlementCycleAt(t.ctx.config, new Date(times?.at as string)), Number(times?.closed) + 1);
    expect(await close(cycle)).toMatchObject({ status: 'closed', orders: 1, paidFen: '20000' });
    // The experts' part of the order's experience fee (1.5% of ¥200, a tenth of it) is the first expert's.
    const leaves = await leavesOf(cycle);
    expect(amountOf(leaves, expert, 'experience_expert')).toBe(300n);
    expect(amountOf(leaves, other.did, 'experience_expert')).toBe(0n);
    expect(leaves.some((l) => l.party === other.did)).toBe(false);
    const [settled] = await rows<{ lines: string }>(
      db(),
      sql`select lines::text as lines from settlement_orders where order_id = ${orderId}`,
    );
    expect(JSON.parse(settled?.lines as string)).toEqual([{ amountFen: '20000', expert }]);
    expect(await ledgerViolations(db())).toEqual([]);
  });
});
