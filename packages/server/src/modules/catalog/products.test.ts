import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  defineCategory,
  pngBytes,
  productBody,
  riceModel,
  send,
  uploadImage,
} from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';

let t: TestApp;
let expert: KeyPair;
let producer: KeyPair;
let rival: KeyPair;
let producerToken: string;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  expert = await accountWithRole(t, 'expert');
  producer = await accountWithRole(t, 'producer');
  rival = await accountWithRole(t, 'producer');
  producerToken = await signIn(t, producer);
  await defineCategory(t, 'grain', { zh: '粮油', en: 'Grain' });
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { parent: 'grain' });
  await defineCategory(t, 'tea', { zh: '茶叶', en: 'Tea' });
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 2, definition: riceModel() });
  await accepted(t, expert, 'catalog.model.deprecated', { modelId: 'rice-model', version: 1 });
});
afterAll(async () => {
  await t?.close();
});

const publish = (pair: KeyPair, id: string, overrides: Record<string, unknown> = {}) =>
  send(
    t,
    pair,
    'catalog.product.published',
    productBody(id, { model: { id: 'rice-model', version: 2 }, ...overrides }),
  );
const product = async (id: string, token?: string) =>
  t.app.inject({ method: 'GET', url: `/v1/catalog/products/${id}`, headers: token ? bearer(token) : {} });

describe('catalog.product.published', () => {
  it('creates a draft with its SKUs, claims beside each attribute, seen only by its producer', async () => {
    const image = (await uploadImage(t, producerToken, pngBytes('a'))).json();
    const published = await publish(producer, 'wuchang-rice', { images: [image.sha256] });
    expect(published.statusCode).toBe(201);
    expect(published.json().result).toEqual({
      productId: 'wuchang-rice',
      status: 'draft',
      skuIds: ['wuchang-rice:500g', 'wuchang-rice:5kg'],
    });
    expect((await product('wuchang-rice')).statusCode).toBe(404);
    const page = (await product('wuchang-rice', producerToken)).json();
    expect(page).toMatchObject({
      id: 'wuchang-rice',
      producerDid: producer.did,
      status: 'draft',
      verdict: 'untested',
      title: { zh: '有机大米', en: 'Organic rice' },
      minPriceFen: '2990',
      maxPriceFen: '12800',
      images: [{ sha256: image.sha256, url: `/v1/blobs/${image.sha256}` }],
      skus: [
        { id: 'wuchang-rice:500g', code: '500g', options: { 规格: '500g' }, priceFen: '2990', stock: 10 },
        { id: 'wuchang-rice:5kg', code: '5kg', options: { 规格: '5kg' }, priceFen: '12800', stock: 3 },
      ],
      qualityModel: { id: 'rice-model', version: 2, status: 'published', expertDid: expert.did },
      claims: { moisture: 14.5, organic: true, grade: '一级' },
    });
    expect(page.attributes.map((a: { key: string; claim: unknown }) => [a.key, a.claim])).toEqual([
      ['moisture', 14.5],
      ['organic', true],
      ['grade', '一级'],
    ]);
    const own = await t.app.inject({ method: 'GET', url: '/v1/producer/products', headers: bearer(producerToken) });
    expect(own.json().items.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      ['wuchang-rice', 'draft'],
    ]);
  });

  it('replaces its own draft: SKUs left out are removed', async () => {
    const replaced = await publish(producer, 'wuchang-rice', {
      title: { zh: '五常有机大米' },
      skus: [{ code: '2kg', options: { 规格: '2kg' }, priceFen: '5990', stock: 4 }],
    });
    expect(replaced.statusCode).toBe(201);
    const page = (await product('wuchang-rice', producerToken)).json();
    expect(page.title).toEqual({ zh: '五常有机大米', en: null });
    expect(page.skus.map((s: { id: string }) => s.id)).toEqual(['wuchang-rice:2kg']);
    expect(page).toMatchObject({ minPriceFen: '5990', maxPriceFen: '5990' });
  });

  it.each([
    [
      'a zero price',
      { skus: [{ code: 'a', options: {}, priceFen: '0', stock: 1 }] },
      400,
      'invalid_body',
      'body.skus.0.priceFen',
    ],
    [
      'a negative price',
      { skus: [{ code: 'a', options: {}, priceFen: '-100', stock: 1 }] },
      400,
      'invalid_body',
      'body.skus.0.priceFen',
    ],
    [
      'a negative stock',
      { skus: [{ code: 'a', options: {}, priceFen: '100', stock: -1 }] },
      400,
      'invalid_body',
      'body.skus.0.stock',
    ],
    [
      'a fractional stock',
      { skus: [{ code: 'a', options: {}, priceFen: '100', stock: 1.5 }] },
      400,
      'invalid_body',
      'body.skus.0.stock',
    ],
    ['no SKU', { skus: [] }, 400, 'invalid_body', 'body.skus'],
    [
      'a repeated SKU code',
      {
        skus: [
          { code: 'a', options: {}, priceFen: '100', stock: 1 },
          { code: 'a', options: {}, priceFen: '200', stock: 1 },
        ],
      },
      400,
      'duplicate_sku_code',
      'body.skus[1].code',
    ],
    [
      'a claim out of bounds',
      { claims: { moisture: 140, organic: true } },
      400,
      'claim_out_of_bounds',
      'body.claims.moisture',
    ],
    ['a missing mandatory claim', { claims: { moisture: 14 } }, 400, 'claim_missing', 'body.claims.organic'],
    [
      'an unknown attribute',
      { claims: { moisture: 14, organic: true, colour: 'white' } },
      400,
      'unknown_attribute',
      'body.claims.colour',
    ],
    [
      'a claim of the wrong kind',
      { claims: { moisture: '14', organic: true } },
      400,
      'claim_kind_mismatch',
      'body.claims.moisture',
    ],
    [
      'an unpublished model version',
      { model: { id: 'rice-model', version: 7 } },
      422,
      'model_version_unpublished',
      'body.model',
    ],
    [
      'an unknown model',
      { model: { id: 'no-such-model', version: 1 } },
      422,
      'model_version_unpublished',
      'body.model',
    ],
    [
      'a deprecated model version',
      { model: { id: 'rice-model', version: 1 } },
      422,
      'model_version_deprecated',
      'body.model.version',
    ],
    ['an unknown category', { category: 'fruit' }, 422, 'unknown_category', 'body.category'],
    ['a category outside the model', { category: 'tea' }, 422, 'category_mismatch', 'body.category'],
    ['an image never uploaded', { images: ['ab'.repeat(32)] }, 422, 'unknown_image', 'body.images[0]'],
    ['a blank title', { title: { zh: ' ' } }, 400, 'invalid_body', 'body.title.zh'],
    ['an unknown member', { price: '100' }, 400, 'invalid_body', 'body'],
  ])('refuses %s, writing nothing', async (_name, overrides, status, code, field) => {
    const before = await tableCounts(t.ctx.database);
    const response = await publish(producer, 'refused-rice', overrides);
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, field });
    expect(await tableCounts(t.ctx.database)).toEqual(before);
  });

  it('lists every claim issue at once', async () => {
    const response = await publish(producer, 'refused-rice', { claims: { moisture: -1, colour: 'white' } });
    expect(
      response
        .json()
        .error.details.issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(['body.claims.colour', 'body.claims.moisture', 'body.claims.organic']);
  });

  it("refuses another producer's product and the wrong role", async () => {
    const stolen = await publish(rival, 'wuchang-rice');
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error).toMatchObject({ code: 'not_owner', field: 'body.productId' });
    const byExpert = await publish(expert, 'expert-rice');
    expect(byExpert.statusCode).toBe(403);
    expect(byExpert.json().error.code).toBe('role_required');
  });
});

describe('lots and stock', () => {
  it('registers lots of your product once, dated today or earlier', async () => {
    const today = t.clock.now.toISOString().slice(0, 10);
    const lot = (pair: KeyPair, body: Record<string, unknown>) =>
      send(t, pair, 'catalog.lot.registered', {
        productId: 'wuchang-rice',
        lotId: 'L2026-01',
        productionDate: today,
        quantity: 500,
        ...body,
      });
    expect((await lot(producer, {})).json().result).toEqual({ productId: 'wuchang-rice', lotId: 'L2026-01' });
    expect((await lot(producer, {})).json().error.code).toBe('lot_exists');
    const future = await lot(producer, { lotId: 'L-future', productionDate: '2999-01-01' });
    expect(future.statusCode).toBe(422);
    expect(future.json().error).toMatchObject({ code: 'date_in_future', field: 'body.productionDate' });
    expect((await lot(producer, { lotId: 'L-bad', productionDate: '2025-02-30' })).statusCode).toBe(400);
    expect((await lot(producer, { lotId: 'L-zero', quantity: 0 })).statusCode).toBe(400);
    expect((await lot(rival, { lotId: 'L-rival' })).json().error.code).toBe('not_owner');
    expect((await lot(producer, { productId: 'no-such-rice' })).statusCode).toBe(404);
    await accepted(t, producer, 'catalog.lot.registered', {
      productId: 'wuchang-rice',
      lotId: 'L2025-09',
      productionDate: '2025-09-20',
      quantity: 300,
    });
    const page = (await product('wuchang-rice', producerToken)).json();
    expect(page.lots).toEqual([
      { lotId: 'L2026-01', productionDate: today, quantity: 500 },
      { lotId: 'L2025-09', productionDate: '2025-09-20', quantity: 300 },
    ]);
  });

  it('adjusts the stock of your SKU, never below zero', async () => {
    const adjust = (pair: KeyPair, delta: number, skuId = 'wuchang-rice:2kg') =>
      send(t, pair, 'catalog.stock.adjusted', { skuId, delta });
    expect((await adjust(producer, 6)).json().result).toEqual({ skuId: 'wuchang-rice:2kg', stock: 10 });
    expect((await adjust(producer, -3)).json().result).toEqual({ skuId: 'wuchang-rice:2kg', stock: 7 });
    const short = await adjust(producer, -8);
    expect(short.statusCode).toBe(409);
    expect(short.json().error.code).toBe('insufficient_stock');
    expect((await adjust(producer, 0)).statusCode).toBe(400);
    expect((await adjust(producer, 1.5)).statusCode).toBe(400);
    expect((await adjust(rival, 1)).json().error.code).toBe('not_owner');
    expect((await adjust(producer, 1, 'wuchang-rice:9kg')).statusCode).toBe(404);
    expect((await product('wuchang-rice', producerToken)).json().skus[0].stock).toBe(7);
  });
});

describe('operator moderation', () => {
  it('suspends any product with a reason, reinstates it as delisted; producers cannot', async () => {
    await accepted(
      t,
      producer,
      'catalog.product.published',
      productBody('suspect-rice', { model: { id: 'rice-model', version: 2 } }),
    );
    const byProducer = await send(t, producer, 'catalog.product.suspended', { productId: 'suspect-rice', reason: 'x' });
    expect(byProducer.statusCode).toBe(403);
    const suspended = await accepted(t, t.operator, 'catalog.product.suspended', {
      productId: 'suspect-rice',
      reason: '抽检水分超标',
    });
    expect(suspended).toEqual({ productId: 'suspect-rice', status: 'suspended' });
    expect((await product('suspect-rice')).json()).toMatchObject({
      status: 'suspended',
      suspendedReason: '抽检水分超标',
    });
    const republish = await publish(producer, 'suspect-rice');
    expect(republish.statusCode).toBe(409);
    expect(republish.json().error.code).toBe('product_suspended');
    const list = await send(t, producer, 'catalog.product.listed', { productId: 'suspect-rice' });
    expect(list.json().error.code).toBe('product_suspended');
    const twice = await send(t, t.operator, 'catalog.product.suspended', {
      productId: 'suspect-rice',
      reason: 'again',
    });
    expect(twice.statusCode).toBe(409);

    expect(await accepted(t, t.operator, 'catalog.product.reinstated', { productId: 'suspect-rice' })).toEqual({
      productId: 'suspect-rice',
      status: 'delisted',
    });
    expect((await send(t, t.operator, 'catalog.product.reinstated', { productId: 'suspect-rice' })).statusCode).toBe(
      409,
    );
    expect((await publish(producer, 'suspect-rice')).statusCode).toBe(201);
  });
});
