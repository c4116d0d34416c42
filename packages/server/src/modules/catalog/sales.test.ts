import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, defineCategory, productBody, riceModel } from '../../test-support/commerce.js';
import { cartLinesForSale, releaseStock, reserveStock, skusForSale } from './sales.js';

let t: TestApp;
let producer: KeyPair;
let expert: KeyPair;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  expert = await accountWithRole(t, 'expert');
  producer = await accountWithRole(t, 'producer');
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { splitPolicy: { promoterCommissionBps: 1200 } });
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  await accepted(
    t,
    producer,
    'catalog.product.published',
    productBody('rice-a', {
      skus: [
        { code: 'small', options: { 规格: '500g' }, priceFen: '2990', stock: 7 },
        { code: 'big', options: { 规格: '5kg' }, priceFen: '12800', stock: 2 },
      ],
    }),
  );
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.ctx.database.db;
const stockOf = async (skuId: string) => (await skusForSale(db(), [skuId])).get(skuId)?.stock;

describe('skusForSale', () => {
  it('tells the orders module everything it needs about each SKU', async () => {
    const found = await skusForSale(db(), ['rice-a:small', 'rice-a:nothing', 'rice-a:small']);
    expect([...found.keys()]).toEqual(['rice-a:small']);
    expect(found.get('rice-a:small')).toEqual({
      skuId: 'rice-a:small',
      productId: 'rice-a',
      producerDid: producer.did,
      category: 'rice',
      titleZh: '有机大米',
      titleEn: 'Organic rice',
      priceFen: 2990n,
      stock: 7,
      productStatus: 'draft',
      modelId: 'rice-model',
      modelVersion: 1,
      expertDid: expert.did,
      categorySplitOverride: { promoterCommissionBps: 1200 },
    });
    expect((await skusForSale(db(), [])).size).toBe(0);
  });

  it('reads a cart with its SKUs in one go, oldest line first, a SKU that is gone without one', async () => {
    const buyer = 'did:key:z6MkCartBuyer';
    await db().execute(
      sql`insert into order_carts (buyer_did, sku_id, quantity, unit_price_fen, added_at) values
          (${buyer}, 'rice-a:big', 2, 12000, now() - interval '2 minutes'),
          (${buyer}, 'rice-a:gone', 1, 500, now() - interval '1 minute'),
          (${buyer}, 'rice-a:small', 3, 2990, now())`,
    );
    const lines = await cartLinesForSale(db(), buyer);
    expect(lines.map(({ skuId, quantity, cartPriceFen }) => ({ skuId, quantity, cartPriceFen }))).toEqual([
      { skuId: 'rice-a:big', quantity: 2, cartPriceFen: '12000' },
      { skuId: 'rice-a:gone', quantity: 1, cartPriceFen: '500' },
      { skuId: 'rice-a:small', quantity: 3, cartPriceFen: '2990' },
    ]);
    expect(lines[0]?.sku).toEqual((await skusForSale(db(), ['rice-a:big'])).get('rice-a:big'));
    expect(lines[0]?.sku?.priceFen).toBe(12800n);
    expect(lines[1]?.sku).toBeUndefined();
    expect(lines[2]?.sku?.stock).toBe(7);
    expect(await cartLinesForSale(db(), 'did:key:z6MkNobody')).toEqual([]);
  });
});

describe('reserveStock and releaseStock', () => {
  it('take every line or none, naming the first short line', async () => {
    const attempt = transaction(db(), (tx) =>
      reserveStock(tx, [
        { skuId: 'rice-a:small', quantity: 2 },
        { skuId: 'rice-a:big', quantity: 3 },
      ]),
    );
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'out_of_stock', field: 'items[1]' });
    expect(await stockOf('rice-a:small')).toBe(7);
    const unknown = transaction(db(), (tx) => reserveStock(tx, [{ skuId: 'rice-a:none', quantity: 1 }]));
    await expect(unknown).rejects.toMatchObject({ code: 'out_of_stock', field: 'items[0]' });
    await expect(
      transaction(db(), (tx) => reserveStock(tx, [{ skuId: 'rice-a:big', quantity: 0 }])),
    ).rejects.toBeInstanceOf(AppError);

    await transaction(db(), (tx) =>
      reserveStock(tx, [
        { skuId: 'rice-a:small', quantity: 2 },
        { skuId: 'rice-a:big', quantity: 2 },
      ]),
    );
    expect(await stockOf('rice-a:small')).toBe(5);
    expect(await stockOf('rice-a:big')).toBe(0);
    await transaction(db(), (tx) =>
      releaseStock(tx, [
        { skuId: 'rice-a:small', quantity: 2 },
        { skuId: 'rice-a:big', quantity: 2 },
        { skuId: 'rice-a:gone', quantity: 1 },
      ]),
    );
    expect(await stockOf('rice-a:small')).toBe(7);
    expect(await stockOf('rice-a:big')).toBe(2);

    // Two lines of one SKU ask for their sum: 4 + 4 of 7 is short, and the message says so.
    const twice = transaction(db(), (tx) =>
      reserveStock(tx, [
        { skuId: 'rice-a:big', quantity: 1 },
        { skuId: 'rice-a:small', quantity: 4 },
        { skuId: 'rice-a:small', quantity: 4 },
      ]),
    );
    await expect(twice).rejects.toMatchObject({
      code: 'out_of_stock',
      field: 'items[1]',
      message: 'SKU rice-a:small has 7 in stock; 8 asked.',
    });
    expect(await stockOf('rice-a:big')).toBe(2);
    await transaction(db(), (tx) =>
      reserveStock(tx, [
        { skuId: 'rice-a:small', quantity: 4 },
        { skuId: 'rice-a:small', quantity: 3 },
      ]),
    );
    expect(await stockOf('rice-a:small')).toBe(0);
    await transaction(db(), (tx) => releaseStock(tx, [{ skuId: 'rice-a:small', quantity: 7 }]));
  });

  it('never oversell: 20 concurrent orders of one unit against a stock of 7', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        transaction(db(), (tx) => reserveStock(tx, [{ skuId: 'rice-a:small', quantity: 1 }])),
      ),
    );
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason instanceof AppError && o.reason.code === 'out_of_stock',
    ).length;
    expect(succeeded).toBe(7);
    expect(refused).toBe(13);
    expect(await stockOf('rice-a:small')).toBe(0);
  });
});
