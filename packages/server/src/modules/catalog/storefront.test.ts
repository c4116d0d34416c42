import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, defineCategory, productBody, riceModel } from '../../test-support/commerce.js';

let t: TestApp;
let producer: KeyPair;

const PRODUCTS: [id: string, category: string, zh: string, en: string, priceFen: string][] = [
  ['p-organic-rice', 'rice', '有机大米', 'Organic rice', '2990'],
  ['p-millet', 'millet', '小米', 'Yellow millet', '1590'],
  ['p-rice-noodle', 'rice', '米粉', 'Rice noodles', '990'],
  ['p-jasmine', 'rice', '泰国香米', 'Jasmine rice', '4590'],
  ['p-black-rice', 'rice', '黑米', 'Black rice', '3590'],
  ['p-oil', 'grain', '花生油', 'Peanut oil', '8900'],
];

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  const expert = await accountWithRole(t, 'expert');
  producer = await accountWithRole(t, 'producer');
  await defineCategory(t, 'grain', { zh: '粮油', en: 'Grain and oil' });
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { parent: 'grain' });
  await defineCategory(t, 'millet', { zh: '杂粮', en: 'Coarse cereals' }, { parent: 'grain' });
  // A model name without 米 or rice, so that searches below only find product texts.
  const definition = { ...riceModel('grain'), name: { zh: '谷物质量模型', en: 'Cereal quality model' } };
  await accepted(t, expert, 'catalog.model.published', { modelId: 'grain-model', version: 1, definition });
  for (const [id, category, zh, en, priceFen] of PRODUCTS) {
    await accepted(
      t,
      producer,
      'catalog.product.published',
      productBody(id, {
        category,
        title: { zh, en },
        description: `${zh}，产地直发。`,
        model: { id: 'grain-model', version: 1 },
        skus: [{ code: 'std', options: {}, priceFen, stock: 5 }],
      }),
    );
    await accepted(t, producer, 'catalog.product.listed', { productId: id });
  }
  await accepted(
    t,
    producer,
    'catalog.product.published',
    productBody('p-draft-rice', {
      title: { zh: '有机大米（草稿）', en: 'Draft rice' },
      model: { id: 'grain-model', version: 1 },
    }),
  );
});
afterAll(async () => {
  await t?.close();
});

const search = async (query: string) => {
  const response = await t.app.inject({ method: 'GET', url: `/v1/catalog/products?${query}` });
  expect(response.statusCode).toBe(200);
  return response.json() as { items: { id: string }[]; nextCursor: string | null };
};
const ids = async (query: string) => (await search(query)).items.map((p) => p.id);
const q = (text: string) => `q=${encodeURIComponent(text)}`;

describe('search', () => {
  it('finds 有机大米 by 大米 and by rice, not by 小米, and never a draft', async () => {
    expect(await ids(q('大米'))).toContain('p-organic-rice');
    expect(await ids(q('rice'))).toContain('p-organic-rice');
    expect(await ids(q('Organic RICE'))).toEqual(['p-organic-rice']);
    expect(await ids(q('有机大米'))).toEqual(['p-organic-rice']);
    expect(await ids(q('小米'))).toEqual(['p-millet']);
    expect(await ids(q('大米'))).not.toContain('p-draft-rice');
    expect(await ids(q('抹茶'))).toEqual([]);
  });

  it('matches a single character, full-width input and category names', async () => {
    expect((await ids(q('米'))).sort()).toEqual(
      ['p-black-rice', 'p-jasmine', 'p-millet', 'p-organic-rice', 'p-rice-noodle'].sort(),
    );
    expect(await ids(q('ＪＡＳＭＩＮＥ'))).toEqual(['p-jasmine']);
    // "粮油" is the name of the parent category of every product here.
    expect(await ids(q('粮油'))).toHaveLength(PRODUCTS.length);
    expect(await ids(q('杂粮'))).toEqual(['p-millet']);
    // …and the model's name.
    expect(await ids(q('cereal'))).toHaveLength(PRODUCTS.length);
  });

  it('follows a category rename into the search', async () => {
    await defineCategory(t, 'millet', { zh: '五谷杂粮', en: 'Whole grains' }, { parent: 'grain' });
    expect(await ids(q('五谷'))).toEqual(['p-millet']);
    expect(await ids(q('coarse'))).toEqual([]);
  });

  it('ranks by relevance, then id, across pages', async () => {
    // 有机大米 says 大米 in its title and description; the others only in their category's name.
    expect(await ids(q('大米'))).toEqual(['p-organic-rice', 'p-black-rice', 'p-jasmine', 'p-rice-noodle']);
    for (const [text, limit] of [
      ['rice', 2],
      ['大米', 1],
      ['米', 3],
    ] as const) {
      const all = await ids(`${q(text)}&limit=100`);
      expect(all.length).toBeGreaterThan(limit);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await search(`${q(text)}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        paged.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(paged).toEqual(all);
    }
  });
});

describe('browsing', () => {
  it('pages through listed products by id with an opaque cursor', async () => {
    const first = await search('limit=4');
    expect(first.items.map((p) => p.id)).toEqual(['p-black-rice', 'p-jasmine', 'p-millet', 'p-oil']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await search(`limit=4&cursor=${first.nextCursor}`);
    expect(second.items.map((p) => p.id)).toEqual(['p-organic-rice', 'p-rice-noodle']);
    expect(second.nextCursor).toBeNull();
    const bad = await t.app.inject({ method: 'GET', url: '/v1/catalog/products?cursor=bm9wZQ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_cursor');
    expect((await t.app.inject({ method: 'GET', url: '/v1/catalog/products?limit=101' })).statusCode).toBe(400);
  });

  it('filters by category (with the categories below it), price and verdict', async () => {
    expect(await ids('category=rice')).toEqual(['p-black-rice', 'p-jasmine', 'p-organic-rice', 'p-rice-noodle']);
    expect(await ids('category=grain')).toHaveLength(PRODUCTS.length);
    expect(await ids('category=fruit')).toEqual([]);
    expect(await ids('minPrice=3000&maxPrice=5000')).toEqual(['p-black-rice', 'p-jasmine']);
    expect(await ids(`category=rice&maxPrice=2990&${q('米')}`)).toEqual(
      expect.arrayContaining(['p-organic-rice', 'p-rice-noodle']),
    );
    // The consensus issue sets verdicts; here the column is set directly.
    await t.ctx.database.db.execute(sql`update catalog_products set verdict = 'passed' where id = 'p-jasmine'`);
    expect(await ids('verdict=passed')).toEqual(['p-jasmine']);
    expect((await search('verdict=passed')).items[0]).toMatchObject({ verdict: 'passed', minPriceFen: '4590' });
  });

  it('shows a listed product to anyone, with the producer DID', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/v1/catalog/products/p-organic-rice' });
    expect(page.json()).toMatchObject({ id: 'p-organic-rice', status: 'listed', producerDid: producer.did });
  });

  it('documents every catalog route in the OpenAPI document', async () => {
    const paths = Object.keys((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/catalog/categories',
        '/v1/catalog/models',
        '/v1/catalog/models/{id}',
        '/v1/catalog/products',
        '/v1/catalog/products/{id}',
        '/v1/producer/products',
        '/v1/catalog/deposits',
        '/v1/catalog/images',
        '/v1/blobs/{sha256}',
      ]),
    );
  });
});
