import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import { webhookDelivery } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { createAccounts, createTransfers, getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { reconcileOpenPayouts } from './payouts.js';
import type { SandboxWebhookDelivery } from './sandbox.js';
import { reconcileOpenPayments } from './service.js';

let t: TestApp;
let operatorToken: string;
let aliceToken: string;
let delivery: SandboxWebhookDelivery;
const alice = newKeyPair();

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  await register(t, alice);
  operatorToken = await signIn(t, t.operator);
  aliceToken = await signIn(t, alice);
  await transaction(t.ctx.database.db, (tx) =>
    createAccounts(tx, [
      { key: 'source', ledger: 'CNY', code: 'revenue' },
      { key: 'wallet:alice', ledger: 'CNY', code: 'payable', owner: alice.did, debitsMustNotExceedCredits: true },
      { key: 'escrow:alice', ledger: 'CNY', code: 'escrow', owner: alice.did },
      { key: 'escrow:r1', ledger: 'CNY', code: 'escrow' },
      { key: 'escrow:r2', ledger: 'CNY', code: 'escrow' },
    ]),
  );
  await transaction(t.ctx.database.db, (tx) =>
    createTransfers(
      tx,
      [{ id: 'fund-alice', debitAccount: 'source', creditAccount: 'wallet:alice', amount: 10_000n, code: 'sale' }],
      t.clock.now,
    ),
  );
  delivery = webhookDelivery(t);
});
afterAll(async () => {
  await t?.close();
});

const withdraw = (token: string, body: Record<string, unknown>, key: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/payouts',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    payload: { destination: 'sandbox-card-6222', ...body },
  });
const wallet = async () => (await getAccounts(t.ctx.database.db, ['wallet:alice']))[0];
const payout = async (id: string, token = aliceToken) =>
  (
    await t.app.inject({ method: 'GET', url: `/v1/payouts/${id}`, headers: { authorization: `Bearer ${token}` } })
  ).json();

describe('payouts', () => {
  it('hold the amount at once, and post it when the provider reports the money sent', async () => {
    const created = await withdraw(aliceToken, { id: 'po-1', account: 'wallet:alice', amount: '3000' }, 'po-key-0001');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'created', amount: '3000', holdTransferId: 'payout:po-1:hold' });
    expect(await wallet()).toMatchObject({ debitsPending: 3_000n, debitsPosted: 0n });
    // The same request again is the same payout.
    const again = await withdraw(aliceToken, { id: 'po-1', account: 'wallet:alice', amount: '3000' }, 'po-key-0001');
    expect(again.json()).toEqual(created.json());
    expect(await delivery.deliverDue()).toBe(1);
    expect(await payout('po-1')).toMatchObject({ status: 'succeeded' });
    expect(await wallet()).toMatchObject({ debitsPending: 0n, debitsPosted: 3_000n });
  });

  it('return the money when the provider reports a failure', async () => {
    await withdraw(
      aliceToken,
      { id: 'po-2', account: 'wallet:alice', amount: '1000', simulate: 'fail' },
      'po-key-0002',
    );
    expect(await wallet()).toMatchObject({ debitsPending: 1_000n });
    await delivery.deliverDue();
    expect(await payout('po-2')).toMatchObject({ status: 'failed' });
    expect(await wallet()).toMatchObject({ debitsPending: 0n, debitsPosted: 3_000n });
  });

  it('refuse more than is available, foreign accounts and accounts without a limit, writing nothing', async () => {
    const before = await tableCounts(t.ctx.database);
    const tooMuch = await withdraw(aliceToken, { id: 'po-3', account: 'wallet:alice', amount: '7001' }, 'po-key-0003');
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.code).toBe('exceeds_credits');
    const foreign = await withdraw(operatorToken, { id: 'po-4', account: 'source', amount: '1' }, 'po-key-0004');
    expect(foreign.json().error.code).toBe('not_withdrawable');
    const bob = newKeyPair();
    await register(t, bob);
    const bobToken = await signIn(t, bob);
    const stolen = await withdraw(bobToken, { id: 'po-5', account: 'wallet:alice', amount: '1' }, 'po-key-0005');
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error.code).toBe('not_account_owner');
    const zero = await withdraw(aliceToken, { id: 'po-6', account: 'wallet:alice', amount: '0' }, 'po-key-0006');
    expect(zero.statusCode).toBe(400);
    // Bob's registration added rows; nothing else changed.
    const after = await tableCounts(t.ctx.database);
    expect(after.payouts).toBe(before.payouts);
    expect(after.ledger_transfers).toBe(before.ledger_transfers);
    expect((await payout('po-1', bobToken)).error.code).toBe('not_found');
    expect(await wallet()).toMatchObject({ debitsPending: 0n, debitsPosted: 3_000n, creditsPosted: 10_000n });
  });
});

describe('payment reconciliation', () => {
  const pay = (id: string, escrowAccount: string, simulate: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { authorization: `Bearer ${operatorToken}`, 'idempotency-key': `key-${id}` },
      payload: { id, escrowAccount, amount: '800', simulate },
    });
  const payment = async (id: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/payments/${id}`,
        headers: { authorization: `Bearer ${operatorToken}` },
      })
    ).json();
  const reconcile = () => transaction(t.ctx.database.db, (tx) => reconcileOpenPayments(t.ctx, tx, 900));

  it('closes a payment that timed out, and applies a success whose webhook never came', async () => {
    const outcomes: string[] = [];
    t.ctx.paymentOutcomes.set('manual', async (_ctx, _tx, p, outcome) => {
      outcomes.push(`${p.id}:${outcome}`);
    });
    await pay('rc-1', 'escrow:r1', 'timeout');
    await pay('rc-2', 'escrow:r2', 'succeed');
    // Not yet due.
    expect(await reconcile()).toBe(0);
    t.clock.now = new Date(t.clock.now.getTime() + 901_000);
    expect(await reconcile()).toBe(2);
    expect(await payment('rc-1')).toMatchObject({ status: 'timed_out', holdTransferId: null });
    expect(await payment('rc-2')).toMatchObject({ status: 'succeeded', holdTransferId: 'payment:rc-2:hold' });
    expect((await getAccounts(t.ctx.database.db, ['escrow:r2']))[0]).toMatchObject({ creditsPending: 800n });
    expect(outcomes.sort()).toEqual(['rc-1:timed_out', 'rc-2:succeeded']);
    // The late webhook of rc-2 changes nothing; the reconciler finds nothing left.
    await delivery.deliverDue();
    expect((await getAccounts(t.ctx.database.db, ['escrow:r2']))[0]).toMatchObject({ creditsPending: 800n });
    expect(await reconcile()).toBe(0);
    t.ctx.paymentOutcomes.delete('manual');
  });
});

describe('payout reconciliation', () => {
  // Short of the default day, so the sessions signed in at the start stay valid as the clock moves.
  const TIMEOUT_SECONDS = 3_600;
  const reconcile = () => transaction(t.ctx.database.db, (tx) => reconcileOpenPayouts(t.ctx, tx, TIMEOUT_SECONDS));
  const available = async () => {
    const account = await wallet();
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n) - (account?.debitsPending ?? 0n);
  };

  it('cancels a payout that timed out and returns its amount; posts one whose webhook never came', async () => {
    await delivery.deliverDue(); // nothing left over from the tests above
    const availableBefore = await available();
    const postedBefore = (await wallet())?.debitsPosted ?? 0n;
    const timedOut = await withdraw(
      aliceToken,
      { id: 'po-t1', account: 'wallet:alice', amount: '1000', simulate: 'timeout' },
      'po-key-t001',
    );
    expect(timedOut.statusCode).toBe(201);
    // A timeout never reports: the payout waits, its amount held.
    expect(await delivery.deliverDue()).toBe(0);
    expect(await payout('po-t1')).toMatchObject({ status: 'created' });
    // This one succeeded at the provider, but its webhook is not delivered before the reconciler runs.
    await withdraw(aliceToken, { id: 'po-t2', account: 'wallet:alice', amount: '500' }, 'po-key-t002');
    expect(await wallet()).toMatchObject({ debitsPending: 1_500n });
    expect(await available()).toBe(availableBefore - 1_500n);

    // Not yet due.
    expect(await reconcile()).toBe(0);
    expect(await payout('po-t1')).toMatchObject({ status: 'created' });
    t.clock.now = new Date(t.clock.now.getTime() + TIMEOUT_SECONDS * 1000 + 1_000);
    expect(await reconcile()).toBe(2);
    expect(await payout('po-t1')).toMatchObject({ status: 'failed' });
    expect(await payout('po-t2')).toMatchObject({ status: 'succeeded' });
    // po-t1's hold was voided (its 1,000 is available again), po-t2's posted.
    const settled = { debitsPending: 0n, debitsPosted: postedBefore + 500n };
    expect(await wallet()).toMatchObject(settled);
    expect(await available()).toBe(availableBefore - 500n);

    // po-t2's late webhook is taken (2xx) and changes nothing; a second run finds nothing to do.
    expect(await delivery.deliverDue()).toBe(1);
    expect(await payout('po-t2')).toMatchObject({ status: 'succeeded' });
    expect(await wallet()).toMatchObject(settled);
    expect(await reconcile()).toBe(0);
    expect(await wallet()).toMatchObject(settled);
    expect(await payout('po-t1')).toMatchObject({ status: 'failed' });
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
});
