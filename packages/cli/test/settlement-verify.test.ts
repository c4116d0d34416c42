import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { closeSettlementCycle, cycleWindow, settlementCycleAt } from '@concord/server';
import {
  accepted,
  accountWithRole,
  buy,
  completeDelivered,
  createTestApp,
  listedProduct,
  type Member,
  productBody,
  register,
  riceModel,
  riceShop,
  shipAndDeliver,
  signedInMember,
  type TestApp,
} from '@concord/server/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let t: TestApp;
let baseUrl: string;
let dir: string;
let trustFile: string;
let producer: Member;

beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'concord-settlement-verify-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(
    trustFile,
    JSON.stringify({ log: formatVerifierKey(nodeCrypto, t.ctx.logSigner), witnesses: [], quorum: 0 }),
  );
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-v', 50);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = () =>
  runCli(['verify', baseUrl, '--trust', trustFile, '--state', join(dir, `state-${Math.random()}`)], {});

/** Two orders completed and their cycle's number (a later cycle when `after` is closed already). */
async function twoOrders(after?: number): Promise<number> {
  for (let i = 0; i < 2; i++) {
    const buyer = await signedInMember(t);
    const id = await buy(t, buyer, 'rice-v:bag', 1 + i);
    await shipAndDeliver(t, producer, buyer, id);
  }
  await completeDelivered(t);
  const cycle = settlementCycleAt(t.ctx.config, new Date(Date.now() + 7 * 86_400_000 + 1_000));
  return after === undefined ? cycle : Math.max(cycle, after + 1);
}

async function close(cycle: number, stopAfterBatches?: number) {
  t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1_000);
  try {
    return await closeSettlementCycle(t.ctx, cycle, {
      batchSize: 1,
      ...(stopAfterBatches === undefined ? {} : { stopAfterBatches }),
    });
  } finally {
    t.clock.now = new Date();
  }
}

/**
 * A new producer's product `productId`, sold (one bag, shipped and delivered) under the rice
 * model, then delisted and republished under `model` before the order completes. Returns the
 * order and the cycle to close (one after `after` at the earliest).
 */
async function soldThenRepublished(
  productId: string,
  model: { id: string; version: number },
  after: number,
): Promise<{ orderId: string; cycle: number }> {
  const { producer: seller, skuId } = await listedProduct(t, productId);
  const buyer = await signedInMember(t);
  const orderId = await buy(t, buyer, skuId, 1);
  await shipAndDeliver(t, seller, buyer, orderId);
  await accepted(t, seller.pair, 'catalog.product.delisted', { productId });
  await accepted(
    t,
    seller.pair,
    'catalog.product.published',
    productBody(productId, { model, skus: [{ code: 'bag', options: {}, priceFen: '10000', stock: 50 }] }),
  );
  await accepted(t, seller.pair, 'catalog.product.listed', { productId });
  await completeDelivered(t);
  const cycle = settlementCycleAt(t.ctx.config, new Date(Date.now() + 7 * 86_400_000 + 1_000));
  return { orderId, cycle: Math.max(cycle, after + 1) };
}

describe('concord verify and settlement cycles', () => {
  let first: number;
  let latest: number;
  let otherExpert: string;

  it('recomputes a closed cycle from its inputs and the log', async () => {
    first = await twoOrders();
    expect((await close(first)).status).toBe('closed');
    latest = first;
    await t.integrate();
    const result = await verify();
    expect(result.output).toContain('1 settlement cycle(s) recomputed from their inputs and the log');
    expect(result.output).toContain('OK: everything holds.');
    expect(result.code).toBe(0);
  }, 120_000);

  it('holds a sale to the expert whose model its product used when it was placed, not at the close', async () => {
    const other = await accountWithRole(t, 'expert');
    otherExpert = other.did;
    await accepted(t, other, 'catalog.model.published', {
      modelId: 'rice-model-b',
      version: 1,
      definition: riceModel(),
    });
    const { cycle } = await soldThenRepublished('rice-swap', { id: 'rice-model-b', version: 1 }, latest);
    expect((await close(cycle)).status).toBe('closed');
    latest = cycle;
    await t.integrate();
    const result = await verify();
    expect(result.output).toContain('2 settlement cycle(s) recomputed from their inputs and the log');
    expect(result.output).toContain('OK: everything holds.');
    expect(result.code).toBe(0);
  }, 120_000);

  it('catches a result the operator signed that its inputs do not give, and inputs changed afterwards', async () => {
    const second = await twoOrders(latest);
    latest = second;
    // The orders are in, the pools not yet divided: the operator moves 100 fen of the supplier's
    // running sum to its own service fee before publishing. Money still adds up; the rules do not.
    expect((await close(second, 2)).status).toBe('closing');
    await t.ctx.database.db.execute(
      sql`update settlement_entries set amount_fen = amount_fen + case kind when 'platform_service_fee' then 100 else -100 end
           where cycle = ${second} and kind in ('platform_service_fee', 'supplier')`,
    );
    // And it names its producer as the expert of one order's line, to take the experts' tenth.
    await t.ctx.database.db.execute(
      sql`update settlement_orders set input_line = regexp_replace(input_line, '"expert":"[^"]+"', ${`"expert":"${producer.pair.did}"`})
           where order_id = (select min(order_id) from settlement_orders where cycle = ${second})`,
    );
    expect((await close(second)).status).toBe('closed');
    await t.integrate();
    const forged = await verify();
    expect(forged.output).toMatch(
      new RegExp(`cycle ${second}: recomputed root [0-9a-f]{64} over \\d+ leaves; published`),
    );
    expect(forged.output).toMatch(
      new RegExp(
        `cycle ${second}: order \\S+ line 0 pays expert ${producer.pair.did}; its product's model was did:key:\\w+'s when it was placed`,
      ),
    );
    expect(forged.output).not.toContain(`cycle ${first}:`);
    expect(forged.code).toBe(1);

    // Editing the first cycle's stored inputs afterwards breaks the digest the operator signed.
    await t.ctx.database.db.execute(
      sql`update settlement_orders set input_line = replace(input_line, '"paidFen":"', '"paidFen":"1')
           where order_id = (select min(order_id) from settlement_orders where cycle = ${first})`,
    );
    const edited = await verify();
    expect(edited.output).toContain(
      `cycle ${first}: the inputs document does not match the digest the operator signed`,
    );
    expect(edited.code).toBe(1);
  }, 180_000);

  it('catches a cycle that pays a sale to the expert of the model its product was republished under', async () => {
    const { orderId, cycle } = await soldThenRepublished('rice-swap-2', { id: 'rice-model-b', version: 1 }, latest);
    // The operator pays the line by the product's model at the close, not the one it was sold under.
    await t.ctx.database.db.execute(sql`update order_lines set model_id = 'rice-model-b' where order_id = ${orderId}`);
    expect((await close(cycle)).status).toBe('closed');
    await t.integrate();
    const { rows } = (await t.ctx.database.db.execute(
      sql`select expert_did from catalog_model_versions where model_id = 'rice-model' and version = 1`,
    )) as unknown as { rows: { expert_did: string }[] };
    const forged = await verify();
    expect(forged.output).toContain(
      `cycle ${cycle}: order ${orderId} line 0 pays expert ${otherExpert}; its product's model was ${rows[0]?.expert_did}'s when it was placed`,
    );
    expect(forged.code).toBe(1);
  }, 120_000);
});
