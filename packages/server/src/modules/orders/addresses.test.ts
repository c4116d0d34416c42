import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { bearer } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { type Member, signedInMember } from '../../test-support/shopping.js';
import { ADDRESSES_MAX } from './addresses.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
});
afterAll(async () => {
  await t?.close();
});

const addressBody = (n: number) => ({
  recipient: `收件人${n}`,
  phone: '13800138000',
  region: '浙江省 杭州市 西湖区',
  detail: `文三路 ${n} 号`,
});
const save = (member: Member, n: number) =>
  t.app.inject({ method: 'POST', url: '/v1/addresses', headers: bearer(member.token), payload: addressBody(n) });
const saved = async (member: Member) => {
  const response = await t.app.inject({ method: 'GET', url: '/v1/addresses', headers: bearer(member.token) });
  expect(response.statusCode).toBe(200);
  return response.json() as { items: { id: string; recipient: string; detail: string }[] };
};

describe('saved addresses', () => {
  it(`keeps at most ${ADDRESSES_MAX} per buyer: one more is refused and nothing is written`, async () => {
    expect(ADDRESSES_MAX).toBe(20);
    const buyer = await signedInMember(t);
    for (let n = 1; n <= ADDRESSES_MAX; n++) {
      const response = await save(buyer, n);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toEqual({ id: expect.any(String), ...addressBody(n) });
    }
    const before = await tableCounts(t.ctx.database);
    const refused = await save(buyer, ADDRESSES_MAX + 1);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'too_many_addresses', field: 'body' });
    expect(refused.json().error.message).toContain(`${ADDRESSES_MAX}`);
    expect(await tableCounts(t.ctx.database)).toEqual(before);

    // The list keeps its shape: { items: [{ id, recipient, phone, region, detail }] }, oldest first.
    const list = await saved(buyer);
    expect(Object.keys(list)).toEqual(['items']);
    expect(list.items).toHaveLength(ADDRESSES_MAX);
    expect(list.items[0]).toEqual({ id: expect.any(String), ...addressBody(1) });
    expect(list.items.map((a) => a.detail)).toEqual(
      Array.from({ length: ADDRESSES_MAX }, (_, i) => addressBody(i + 1).detail),
    );

    // Another buyer's addresses are their own: the cap is per buyer.
    const other = await signedInMember(t);
    expect((await save(other, 1)).statusCode).toBe(201);
    expect((await saved(other)).items).toHaveLength(1);

    // Deleting one makes room for another; a buyer deletes only their own.
    const first = list.items[0]?.id as string;
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/v1/addresses/${first}`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toMatchObject({ code: 'not_found', field: 'id' });
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/addresses/${first}`,
      headers: bearer(buyer.token),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await save(buyer, ADDRESSES_MAX + 1)).statusCode).toBe(201);
    const after = await saved(buyer);
    expect(after.items).toHaveLength(ADDRESSES_MAX);
    expect(after.items.some((a) => a.id === first)).toBe(false);
    expect(after.items.at(-1)).toMatchObject(addressBody(ADDRESSES_MAX + 1));
  });

  it('never goes above the cap when saves race', async () => {
    const buyer = await signedInMember(t);
    for (let n = 1; n <= ADDRESSES_MAX - 3; n++) expect((await save(buyer, n)).statusCode).toBe(201);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => save(buyer, 100 + i)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    expect((await saved(buyer)).items).toHaveLength(ADDRESSES_MAX);
  });

  it('are described in the OpenAPI document, the list unchanged', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const list = spec.paths['/v1/addresses'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(list.properties)).toEqual(['items']);
    expect(Object.keys(list.properties.items.items.properties).sort()).toEqual([
      'detail',
      'id',
      'phone',
      'recipient',
      'region',
    ]);
    expect(spec.paths['/v1/addresses'].post.responses['409']).toBeDefined();
    expect(spec.paths['/v1/addresses/{id}'].delete.responses['204']).toBeDefined();
  });
});
