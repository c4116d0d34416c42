import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import { createAccounts, createTransfers } from './ledger.js';

let t: TestApp;
const alice = newKeyPair();
const bob = newKeyPair();
let aliceToken: string;
let bobToken: string;
let operatorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  for (const pair of [alice, bob, t.operator]) await register(t, pair);
  [aliceToken, bobToken, operatorToken] = await Promise.all([signIn(t, alice), signIn(t, bob), signIn(t, t.operator)]);
  await transaction(t.ctx.database.db, async (tx) => {
    await createAccounts(tx, [
      { key: 'payable:alice', ledger: 'CNY', code: 'payable', owner: alice.did },
      { key: 'escrow:o1', ledger: 'CNY', code: 'escrow' },
    ]);
    await createTransfers(
      tx,
      Array.from({ length: 5 }, (_, i) => ({
        id: `pay-${i}`,
        debitAccount: 'escrow:o1',
        creditAccount: 'payable:alice',
        amount: 1_000n + BigInt(i),
        code: 'settlement',
        reference: i === 0 ? '=HYPERLINK("x")' : `order-${i}`,
      })),
      new Date(),
    );
  });
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('ledger reads', () => {
  it('shows the owner and the operator an account, and no one else', async () => {
    const own = await get('/v1/ledger/accounts/payable:alice', aliceToken);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      key: 'payable:alice',
      creditsPosted: '5010',
      debitsPosted: '0',
      balance: '5010',
      owner: alice.did,
    });
    expect((await get('/v1/ledger/accounts/payable:alice', operatorToken)).statusCode).toBe(200);
    expect((await get('/v1/ledger/accounts/payable:alice', bobToken)).statusCode).toBe(403);
    expect((await get('/v1/ledger/accounts/payable:alice')).statusCode).toBe(401);
    expect((await get('/v1/ledger/accounts/nobody', operatorToken)).statusCode).toBe(404);
    expect((await get('/v1/ledger/accounts/bad%20key', operatorToken)).statusCode).toBe(400);
  });

  it('pages through the statement', async () => {
    const first = (await get('/v1/ledger/accounts/payable:alice/statement?limit=2', aliceToken)).json();
    expect(first.items.map((i: { transferId: string }) => i.transferId)).toEqual(['pay-0', 'pay-1']);
    expect(first.items[0]).toMatchObject({ side: 'credit', counterparty: 'escrow:o1', amount: '1000', kind: 'single' });
    const rest = (
      await get(`/v1/ledger/accounts/payable:alice/statement?limit=10&after=${first.nextCursor}`, aliceToken)
    ).json();
    expect(rest.items).toHaveLength(3);
    expect(rest.nextCursor).toBeNull();
  });

  it('exports the statement as CSV, with spreadsheet formulas defused', async () => {
    const csv = await get('/v1/ledger/accounts/payable:alice/statement.csv', aliceToken);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,transfer_id,created_at,kind,code,reference,side,counterparty,amount_minor_units,state');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[2]).toMatch(/,pay-1,.*,single,settlement,order-1,credit,escrow:o1,1001,$/);
  });
});

describe('moving money over HTTP', () => {
  const post = (body: unknown, token: string, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: { authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload: body as Record<string, unknown>,
    });
  const hold = {
    transfers: [
      {
        id: 'http-hold-1',
        debitAccount: 'escrow:o1',
        creditAccount: 'payable:alice',
        amount: '700',
        code: 'order',
        pending: true,
      },
    ],
  };

  it('takes a batch from the operator with an idempotency key, and answers a retry with the first result', async () => {
    const first = await post(hold, operatorToken, 'ledger-key-0001');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      results: [{ id: 'http-hold-1', status: 'created', kind: 'pending', amount: '700' }],
    });
    const again = await post(hold, operatorToken, 'ledger-key-0001');
    expect(again.json()).toEqual(first.json());
    const posted = await post(
      { transfers: [{ id: 'http-post-1', postPending: 'http-hold-1', amount: '500', code: 'settle' }] },
      operatorToken,
      'ledger-key-0002',
    );
    expect(posted.json().results[0]).toMatchObject({ kind: 'post', amount: '500' });
    expect((await get('/v1/ledger/accounts/payable:alice', aliceToken)).json()).toMatchObject({
      creditsPosted: '5510',
      creditsPending: '0',
    });
  });

  it('refuses requests without a key, from others than the operator, and bad amounts', async () => {
    expect((await post(hold, operatorToken)).json().error.code).toBe('idempotency_key_required');
    expect((await post(hold, aliceToken, 'ledger-key-0003')).statusCode).toBe(403);
    const zero = await post(
      { transfers: [{ ...hold.transfers[0], id: 'z', amount: '0' }] },
      operatorToken,
      'ledger-key-0004',
    );
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.field).toBe('body.transfers.0.amount');
    const overdraw = await post(
      { transfers: [{ id: 'http-void', voidPending: 'http-hold-1', code: 'refund' }] },
      operatorToken,
      'ledger-key-0005',
    );
    expect(overdraw.statusCode).toBe(409);
    expect(overdraw.json().error.code).toBe('pending_already_posted');
  });
});
