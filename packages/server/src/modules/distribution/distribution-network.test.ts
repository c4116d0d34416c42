import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, grantRole } from '../../test-support/commerce.js';
import {
  buy,
  completeDelivered,
  DAY_MS,
  type Member,
  riceShop,
  shipAndDeliver,
  signedInMember,
} from '../../test-support/shopping.js';
import { boundCustomers } from './network.js';
import { distributionPolicy } from './policy.js';

let t: TestApp;
let producer: Member;

const member = () => signedInMember(t);

async function named(displayName: string): Promise<Member> {
  const pair = newKeyPair();
  // A phone number given at sign-up must never reach a promoter's lists.
  await register(t, pair, { displayName, phone: '+86 138 0013 8000', email: 'private@example.com' });
  return { pair, token: await signIn(t, pair) };
}

async function promoter(m?: Member): Promise<Member> {
  const p = m ?? (await member());
  await grantRole(t, p.pair, 'promoter');
  return p;
}

const linkOf = async (owner: Member, body: Record<string, unknown>) =>
  String((await accepted(t, owner.pair, 'distribution.link.created', body)).code);
const arrive = (consumer: Member, code: string) => accepted(t, consumer.pair, 'distribution.binding.created', { code });

const get = (url: string, m?: Member) =>
  t.app.inject({ method: 'GET', url, ...(m === undefined ? {} : { headers: bearer(m.token) }) });

interface Page {
  items: Record<string, unknown>[];
  nextCursor: string | null;
}

/** Every page of a list, `limit` at a time. */
async function all(
  path: string,
  m: Member,
  limit: number,
): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const response = await get(`${path}?${query}`, m);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as Page;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 20);
  return { items, pages };
}

const CUSTOMER_FIELDS = ['boundAt', 'boundUntil', 'commissionFen', 'completedOrders', 'did', 'displayName', 'link'];
const MEMBER_FIELDS = ['did', 'displayName', 'joinedAt', 'level', 'members', 'ownSalesFen', 'teamSalesFen'];

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-n', 100);
});
afterAll(async () => {
  await t?.close();
});

describe("a promoter's customers and team", () => {
  it('lists exactly the customers bound to me, with their orders and my commission, page by page', async () => {
    const seller = await promoter();
    const other = await promoter();
    const productLink = await linkOf(seller, { kind: 'product', productId: 'rice-n' });
    const inviteLink = await linkOf(seller, { kind: 'invite' });

    const li = await named('小李');
    const quiet = await member();
    const third = await member();
    const elsewhere = await member();
    await arrive(li, productLink);
    await arrive(quiet, inviteLink);
    await arrive(third, productLink);
    await arrive(elsewhere, await linkOf(other, { kind: 'invite' }));

    const orderId = await buy(t, li, 'rice-n:bag', 2);
    await shipAndDeliver(t, producer, li, orderId);
    await completeDelivered(t);
    // An order still in transit is neither completed nor earning yet.
    await buy(t, third, 'rice-n:bag', 1);

    const { items, pages } = await all('/v1/distribution/me/customers', seller, 1);
    expect(pages).toBe(3);
    expect(items.map((c) => c.did).sort()).toEqual([li.pair.did, quiet.pair.did, third.pair.did].sort());
    for (const item of items) expect(Object.keys(item).sort()).toEqual(CUSTOMER_FIELDS);
    expect(JSON.stringify(items)).not.toMatch(/138|private@example|王五|13700137000|文一西路/);

    const byDid = new Map(items.map((c) => [c.did, c]));
    expect(byDid.get(li.pair.did)).toMatchObject({
      displayName: '小李',
      // The default policy binds for good: no end date.
      boundUntil: null,
      link: { code: productLink, kind: 'product', productId: 'rice-n', producer: null },
      completedOrders: 1,
      // 10% direct commission on ¥200.
      commissionFen: '2000',
    });
    expect(byDid.get(quiet.pair.did)).toMatchObject({
      displayName: null,
      link: { code: inviteLink, kind: 'invite', productId: null },
      completedOrders: 0,
      commissionFen: '0',
    });
    expect(byDid.get(third.pair.did)).toMatchObject({ completedOrders: 0, commissionFen: '0' });
    expect(Number.isNaN(Date.parse(String(byDid.get(li.pair.did)?.boundAt)))).toBe(false);

    const whole = (await get('/v1/distribution/me/customers', seller)).json() as Page;
    expect(whole.items).toHaveLength(3);
    expect(whole.nextCursor).toBeNull();
    const others = (await get('/v1/distribution/me/customers', other)).json() as Page;
    expect(others.items.map((c) => c.did)).toEqual([elsewhere.pair.did]);

    // Under a last-click policy a binding lapses the window after its last click, and says when.
    const lastClick = { ...distributionPolicy(t.ctx), bindingMode: 'last_click' as const, lastClickWindowDays: 30 };
    const db = t.ctx.database.db;
    const clicked = new Date(String(byDid.get(li.pair.did)?.boundAt)).getTime();
    const within = await boundCustomers(db, seller.pair.did, new Date(clicked + 29 * DAY_MS), lastClick, { limit: 10 });
    expect(within.items.find((c) => c.did === li.pair.did)?.boundUntil).toBe(
      new Date(clicked + 30 * DAY_MS).toISOString(),
    );
    const lapsed = await boundCustomers(db, seller.pair.did, new Date(clicked + 31 * DAY_MS), lastClick, { limit: 10 });
    expect(lapsed.items).toEqual([]);
  });

  it('lists my direct team, not their teams, with their figures and member counts', async () => {
    const lead = await promoter(await named('赵敏'));
    const invite = await linkOf(lead, { kind: 'invite' });
    const first = await named('周杰');
    await arrive(first, invite);
    await promoter(first);
    const second = await member();
    await arrive(second, invite);
    await promoter(second);
    // The second brings a promoter of their own: in the second's team, counted, but not the lead's.
    const grand = await member();
    await arrive(grand, await linkOf(second, { kind: 'invite' }));
    await promoter(grand);
    // Bound to the lead as a customer but not a promoter: not a team member.
    await arrive(await member(), invite);

    const sale = await linkOf(first, { kind: 'product', productId: 'rice-n' });
    const buyer = await member();
    await arrive(buyer, sale);
    const orderId = await buy(t, buyer, 'rice-n:bag', 1);
    await shipAndDeliver(t, producer, buyer, orderId);
    await completeDelivered(t);

    const { items, pages } = await all('/v1/distribution/me/team', lead, 1);
    expect(pages).toBe(2);
    expect(items.map((m) => m.did).sort()).toEqual([first.pair.did, second.pair.did].sort());
    for (const item of items) expect(Object.keys(item).sort()).toEqual(MEMBER_FIELDS);
    expect(JSON.stringify(items)).not.toMatch(/138|private@example/);
    const byDid = new Map(items.map((m) => [m.did, m]));
    expect(byDid.get(first.pair.did)).toMatchObject({
      displayName: '周杰',
      level: 'promoter',
      ownSalesFen: '10000',
      teamSalesFen: '0',
      members: 0,
    });
    expect(byDid.get(second.pair.did)).toMatchObject({ displayName: null, ownSalesFen: '0', members: 1 });

    const secondTeam = (await get('/v1/distribution/me/team', second)).json() as Page;
    expect(secondTeam.items.map((m) => m.did)).toEqual([grand.pair.did]);
    // The lead earned no commission from the first's buyer directly, and that buyer is not the lead's customer.
    const leadCustomers = (await get('/v1/distribution/me/customers', lead)).json() as Page;
    expect(leadCustomers.items.map((c) => c.did)).not.toContain(buyer.pair.did);
  });

  it('gives an account that is no promoter empty lists, and no one without a session anything', async () => {
    const plain = await member();
    for (const path of ['/v1/distribution/me/customers', '/v1/distribution/me/team']) {
      const response = await get(path, plain);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ items: [], nextCursor: null });
      const anonymous = await get(path);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBeTypeOf('string');
      const bad = await get(`${path}?cursor=not*a*cursor`, plain);
      expect(bad.statusCode).toBe(400);
      const tooMany = await get(`${path}?limit=1000`, plain);
      expect(tooMany.statusCode).toBe(400);
    }
  });
});
