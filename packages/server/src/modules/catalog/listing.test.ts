import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../keys.js';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  defineCategory,
  deliverWebhooks,
  productBody,
  riceModel,
  send,
} from '../../test-support/commerce.js';

let t: TestApp;
let producer: KeyPair;
let rival: KeyPair;
let token: string;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  const expert = await accountWithRole(t, 'expert');
  producer = await accountWithRole(t, 'producer');
  rival = await accountWithRole(t, 'producer');
  token = await signIn(t, producer);
  await defineCategory(t, 'grain', { zh: '粮油', en: 'Grain' }, { depositFen: '20000' });
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { parent: 'grain', depositFen: '50000' });
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  await accepted(t, expert, 'catalog.model.published', {
    modelId: 'grain-model',
    version: 1,
    definition: riceModel('grain'),
  });
  await accepted(t, producer, 'catalog.product.published', productBody('rice-a'));
  await accepted(t, producer, 'catalog.product.published', productBody('rice-b'));
  await accepted(
    t,
    producer,
    'catalog.product.published',
    productBody('flour-a', { category: 'grain', model: { id: 'grain-model', version: 1 } }),
  );
});
afterAll(async () => {
  await t?.close();
});

const deposit = (body: Record<string, unknown>, key: string | undefined, session = token) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/catalog/deposits',
    headers: { ...bearer(session), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body,
  });
const myDeposit = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/catalog/deposits', headers: bearer(token) })).json();
const list = (id: string, pair = producer) => send(t, pair, 'catalog.product.listed', { productId: id });

describe('listing needs the deposit of every category listed in', () => {
  it('refuses to list without a deposit, saying how much is needed', async () => {
    const refused = await list('rice-a');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('deposit_required');
    expect(refused.json().error.message).toContain('50000 fen');
    expect(refused.json().error.message).toContain('you hold 0 fen');
    expect(await myDeposit()).toMatchObject({ account: `deposit:${producer.did}`, heldFen: '0', requiredFen: '0' });
  });

  it('takes a deposit by sandbox payment; a failed payment holds nothing', async () => {
    expect((await deposit({ amount: '50000' }, undefined)).json().error.code).toBe('idempotency_key_required');
    const consumerPair = newKeyPair();
    await register(t, consumerPair);
    const consumer = await signIn(t, consumerPair);
    expect((await deposit({ amount: '50000' }, 'deposit-key-c1', consumer)).statusCode).toBe(403);
    expect((await deposit({ amount: '0' }, 'deposit-key-00')).statusCode).toBe(400);

    const failed = await deposit({ amount: '50000', simulate: 'fail' }, 'deposit-key-01');
    expect(failed.statusCode).toBe(201);
    const paid = await deposit({ amount: '50000' }, 'deposit-key-02');
    expect(paid.statusCode).toBe(201);
    expect(paid.json()).toMatchObject({ account: `deposit:${producer.did}`, amountFen: '50000', status: 'created' });
    const replay = await deposit({ amount: '50000' }, 'deposit-key-02');
    expect(replay.json()).toEqual(paid.json());
    expect((await myDeposit()).heldFen).toBe('0');

    expect(await deliverWebhooks(t)).toBe(2);
    expect(await myDeposit()).toMatchObject({
      heldFen: '50000',
      balances: { creditsPending: '50000', creditsPosted: '0', debitsPending: '0', debitsPosted: '0' },
    });
  });

  it('lists once the deposit covers the categories, and asks for more for a new category', async () => {
    expect((await list('rice-a')).json().result).toEqual({ productId: 'rice-a', status: 'listed' });
    expect((await list('rice-a')).json().error.code).toBe('already_listed');
    // A second product in the same category needs nothing more.
    expect((await list('rice-b')).statusCode).toBe(201);
    expect(await myDeposit()).toMatchObject({
      requiredFen: '50000',
      shortfallFen: '0',
      categories: [{ slug: 'rice', depositFen: '50000' }],
    });
    const more = await list('flour-a');
    expect(more.statusCode).toBe(422);
    expect(more.json().error.message).toContain('70000 fen');

    await deposit({ amount: '20000' }, 'deposit-key-03');
    await deliverWebhooks(t);
    expect((await list('flour-a')).statusCode).toBe(201);
    expect(await myDeposit()).toMatchObject({ heldFen: '70000', requiredFen: '70000' });
  });

  it('delists (producer or operator, listed only) and replaces a delisted product; a listed one must be delisted first', async () => {
    const replaceListed = await send(t, producer, 'catalog.product.published', productBody('rice-a'));
    expect(replaceListed.statusCode).toBe(409);
    expect(replaceListed.json().error.code).toBe('product_listed');
    expect((await list('rice-a', rival)).json().error.code).toBe('not_owner');
    const byRival = await send(t, rival, 'catalog.product.delisted', { productId: 'rice-a' });
    expect(byRival.statusCode).toBe(403);
    expect((await accepted(t, producer, 'catalog.product.delisted', { productId: 'rice-a' })).status).toBe('delisted');
    expect((await send(t, producer, 'catalog.product.delisted', { productId: 'rice-a' })).json().error.code).toBe(
      'not_listed',
    );
    expect((await accepted(t, t.operator, 'catalog.product.delisted', { productId: 'rice-b' })).status).toBe(
      'delisted',
    );
    const replaced = await accepted(
      t,
      producer,
      'catalog.product.published',
      productBody('rice-a', { description: '新米上市' }),
    );
    expect(replaced.status).toBe('draft');
    expect((await list('rice-a')).statusCode).toBe(201);
    const own = await t.app.inject({
      method: 'GET',
      url: '/v1/producer/products?status=listed',
      headers: bearer(token),
    });
    expect(own.json().items.map((p: { id: string }) => p.id)).toEqual(['flour-a', 'rice-a']);
  });
});
