import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import { webhookDelivery } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { createAccounts, getAccounts } from '../accounting/ledger.js';
import type { SandboxWebhookDelivery } from './sandbox.js';
import { signWebhook } from './webhook-signature.js';

let t: TestApp;
let token: string;
let delivery: SandboxWebhookDelivery;
let failNext = 0;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  token = await signIn(t, t.operator);
  await transaction(t.ctx.database.db, (tx) =>
    createAccounts(tx, [
      { key: 'escrow:order-1', ledger: 'CNY', code: 'escrow' },
      { key: 'escrow:order-2', ledger: 'CNY', code: 'escrow' },
      { key: 'escrow:order-3', ledger: 'CNY', code: 'escrow' },
    ]),
  );
  // Webhooks go to this app; `failNext` makes the receiver look down for that many attempts.
  delivery = webhookDelivery(t, () => {
    if (failNext === 0) return false;
    failNext--;
    return true;
  });
});
afterAll(async () => {
  await t?.close();
});

const pay = (body: Record<string, unknown>, key: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    payload: body,
  });
const payment = async (id: string) =>
  (
    await t.app.inject({ method: 'GET', url: `/v1/payments/${id}`, headers: { authorization: `Bearer ${token}` } })
  ).json();
const escrow = async (key: string) => (await getAccounts(t.ctx.database.db, [key]))[0];

describe('sandbox payments', () => {
  it('succeed through a signed webhook that puts the money on hold in escrow, retried until delivered', async () => {
    const created = await pay(
      { id: 'pay-1', escrowAccount: 'escrow:order-1', amount: '12900', simulate: 'succeed' },
      'pay-key-0001',
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'created', amount: '12900' });
    failNext = 1;
    expect(await delivery.deliverDue()).toBe(0);
    t.clock.now = new Date(t.clock.now.getTime() + 1_000);
    expect(await delivery.deliverDue()).toBe(1);
    expect(await payment('pay-1')).toMatchObject({ status: 'succeeded', holdTransferId: 'payment:pay-1:hold' });
    expect(await escrow('escrow:order-1')).toMatchObject({ creditsPending: 12_900n, creditsPosted: 0n });
  });

  it('treat a duplicate webhook as harmless and a badly signed one as an error that writes nothing', async () => {
    const [outbox] = (
      (await t.ctx.database.db.execute(
        sql`select body from sandbox_webhook_outbox order by id limit 1`,
      )) as unknown as {
        rows: { body: string }[];
      }
    ).rows;
    const body = outbox?.body as string;
    const send = (signature: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/payments/webhooks/sandbox',
        headers: { 'content-type': 'application/json', 'x-sandbox-signature': signature },
        payload: body,
      });
    const now = Math.floor(t.clock.now.getTime() / 1000);
    const again = await send(signWebhook(t.ctx.sandboxWebhookSecret, now, body));
    expect(again.json()).toEqual({ result: 'duplicate' });
    const before = await tableCounts(t.ctx.database);
    const forged = await send(signWebhook(new Uint8Array(32), now, body));
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('invalid_signature');
    const stale = await send(signWebhook(t.ctx.sandboxWebhookSecret, now - 3_600, body));
    expect(stale.statusCode).toBe(401);
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await escrow('escrow:order-1')).toMatchObject({ creditsPending: 12_900n });
  });

  it('fail without touching the ledger, and time out without a webhook', async () => {
    await pay({ id: 'pay-2', escrowAccount: 'escrow:order-2', amount: '500', simulate: 'fail' }, 'pay-key-0002');
    await pay({ id: 'pay-3', escrowAccount: 'escrow:order-3', amount: '700', simulate: 'timeout' }, 'pay-key-0003');
    await delivery.deliverDue();
    expect(await payment('pay-2')).toMatchObject({ status: 'failed', holdTransferId: null });
    expect(await payment('pay-3')).toMatchObject({ status: 'created' });
    expect(await escrow('escrow:order-2')).toMatchObject({ creditsPending: 0n, creditsPosted: 0n });
  });

  it('refund a held payment in part (the rest stays in escrow), then more of it, never above what was paid', async () => {
    const refund = (amount: string, key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/payments/pay-1/refunds',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
        payload: { amount },
      });
    expect((await refund('13000', 'refund-key-01')).json().error.code).toBe('invalid_refund');
    const first = await refund('2900', 'refund-key-02');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ refunded: '2900' });
    expect(await escrow('escrow:order-1')).toMatchObject({ creditsPending: 0n, creditsPosted: 10_000n });
    expect((await refund('2900', 'refund-key-02')).json()).toEqual(first.json());
    const second = await refund('1000', 'refund-key-03');
    expect(second.json()).toMatchObject({ refunded: '3900' });
    expect(await escrow('escrow:order-1')).toMatchObject({ creditsPosted: 10_000n, debitsPosted: 1_000n });
    expect((await refund('9001', 'refund-key-04')).json().error.code).toBe('invalid_refund');
    // The provider was asked to pay the refund back.
    const [record] = (
      (await t.ctx.database.db.execute(
        sql`select body from sandbox_webhook_outbox where event_id = 'rfd_pay-1-1'`,
      )) as unknown as {
        rows: { body: string }[];
      }
    ).rows;
    expect(JSON.parse(record?.body ?? '{}')).toMatchObject({ type: 'refund.succeeded', data: { amount: '2900' } });
  });

  it('answers webhooks for unknown providers 404 and a well-signed but malformed event 400', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const signature = signWebhook(t.ctx.sandboxWebhookSecret, Math.floor(t.clock.now.getTime() / 1000), body);
    const send = (provider: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/payments/webhooks/${provider}`,
        headers: { 'content-type': 'application/json', 'x-sandbox-signature': signature },
        payload: body,
      });
    expect((await send('nowhere')).statusCode).toBe(404);
    const malformed = await send('sandbox');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid_event');
  });

  it('refuses bad input with clear errors', async () => {
    const zero = await pay({ id: 'pay-z', escrowAccount: 'escrow:order-2', amount: '0' }, 'pay-key-0004');
    expect(zero.statusCode).toBe(400);
    const unknown = await pay({ id: 'pay-u', escrowAccount: 'escrow:nowhere', amount: '10' }, 'pay-key-0005');
    expect(unknown.statusCode).toBe(404);
    const points = await pay(
      { id: 'pay-p', escrowAccount: 'escrow:order-2', amount: '10', ledger: 'POINTS' },
      'pay-key-0006',
    );
    expect(points.json().error.code).toBe('ledger_mismatch');
    const noKey = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { authorization: `Bearer ${token}` },
      payload: { id: 'pay-k', escrowAccount: 'escrow:order-2', amount: '10' },
    });
    expect(noKey.json().error.code).toBe('idempotency_key_required');
  });
});
