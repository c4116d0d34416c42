import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, transaction } from '../../db/connection.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, deliverWebhooks, grantRole } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { buy, type Member, riceShop, shipAndDeliver, signedInMember } from '../../test-support/shopping.js';
import { shardedBalance } from '../accounting/hot-accounts.js';
import { createAccounts, createTransfers, getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { runOrderTimers } from '../orders/timers.js';
import { reconcileOpenPayouts } from '../payments/payouts.js';
import { earningsAccount, ensureEarnings } from './accounts.js';
import { releaseDueCommissions } from './commissions.js';
import { settleWithdrawals, withdrawalFeeFen } from './withdrawals.js';

const DAY = 86_400_000;
let t: TestApp;
let operatorToken: string;

const member = () => signedInMember(t);

let funding = 0;
/** Credits `amountFen` to the member's earnings, as released commission would. */
async function fund(m: Member, amountFen: bigint): Promise<void> {
  await transaction(t.ctx.database.db, async (tx) => {
    await ensureEarnings(tx, m.pair.did);
    await createAccounts(tx, [{ key: 'test:commission-source', ledger: 'CNY', code: 'revenue' }]);
    await createTransfers(
      tx,
      [
        {
          id: `test-fund-${funding++}`,
          debitAccount: 'test:commission-source',
          creditAccount: earningsAccount(m.pair.did),
          amount: amountFen,
          code: 'commission',
        },
      ],
      t.clock.now,
    );
  });
}

let keys = 0;
const withdraw = (m: Member, body: Record<string, unknown>, key: string | null = `withdrawal-key-${keys++}`) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/distribution/withdrawals',
    headers: { ...bearer(m.token), ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: { destination: '招商银行 6214 8888 1234', ...body },
  });

const decide = (
  id: string,
  decision: 'approve' | 'reject',
  body: Record<string, unknown> = {},
  token = operatorToken,
) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/operator/withdrawals/${id}/${decision}`,
    headers: bearer(token),
    payload: body,
  });

const getWithdrawal = async (m: Member, id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/distribution/withdrawals/${id}`, headers: bearer(m.token) })).json();

const earnings = async (m: Member) => {
  const [account] = await getAccounts(t.ctx.database.db, [earningsAccount(m.pair.did)]);
  return {
    available: (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n) - (account?.debitsPending ?? 0n),
    held: account?.debitsPending ?? 0n,
    withdrawn: account?.debitsPosted ?? 0n,
  };
};
const feeRevenue = async () => (await shardedBalance(t.ctx.database.db, 'revenue:withdrawal_fees:CNY')).creditsPosted;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  operatorToken = await signIn(t, t.operator);
});
afterAll(async () => {
  await t?.close();
});

describe('withdrawals of earnings', () => {
  it('rounds the fee up to a whole fen', () => {
    expect(withdrawalFeeFen(1000n, 60)).toBe(6n);
    expect(withdrawalFeeFen(1001n, 60)).toBe(7n);
    expect(withdrawalFeeFen(500_000n, 60)).toBe(3000n);
    expect(withdrawalFeeFen(123_456n, 0)).toBe(0n);
  });

  it('pays a withdrawal at or under the review threshold at once: the fee to revenue, the rest to the destination', async () => {
    const m = await member();
    await fund(m, 10_000n);
    const revenueBefore = await feeRevenue();
    const created = await withdraw(m, { id: 'w-small-1', amountFen: '1001' }, 'w-small-1-key');
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'w-small-1',
      amountFen: '1001',
      feeFen: '7',
      netFen: '994',
      status: 'paying',
      destination: '****1234',
      payoutId: 'withdrawal:w-small-1',
    });
    // Held at once: it cannot be withdrawn twice.
    expect(await earnings(m)).toEqual({ available: 8_999n, held: 1_001n, withdrawn: 0n });
    // A retry with the same key is the same withdrawal.
    const replay = await withdraw(m, { id: 'w-small-1', amountFen: '1001' }, 'w-small-1-key');
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(created.json());

    await deliverWebhooks(t);
    // The status follows the payout as soon as its outcome is in.
    expect(await getWithdrawal(m, 'w-small-1')).toMatchObject({ status: 'paid' });
    expect(await settleWithdrawals(t.ctx)).toBe(1);
    expect(await settleWithdrawals(t.ctx)).toBe(0);
    expect(await getWithdrawal(m, 'w-small-1')).toMatchObject({ status: 'paid' });
    expect(await earnings(m)).toEqual({ available: 8_999n, held: 0n, withdrawn: 1_001n });
    expect((await feeRevenue()) - revenueBefore).toBe(7n);
    const payout = await t.app.inject({
      method: 'GET',
      url: '/v1/payouts/withdrawal:w-small-1',
      headers: bearer(m.token),
    });
    expect(payout.json()).toMatchObject({ amount: '994', status: 'succeeded' });

    // Exactly at the threshold is still paid at once.
    await fund(m, 500_000n);
    const atThreshold = await withdraw(m, { id: 'w-small-2', amountFen: '500000' });
    expect(atThreshold.json()).toMatchObject({ status: 'paying', feeFen: '3000', netFen: '497000' });

    const mine = await t.app.inject({
      method: 'GET',
      url: '/v1/distribution/withdrawals?limit=1',
      headers: bearer(m.token),
    });
    expect(mine.json().items.map((w: { id: string }) => w.id)).toEqual(['w-small-2']);
    const next = await t.app.inject({
      method: 'GET',
      url: `/v1/distribution/withdrawals?limit=1&cursor=${mine.json().nextCursor}`,
      headers: bearer(m.token),
    });
    expect(next.json().items.map((w: { id: string }) => w.id)).toEqual(['w-small-1']);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('refuses a withdrawal below the minimum, above the available balance, without a key or with a taken id, writing nothing', async () => {
    const m = await member();
    await fund(m, 5_000n);
    const other = await member();
    const before = await tableCounts(t.ctx.database);

    const small = await withdraw(m, { id: 'w-bad-1', amountFen: '999' });
    expect(small.statusCode).toBe(422);
    expect(small.json().error).toMatchObject({ code: 'below_minimum', field: 'body.amountFen' });

    const tooMuch = await withdraw(m, { id: 'w-bad-2', amountFen: '5001' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error).toMatchObject({
      code: 'exceeds_available',
      field: 'body.amountFen',
      details: { availableFen: '5000' },
    });

    // No earnings at all: nothing available.
    const nothing = await withdraw(other, { id: 'w-bad-3', amountFen: '1000' });
    expect(nothing.json().error).toMatchObject({ code: 'exceeds_available', details: { availableFen: '0' } });

    const noKey = await withdraw(m, { id: 'w-bad-4', amountFen: '1000' }, null);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.code).toBe('idempotency_key_required');

    const malformed = await withdraw(m, { id: 'w bad', amountFen: '1000' });
    expect(malformed.statusCode).toBe(400);
    const zero = await withdraw(m, { id: 'w-bad-5', amountFen: '0' });
    expect(zero.statusCode).toBe(400);
    expect(await tableCounts(t.ctx.database)).toEqual(before);

    // An id someone else took is not yours.
    expect((await withdraw(m, { id: 'w-taken', amountFen: '1000' })).statusCode).toBe(201);
    await fund(other, 2_000n);
    const counts = await tableCounts(t.ctx.database);
    const taken = await withdraw(other, { id: 'w-taken', amountFen: '1000' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'withdrawal_exists', field: 'body.id' });
    expect(await tableCounts(t.ctx.database)).toEqual(counts);
    const foreign = await t.app.inject({
      method: 'GET',
      url: '/v1/distribution/withdrawals/w-taken',
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    expect(await earnings(other)).toMatchObject({ available: 2_000n, held: 0n });
  });

  it('holds a withdrawal above the threshold for the operator, who approves it: then it is paid', async () => {
    const m = await member();
    await fund(m, 700_000n);
    const created = await withdraw(m, { id: 'w-big-1', amountFen: '600000' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ status: 'review', feeFen: '3600', payoutId: null });
    // Held at once: the rest is all that can be withdrawn meanwhile.
    expect(await earnings(m)).toEqual({ available: 100_000n, held: 600_000n, withdrawn: 0n });
    const twice = await withdraw(m, { id: 'w-big-2', amountFen: '100001' });
    expect(twice.json().error.code).toBe('exceeds_available');

    const queue = await t.app.inject({
      method: 'GET',
      url: '/v1/operator/withdrawals',
      headers: bearer(operatorToken),
    });
    expect(queue.json().items.map((w: { id: string }) => w.id)).toContain('w-big-1');
    const notOperator = await t.app.inject({
      method: 'GET',
      url: '/v1/operator/withdrawals',
      headers: bearer(m.token),
    });
    expect(notOperator.statusCode).toBe(403);
    expect((await decide('w-big-1', 'approve', {}, m.token)).statusCode).toBe(403);
    expect((await decide('w-none', 'approve')).statusCode).toBe(404);

    const approved = await decide('w-big-1', 'approve', { note: '资料齐全' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'paying',
      payoutId: 'withdrawal:w-big-1',
      decidedBy: t.operator.did,
      note: '资料齐全',
    });
    // The review hold became the fee hold and the payout's hold: still 600,000 held, nothing freed.
    expect(await earnings(m)).toEqual({ available: 100_000n, held: 600_000n, withdrawn: 0n });
    const again = await decide('w-big-1', 'reject');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_in_review');

    await deliverWebhooks(t);
    await settleWithdrawals(t.ctx);
    expect(await getWithdrawal(m, 'w-big-1')).toMatchObject({ status: 'paid', netFen: '596400' });
    expect(await earnings(m)).toEqual({ available: 100_000n, held: 0n, withdrawn: 600_000n });
    const paid = await t.app.inject({
      method: 'GET',
      url: '/v1/operator/withdrawals?status=paid',
      headers: bearer(operatorToken),
    });
    expect(paid.json().items.map((w: { id: string }) => w.id)).toContain('w-big-1');
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('releases the hold of a rejected withdrawal: nothing is taken', async () => {
    const m = await member();
    await fund(m, 500_001n);
    const revenueBefore = await feeRevenue();
    expect((await withdraw(m, { id: 'w-big-3', amountFen: '500001' })).json()).toMatchObject({ status: 'review' });
    expect(await earnings(m)).toMatchObject({ available: 0n, held: 500_001n });
    const rejected = await decide('w-big-3', 'reject', { note: '收款账户与实名不符' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', note: '收款账户与实名不符', payoutId: null });
    expect(await earnings(m)).toEqual({ available: 500_001n, held: 0n, withdrawn: 0n });
    expect(await feeRevenue()).toBe(revenueBefore);
    // A decision needs no body.
    const bare = await t.app.inject({
      method: 'POST',
      url: '/v1/operator/withdrawals/w-big-3/approve',
      headers: bearer(operatorToken),
    });
    expect(bare.statusCode, bare.body).toBe(409);
    expect(bare.json().error.code).toBe('not_in_review');
  });

  it('never lets two withdrawals at once spend the same earnings', async () => {
    const m = await member();
    await fund(m, 3_000n);
    const results = await Promise.all([
      withdraw(m, { id: 'w-race-1', amountFen: '2000' }),
      withdraw(m, { id: 'w-race-2', amountFen: '2000' }),
      withdraw(m, { id: 'w-race-3', amountFen: '2000' }),
    ]);
    const codes = results.map((r) => (r.statusCode === 201 ? 'created' : r.json().error.code)).sort();
    expect(codes).toEqual(['created', 'exceeds_available', 'exceeds_available']);
    expect(await earnings(m)).toMatchObject({ available: 1_000n, held: 2_000n });
    await deliverWebhooks(t);
    await settleWithdrawals(t.ctx);
    expect(await earnings(m)).toEqual({ available: 1_000n, held: 0n, withdrawn: 2_000n });
    const [count] = await rows<{ n: string }>(
      t.ctx.database.db,
      sql`select count(*)::text as n from distribution_withdrawals where did = ${m.pair.did}`,
    );
    expect(count?.n).toBe('1');
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/distribution/withdrawals',
        '/v1/operator/withdrawals',
        '/v1/operator/withdrawals/{id}/approve',
        '/v1/operator/reviews',
      ]),
    );
  });

  it('returns the whole amount, fee included, when the payout fails', async () => {
    const m = await member();
    await fund(m, 3_000n);
    const revenueBefore = await feeRevenue();
    const created = await withdraw(m, { id: 'w-fail-1', amountFen: '2000', simulate: 'fail' });
    expect(created.json()).toMatchObject({ status: 'paying', feeFen: '12' });
    expect(await earnings(m)).toMatchObject({ available: 1_000n, held: 2_000n });
    await deliverWebhooks(t);
    // The payout's own hold (1,988) returned with the webhook; the fee returns when settled.
    expect(await getWithdrawal(m, 'w-fail-1')).toMatchObject({ status: 'failed' });
    expect(await earnings(m)).toMatchObject({ available: 2_988n, held: 12n });
    await settleWithdrawals(t.ctx);
    expect(await earnings(m)).toEqual({ available: 3_000n, held: 0n, withdrawn: 0n });
    expect(await feeRevenue()).toBe(revenueBefore);
    expect(await getWithdrawal(m, 'w-fail-1')).toMatchObject({ status: 'failed' });
    // The money can be withdrawn again.
    expect((await withdraw(m, { id: 'w-fail-2', amountFen: '3000' })).statusCode).toBe(201);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('fails a withdrawal whose payout never hears back, once the reconciler cancels it: all of it is available again', async () => {
    // The other tests' payouts get their outcome and are settled: only this one stays open.
    await deliverWebhooks(t);
    await settleWithdrawals(t.ctx);
    const m = await member();
    await fund(m, 3_000n);
    const revenueBefore = await feeRevenue();
    const created = await withdraw(m, { id: 'w-timeout-1', amountFen: '2000', simulate: 'timeout' });
    expect(created.json()).toMatchObject({ status: 'paying', feeFen: '12' });
    expect(await deliverWebhooks(t)).toBe(0);
    expect(await getWithdrawal(m, 'w-timeout-1')).toMatchObject({ status: 'paying' });
    expect(await earnings(m)).toMatchObject({ available: 1_000n, held: 2_000n });
    const reconcile = () =>
      transaction(t.ctx.database.db, (tx) => reconcileOpenPayouts(t.ctx, tx, t.ctx.config.payoutTimeoutSeconds));
    expect(await reconcile()).toBe(0);
    const start = t.clock.now;
    try {
      t.clock.now = new Date(start.getTime() + t.ctx.config.payoutTimeoutSeconds * 1000 + 1_000);
      expect(await reconcile()).toBe(1);
      m.token = await signIn(t, m.pair); // sessions expire as the clock moves on
      // The payout's hold (1,988) returned with the cancellation; the fee returns when settled.
      expect(await getWithdrawal(m, 'w-timeout-1')).toMatchObject({ status: 'failed' });
      expect(await earnings(m)).toMatchObject({ available: 2_988n, held: 12n });
      expect(await settleWithdrawals(t.ctx)).toBe(1);
      expect(await earnings(m)).toEqual({ available: 3_000n, held: 0n, withdrawn: 0n });
      expect(await getWithdrawal(m, 'w-timeout-1')).toMatchObject({ status: 'failed' });
      expect(await feeRevenue()).toBe(revenueBefore);
      expect(await reconcile()).toBe(0);
    } finally {
      t.clock.now = new Date();
    }
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
});

describe('a promoter withdraws released commission', () => {
  it('link → binding → purchase → completion → frozen → released → withdrawn', async () => {
    const producer = await riceShop(t, 'rice-w', 100);

    const seller = await member();
    await grantRole(t, seller.pair, 'promoter');
    const { code } = await accepted(t, seller.pair, 'distribution.link.created', {
      kind: 'product',
      productId: 'rice-w',
    });
    const buyer = await member();
    await accepted(t, buyer.pair, 'distribution.binding.created', { code });

    const orderId = await buy(t, buyer, 'rice-w:bag', 3);
    await shipAndDeliver(t, producer, buyer, orderId);
    const start = t.clock.now;
    try {
      t.clock.now = new Date(start.getTime() + 7 * DAY + 1_000);
      await runOrderTimers(t.ctx);
      seller.token = await signIn(t, seller.pair); // sessions expire as the clock moves on
      // 10% of ¥300, frozen: nothing to withdraw yet.
      expect(await earnings(seller)).toMatchObject({ available: 0n });
      expect((await withdraw(seller, { id: 'w-e2e-early', amountFen: '1000' })).json().error.code).toBe(
        'exceeds_available',
      );
      t.clock.now = new Date(start.getTime() + 37 * DAY + 2_000);
      expect(await releaseDueCommissions(t.ctx)).toBe(1);
      seller.token = await signIn(t, seller.pair);
      expect(await earnings(seller)).toMatchObject({ available: 3_000n });

      const withdrawn = await withdraw(seller, { id: 'w-e2e', amountFen: '3000' });
      expect(withdrawn.json()).toMatchObject({ status: 'paying', feeFen: '18', netFen: '2982' });
      await deliverWebhooks(t);
      await settleWithdrawals(t.ctx);
      expect(await getWithdrawal(seller, 'w-e2e')).toMatchObject({ status: 'paid' });
      expect(await earnings(seller)).toEqual({ available: 0n, held: 0n, withdrawn: 3_000n });
      const [row] = await rows<{ status: string; settled_at: unknown }>(
        t.ctx.database.db,
        sql`select status, settled_at from distribution_withdrawals where id = 'w-e2e'`,
      );
      expect(row?.status).toBe('paid');
      expect(row?.settled_at).not.toBeNull();
    } finally {
      t.clock.now = new Date();
    }
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });
});
