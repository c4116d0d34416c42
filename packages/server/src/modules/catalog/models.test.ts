import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, defineCategory, riceModel, send } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';

let t: TestApp;
let expert: KeyPair;
let otherExpert: KeyPair;
let producer: KeyPair;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  expert = await accountWithRole(t, 'expert');
  otherExpert = await accountWithRole(t, 'expert');
  producer = await accountWithRole(t, 'producer');
  await defineCategory(t, 'grain', { zh: '粮油', en: 'Grain & oil' });
});
afterAll(async () => {
  await t?.close();
});

const get = async (url: string) => (await t.app.inject({ method: 'GET', url })).json();

describe('catalog.category.defined', () => {
  it('defines and redefines a category (operator only)', async () => {
    expect(
      await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { parent: 'grain', depositFen: '50000' }),
    ).toEqual({ slug: 'rice', created: true });
    const again = await defineCategory(
      t,
      'rice',
      { zh: '稻米', en: 'Rice' },
      { parent: 'grain', depositFen: '80000', splitPolicy: { promoterCommissionBps: 1200 } },
    );
    expect(again).toEqual({ slug: 'rice', created: false });
    const list = await get('/v1/catalog/categories');
    expect(list.items).toContainEqual({
      slug: 'rice',
      name: { zh: '稻米', en: 'Rice' },
      parent: 'grain',
      depositFen: '80000',
      splitPolicy: { promoterCommissionBps: 1200 },
    });

    const byProducer = await send(t, producer, 'catalog.category.defined', {
      slug: 'tea',
      name: { zh: '茶', en: 'Tea' },
      depositFen: '0',
    });
    expect(byProducer.statusCode).toBe(403);
    expect(byProducer.json().error.code).toBe('role_required');
  });

  it('refuses an unknown parent, a cycle, a bad split policy and a negative deposit, writing nothing', async () => {
    const before = await tableCounts(t.ctx.database);
    const define = (body: Record<string, unknown>) =>
      send(t, t.operator, 'catalog.category.defined', {
        slug: 'x1',
        name: { zh: '甲', en: 'X' },
        depositFen: '0',
        ...body,
      });
    const unknownParent = await define({ parent: 'nowhere' });
    expect(unknownParent.statusCode).toBe(422);
    expect(unknownParent.json().error).toMatchObject({ code: 'unknown_category', field: 'body.parent' });
    const cycle = await send(t, t.operator, 'catalog.category.defined', {
      slug: 'grain',
      name: { zh: '粮油', en: 'Grain & oil' },
      parent: 'rice',
      depositFen: '0',
    });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().error.code).toBe('category_cycle');
    const policy = await define({ splitPolicy: { trustFeeBps: -1, bogusBps: 3 } });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().error.field).toMatch(/^body\.splitPolicy\./);
    expect(policy.json().error.details.issues).toHaveLength(2);
    const tooMuch = await define({ splitPolicy: { platformServiceFeeBps: 9000 } });
    expect(tooMuch.json().error).toMatchObject({ code: 'shares_exceed_whole' });
    const negative = await define({ depositFen: '-5' });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error).toMatchObject({ code: 'invalid_body', field: 'body.depositFen' });
    expect(await tableCounts(t.ctx.database)).toEqual({ ...before });
  });
});

describe('quality models', () => {
  it('publishes version 1 (claiming the id) and later versions by the owner only, in order', async () => {
    expect(
      await accepted(t, expert, 'catalog.model.published', {
        modelId: 'rice-model',
        version: 1,
        definition: riceModel(),
      }),
    ).toEqual({ modelId: 'rice-model', version: 1, status: 'published' });
    const skip = await send(t, expert, 'catalog.model.published', {
      modelId: 'rice-model',
      version: 3,
      definition: riceModel(),
    });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().error).toMatchObject({ code: 'version_out_of_order', field: 'body.version' });
    const again = await send(t, expert, 'catalog.model.published', {
      modelId: 'rice-model',
      version: 1,
      definition: riceModel(),
    });
    expect(again.json().error.code).toBe('version_out_of_order');
    const stranger = await send(t, otherExpert, 'catalog.model.published', {
      modelId: 'rice-model',
      version: 2,
      definition: riceModel(),
    });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.code).toBe('not_owner');
    const v2 = { ...riceModel(), standards: ['GB/T 1354-2018', 'GB 2762-2022'] };
    await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 2, definition: v2 });

    const model = await get('/v1/catalog/models/rice-model');
    expect(model.ownerDid).toBe(expert.did);
    expect(model.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'published'],
      [2, 'published'],
    ]);
    expect(model.versions[1].definition.standards).toEqual(['GB/T 1354-2018', 'GB 2762-2022']);
    expect(model.versions[0].definition.attributes[0]).toMatchObject({ key: 'moisture', min: 0, max: 100 });
  });

  it('refuses a wrong role, an invalid definition and an unknown category', async () => {
    const byProducer = await send(t, producer, 'catalog.model.published', {
      modelId: 'p-model',
      version: 1,
      definition: riceModel(),
    });
    expect(byProducer.statusCode).toBe(403);
    const bad = riceModel();
    (bad.attributes[0] as { min?: number }).min = 200;
    const invalid = await send(t, expert, 'catalog.model.published', {
      modelId: 'bad-model',
      version: 1,
      definition: bad,
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.field).toMatch(/^body\.definition\.attributes\[0\]/);
    expect(invalid.json().error.details.issues.length).toBeGreaterThan(0);
    const unknown = await send(t, expert, 'catalog.model.published', {
      modelId: 'tea-model',
      version: 1,
      definition: riceModel('tea'),
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error).toMatchObject({ code: 'unknown_category', field: 'body.definition.category' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/catalog/models/tea-model' })).statusCode).toBe(404);
  });

  it('deprecates a version (owner only, once) and lists models by category', async () => {
    const stranger = await send(t, otherExpert, 'catalog.model.deprecated', { modelId: 'rice-model', version: 1 });
    expect(stranger.statusCode).toBe(403);
    expect(await accepted(t, expert, 'catalog.model.deprecated', { modelId: 'rice-model', version: 1 })).toEqual({
      modelId: 'rice-model',
      version: 1,
      status: 'deprecated',
    });
    const twice = await send(t, expert, 'catalog.model.deprecated', { modelId: 'rice-model', version: 1 });
    expect(twice.statusCode).toBe(409);
    const missing = await send(t, expert, 'catalog.model.deprecated', { modelId: 'rice-model', version: 9 });
    expect(missing.statusCode).toBe(404);

    await accepted(t, otherExpert, 'catalog.model.published', {
      modelId: 'grain-basic',
      version: 1,
      definition: riceModel('grain'),
    });
    const inGrain = await get('/v1/catalog/models?category=grain');
    expect(inGrain.items.map((m: { id: string }) => m.id)).toEqual(['grain-basic', 'rice-model']);
    // An expert's own models: the expert console's list.
    const mine = await get(`/v1/catalog/models?owner=${encodeURIComponent(otherExpert.did)}`);
    expect(mine.items.map((m: { id: string; ownerDid: string }) => [m.id, m.ownerDid])).toEqual([
      ['grain-basic', otherExpert.did],
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/catalog/models?owner=alice' })).statusCode).toBe(400);
    const inRice = await get('/v1/catalog/models?category=rice');
    expect(inRice.items).toEqual([
      expect.objectContaining({ id: 'rice-model', latestVersion: 2, status: 'published', category: 'rice' }),
    ]);
    const firstPage = await get('/v1/catalog/models?limit=1');
    expect(firstPage.items).toHaveLength(1);
    const secondPage = await get(`/v1/catalog/models?limit=1&cursor=${firstPage.nextCursor}`);
    expect(secondPage.items[0].id).not.toBe(firstPage.items[0].id);
    expect((await t.app.inject({ method: 'GET', url: '/v1/catalog/models?cursor=zzz' })).json().error.code).toBe(
      'invalid_cursor',
    );
  });
});
