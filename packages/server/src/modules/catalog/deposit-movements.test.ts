import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import {
  accepted,
  accountWithRole,
  bearer,
  defineCategory,
  deliverWebhooks,
  productBody,
  riceModel,
} from '../../test-support/commerce.js';
import { signedInMember } from '../../test-support/shopping.js';
import { cutDeposit, restoreDeposit } from './deposits.js';

let t: TestApp;
let producer: KeyPair;
let token: string;
let rivalToken: string;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await defineCategory(t, 'rice', { zh: '大米', en: 'Rice' }, { depositFen: '50000' });
  const expert = await accountWithRole(t, 'expert');
  await accepted(t, expert, 'catalog.model.published', { modelId: 'rice-model', version: 1, definition: riceModel() });
  producer = await accountWithRole(t, 'producer');
  token = await signIn(t, producer);
  rivalToken = await signIn(t, await accountWithRole(t, 'producer'));
  await accepted(t, producer, 'catalog.product.published', productBody('rice-d'));
});
afterAll(async () => {
  await t?.close();
});

let keys = 0;
const topUp = async (amount: string, simulate?: 'fail') => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/catalog/deposits',
    headers: { ...bearer(token), 'idempotency-key': `movements-top-up-${keys++}` },
    payload: { amount, ...(simulate === undefined ? {} : { simulate }) },
  });
  expect(response.statusCode, response.body).toBe(201);
  await deliverWebhooks(t);
  return response.json().paymentId as string;
};
const movements = (query = '', session = token) =>
  t.app.inject({ method: 'GET', url: `/v1/catalog/deposits/movements${query}`, headers: bearer(session) });
const allMovements = async () => {
  const response = await movements('?limit=100');
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    account: string;
    items: { type: string; direction: string; amountFen: string; state: string | null; reference: string | null }[];
    nextCursor: string | null;
  };
};

describe("a producer's deposit movements", () => {
  it('show the top-up, nothing for listing and delisting, then cuts and paybacks, in order', async () => {
    expect(await allMovements()).toEqual({ account: `deposit:${producer.did}`, items: [], nextCursor: null });
    await topUp('50000', 'fail'); // a failed payment moves nothing
    const first = await topUp('50000');
    const topUpLine = {
      type: 'top_up',
      direction: 'in',
      amountFen: '50000',
      kind: 'pending',
      code: 'payment',
      state: 'pending',
      reference: first,
      transferId: `payment:${first}:hold`,
      createdAt: expect.any(String),
    };
    expect((await allMovements()).items).toEqual([topUpLine]);

    // Listing needs the deposit but holds nothing of it on the ledger; delisting releases nothing.
    await accepted(t, producer, 'catalog.product.listed', { productId: 'rice-d' });
    expect((await allMovements()).items).toEqual([topUpLine]);
    await accepted(t, producer, 'catalog.product.delisted', { productId: 'rice-d' });
    expect((await allMovements()).items).toEqual([topUpLine]);

    const second = await topUp('20000');
    // A cut (as a low rating or a failed verdict makes) posts the top-ups' holds, then takes its
    // share; an appeal that overturns the verdict pays it back.
    const now = t.clock.now;
    await transaction(t.ctx.database.db, (tx) =>
      cutDeposit(t.ctx, tx, {
        producer: producer.did,
        amountFen: 5_000n,
        transferId: 'cut-1',
        reference: 'round-1',
        now,
      }),
    );
    await transaction(t.ctx.database.db, (tx) =>
      restoreDeposit(tx, {
        producer: producer.did,
        amountFen: 5_000n,
        transferId: 'payback-1',
        reference: 'round-1',
        now,
      }),
    );
    const lines = (await allMovements()).items.map(({ type, direction, amountFen, state, reference }) => ({
      type,
      direction,
      amountFen,
      state,
      reference,
    }));
    expect(lines).toHaveLength(6);
    expect(lines.slice(0, 2)).toEqual([
      { type: 'top_up', direction: 'in', amountFen: '50000', state: 'posted', reference: first },
      { type: 'top_up', direction: 'in', amountFen: '20000', state: 'posted', reference: second },
    ]);
    // The cut posts the holds one payment after another (by payment id, so in no set order).
    expect(lines.slice(2, 4)).toEqual(
      expect.arrayContaining([
        { type: 'top_up_received', direction: 'in', amountFen: '50000', state: null, reference: first },
        { type: 'top_up_received', direction: 'in', amountFen: '20000', state: null, reference: second },
      ]),
    );
    expect(lines.slice(4)).toEqual([
      { type: 'cut', direction: 'out', amountFen: '5000', state: null, reference: 'round-1' },
      { type: 'cut_restored', direction: 'in', amountFen: '5000', state: null, reference: 'round-1' },
    ]);
    const held = (await t.app.inject({ method: 'GET', url: '/v1/catalog/deposits', headers: bearer(token) })).json();
    expect(held.heldFen).toBe('70000');
  });

  it('come by pages: a cursor and a limit', async () => {
    const { items: all } = await allMovements();
    expect(all).toHaveLength(6);
    const seen: typeof all = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await movements(`?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(seen).toEqual(all);
    // A page that ends exactly at the last movement says so.
    expect((await movements('?limit=6')).json().nextCursor).toBeNull();

    const forged = await movements('?cursor=bm90LWEtY3Vyc29y');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toMatchObject({ code: 'invalid_cursor', field: 'querystring.cursor' });
    expect((await movements('?limit=0')).statusCode).toBe(400);
    expect((await movements('?limit=101')).statusCode).toBe(400);
  });

  it('are the signed-in producer’s own: another producer sees only theirs, a non-producer nothing', async () => {
    const rival = await movements('', rivalToken);
    expect(rival.statusCode).toBe(200);
    expect(rival.json().items).toEqual([]);
    expect(rival.json().account).not.toBe(`deposit:${producer.did}`);
    // Nor through the ledger's own statement of the account.
    const statement = await t.app.inject({
      method: 'GET',
      url: `/v1/ledger/accounts/deposit:${producer.did}/statement`,
      headers: bearer(rivalToken),
    });
    expect(statement.statusCode).toBe(403);
    const consumer = await signedInMember(t);
    const refused = await movements('', consumer.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('role_required');
    expect((await t.app.inject({ method: 'GET', url: '/v1/catalog/deposits/movements' })).statusCode).toBe(401);
  });

  it('are described in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const get = spec.paths['/v1/catalog/deposits/movements'].get;
    expect(get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit']);
    const body = get.responses['200'].content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual(['account', 'items', 'nextCursor']);
    expect(body.properties.items.items.properties.type.enum).toEqual([
      'top_up',
      'top_up_received',
      'refund',
      'cut',
      'cut_restored',
      'other',
    ]);
  });
});
