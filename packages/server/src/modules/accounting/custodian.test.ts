import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import { bearer, deliverWebhooks } from '../../test-support/commerce.js';
import {
  buy,
  completeDelivered,
  type Member,
  refundAfterSale,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { getAccounts } from './ledger.js';

interface Hold {
  transferId: string;
  escrowAccount: string;
  orderId: string | null;
  reference: string | null;
  ledger: string;
  amount: string;
  status: string;
  postedAmount: string | null;
  createdAt: string;
  expiresAt: string | null;
  resolvedAt: string | null;
}
interface HoldPage {
  items: Hold[];
  nextCursor: string | null;
  totals: { ledger: string; count: number; amount: string }[];
}

let t: TestApp;
let producer: Member;
let buyer: Member;
let custodianToken: string;
let operatorToken: string;
/** Orders paid and left alone (one of them twice the size), then one voided, one partly posted, one completed. */
const kept: string[] = [];
let voided: string;
let partly: string;
let completed: string;

const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token === undefined ? {} : bearer(token) });

async function allPages(status: string, token: string, limit: number): Promise<{ pages: number; items: Hold[] }> {
  const items: Hold[] = [];
  let pages = 0;
  for (let after: string | null = null; ; ) {
    const response = await get(
      `/v1/custodian/holds?status=${status}&limit=${limit}${after === null ? '' : `&after=${after}`}`,
      token,
    );
    expect(response.statusCode).toBe(200);
    const page = response.json() as HoldPage;
    pages++;
    items.push(...page.items);
    if (page.nextCursor === null) return { pages, items };
    after = page.nextCursor;
  }
}

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await register(t, t.custodian);
  [custodianToken, operatorToken] = await Promise.all([signIn(t, t.custodian), signIn(t, t.operator)]);
  producer = await riceShop(t, 'hold-rice', 50);
  buyer = await signedInMember(t);
  for (let i = 0; i < 4; i++) kept.push(await buy(t, buyer, 'hold-rice:bag', i === 0 ? 2 : 1));
  voided = await buy(t, buyer, 'hold-rice:bag', 1);
  partly = await buy(t, buyer, 'hold-rice:bag', 2);
  completed = await buy(t, buyer, 'hold-rice:bag', 1);
  // The sandbox's success webhooks put each payment on hold in its order's escrow.
  await deliverWebhooks(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('escrow holds for the custodian', () => {
  it("shows a paid order's hold, with its amount and references, and no party", async () => {
    const response = await get('/v1/custodian/holds?limit=100', custodianToken);
    expect(response.statusCode).toBe(200);
    const page = response.json() as HoldPage;
    const orderId = kept[0] as string;
    const hold = page.items.find((item) => item.orderId === orderId);
    const [escrow] = await getAccounts(t.ctx.database.db, [`escrow:order:${orderId}`]);
    expect(escrow?.creditsPending).toBe(20_000n);
    expect(hold).toMatchObject({
      escrowAccount: `escrow:order:${orderId}`,
      reference: `order-${orderId}`,
      ledger: 'CNY',
      amount: '20000',
      status: 'pending',
      postedAmount: null,
      expiresAt: null,
      resolvedAt: null,
    });
    expect(Number.isNaN(Date.parse(hold?.createdAt ?? ''))).toBe(false);
    expect(page.items.map((item) => item.orderId).sort()).toEqual([...kept, voided, partly, completed].sort());
    expect(response.body).not.toContain(buyer.pair.did);
    expect(response.body).not.toContain(producer.pair.did);
    expect(response.body).not.toContain('王五');
  });

  it('answers 401 without a session and 403 to a buyer, with the typed error', async () => {
    const none = await get('/v1/custodian/holds');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const asBuyer = await get('/v1/custodian/holds', buyer.token);
    expect(asBuyer.statusCode).toBe(403);
    expect(asBuyer.json()).toEqual({ error: { code: 'role_required', message: expect.any(String) } });
    expect((await get('/v1/custodian/releases', buyer.token)).statusCode).toBe(403);
    expect((await get('/v1/custodian/releases')).statusCode).toBe(401);
    const bad = await get('/v1/custodian/holds?status=lost', custodianToken);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { field: expect.stringContaining('status') } });
  });

  it('shows the operator the same holds', async () => {
    const asOperator = await get('/v1/custodian/holds?limit=100', operatorToken);
    expect(asOperator.statusCode).toBe(200);
    const asCustodian = await get('/v1/custodian/holds?limit=100', custodianToken);
    expect(asOperator.json()).toEqual(asCustodian.json());
  });

  it('pages through every pending hold exactly once, and the totals are their sum', async () => {
    const { pages, items } = await allPages('pending', custodianToken, 2);
    expect(pages).toBe(4);
    const ids = items.map((item) => item.transferId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(7);
    const { totals } = (await get('/v1/custodian/holds?limit=1', custodianToken)).json() as HoldPage;
    const sum = items.reduce((total, item) => total + BigInt(item.amount), 0n);
    expect(totals).toEqual([{ ledger: 'CNY', count: 7, amount: sum.toString() }]);
    expect(sum).toBe(90_000n);
  });

  it('no longer lists a hold as pending once it is voided or posted', async () => {
    await refundAfterSale(t, buyer, voided, 'rf-void', 1);
    await refundAfterSale(t, buyer, partly, 'rf-part', 1);
    await shipAndDeliver(t, producer, buyer, completed);
    await completeDelivered(t);

    const pending = await allPages('pending', custodianToken, 3);
    expect(pending.items.map((item) => item.orderId).sort()).toEqual([...kept].sort());
    const { totals } = (await get('/v1/custodian/holds', custodianToken)).json() as HoldPage;
    const sum = pending.items.reduce((total, item) => total + BigInt(item.amount), 0n);
    expect(totals).toEqual([{ ledger: 'CNY', count: 4, amount: sum.toString() }]);
    expect(sum).toBe(50_000n);

    const gone = (await allPages('voided', custodianToken, 10)).items;
    expect(gone).toEqual([
      expect.objectContaining({ orderId: voided, amount: '10000', status: 'voided', postedAmount: null }),
    ]);
    expect(gone[0]?.resolvedAt).not.toBeNull();
    // Paged one at a time, newest hold first; which payment was held first is up to the webhooks.
    const posted = (await allPages('posted', custodianToken, 1)).items;
    expect(posted.map((item) => [item.orderId, item.amount, item.postedAmount]).sort()).toEqual(
      [
        [completed, '10000', '10000'],
        [partly, '20000', '10000'],
      ].sort(),
    );
  });

  it('has no release to sign before crowdfunding lands', async () => {
    const response = await get('/v1/custodian/releases', custodianToken);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ releases: [] });
  });
});
