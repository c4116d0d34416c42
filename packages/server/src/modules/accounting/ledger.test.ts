import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { expireDueHolds } from './hold-expiry.js';
import {
  AMOUNT_MAX,
  createAccounts,
  createTransfers,
  createTransfersNow,
  ensureAccounts,
  expireHolds,
  getAccounts,
  ledgerViolations,
} from './ledger.js';
import type { AccountInput, TransferInput } from './types.js';

let t: TestDatabase;
const now = new Date('2026-11-23T12:00:00.000Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await transaction(t.database.db, (tx) =>
    createAccounts(tx, [
      { key: 'buyer:alice', ledger: 'CNY', code: 'buyer' },
      { key: 'wallet:alice', ledger: 'CNY', code: 'wallet', debitsMustNotExceedCredits: true },
      { key: 'escrow:o1', ledger: 'CNY', code: 'escrow' },
      { key: 'supplier:s1', ledger: 'CNY', code: 'payable' },
      { key: 'fee:platform', ledger: 'CNY', code: 'revenue' },
      { key: 'points:alice', ledger: 'POINTS', code: 'points' },
    ]),
  );
});
afterAll(async () => {
  await t?.close();
});

const run = (transfers: TransferInput[], at = now) =>
  transaction(t.database.db, (tx) => createTransfers(tx, transfers, at));
/** The same batch in a transaction of its own: one call to the database when it is plain transfers. */
const runNow = (transfers: TransferInput[], at = now) => createTransfersNow(t.database.db, transfers, at);
const balance = async (key: string) => (await getAccounts(t.database.db, [key]))[0];
const counts = async () => {
  const result = (await t.database.db.execute(
    sql`select (select count(*) from ledger_transfers)::int8 as transfers, (select sum(debits_posted + debits_pending + credits_posted + credits_pending) from ledger_accounts)::text as total`,
  )) as unknown as { rows: unknown[] };
  return result.rows[0];
};
async function refused(transfers: TransferInput[], code: string, at = now, path = run) {
  const before = await counts();
  const error = await path(transfers, at).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect(await counts()).toEqual(before);
  return error as AppError;
}

describe('ledger', () => {
  it('moves money between accounts, and a replayed id changes nothing', async () => {
    const transfer = {
      id: 't-1',
      debitAccount: 'buyer:alice',
      creditAccount: 'wallet:alice',
      amount: 10_000n,
      code: 'top_up',
    };
    expect(await run([transfer])).toEqual([{ id: 't-1', status: 'created', kind: 'single', amount: 10_000n }]);
    expect(await run([transfer])).toEqual([{ id: 't-1', status: 'exists', kind: 'single', amount: 10_000n }]);
    expect(await balance('wallet:alice')).toMatchObject({ creditsPosted: 10_000n, debitsPosted: 0n });
    expect(await balance('buyer:alice')).toMatchObject({ debitsPosted: 10_000n });
    const error = await refused([{ ...transfer, amount: 9_999n }], 'transfer_id_conflict');
    expect(error.field).toBe('transfers[0].id');
  });

  it('never overdraws an account that must not, and applies a linked batch all or nothing', async () => {
    await refused(
      [{ id: 't-over', debitAccount: 'wallet:alice', creditAccount: 'escrow:o1', amount: 10_001n, code: 'pay' }],
      'exceeds_credits',
    );
    await refused(
      [
        { id: 't-a', debitAccount: 'wallet:alice', creditAccount: 'escrow:o1', amount: 6_000n, code: 'pay' },
        { id: 't-b', debitAccount: 'wallet:alice', creditAccount: 'escrow:o1', amount: 6_000n, code: 'pay' },
      ],
      'exceeds_credits',
    );
    expect(await balance('wallet:alice')).toMatchObject({ debitsPosted: 0n, debitsPending: 0n });
  });

  it('holds, posts part of a hold (the rest returns), and resolves a hold at most once', async () => {
    await run([
      {
        id: 'hold-1',
        debitAccount: 'wallet:alice',
        creditAccount: 'escrow:o1',
        amount: 8_000n,
        code: 'order',
        pending: true,
      },
    ]);
    expect(await balance('wallet:alice')).toMatchObject({ debitsPending: 8_000n, debitsPosted: 0n });
    // The hold counts against the limit: only 2,000 is left to spend.
    await refused(
      [{ id: 't-c', debitAccount: 'wallet:alice', creditAccount: 'fee:platform', amount: 2_001n, code: 'fee' }],
      'exceeds_credits',
    );
    await refused(
      [{ id: 'post-big', postPending: 'hold-1', amount: 8_001n, code: 'settle' }],
      'exceeds_pending_amount',
    );
    await run([{ id: 'post-1', postPending: 'hold-1', amount: 7_000n, code: 'settle' }]);
    expect(await balance('wallet:alice')).toMatchObject({ debitsPending: 0n, debitsPosted: 7_000n });
    expect(await balance('escrow:o1')).toMatchObject({ creditsPending: 0n, creditsPosted: 7_000n });
    await refused([{ id: 'post-2', postPending: 'hold-1', code: 'settle' }], 'pending_already_posted');
    await refused([{ id: 'void-1', voidPending: 'hold-1', code: 'refund' }], 'pending_already_posted');
    await refused([{ id: 'post-x', postPending: 'no-such-hold', code: 'settle' }], 'pending_not_found');
    // Post and void of one hold in the same batch: the second is refused, and so is the batch.
    await run([
      {
        id: 'hold-2',
        debitAccount: 'buyer:alice',
        creditAccount: 'escrow:o1',
        amount: 500n,
        code: 'order',
        pending: true,
      },
    ]);
    await refused(
      [
        { id: 'post-3', postPending: 'hold-2', code: 'settle' },
        { id: 'void-3', voidPending: 'hold-2', code: 'refund' },
      ],
      'pending_already_posted',
    );
    await run([{ id: 'void-2', voidPending: 'hold-2', code: 'refund' }]);
    expect(await balance('buyer:alice')).toMatchObject({ debitsPending: 0n });
  });

  it('expires holds after their timeout; an expired hold cannot be posted', async () => {
    await run([
      {
        id: 'hold-t',
        debitAccount: 'buyer:alice',
        creditAccount: 'escrow:o1',
        amount: 300n,
        code: 'order',
        pending: true,
        timeoutSeconds: 60,
      },
    ]);
    const later = new Date(now.getTime() + 61_000);
    await refused([{ id: 'post-t', postPending: 'hold-t', code: 'settle' }], 'pending_expired', later);
    expect(await transaction(t.database.db, (tx) => expireHolds(tx, later))).toBe(1);
    expect(await transaction(t.database.db, (tx) => expireHolds(tx, later))).toBe(0);
    await refused([{ id: 'post-t2', postPending: 'hold-t', code: 'settle' }], 'pending_already_expired', later);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });

  it('has a job that voids every expired hold, chunk by chunk', async () => {
    await run(
      Array.from({ length: 3 }, (_, i) => ({
        id: `job-hold-${i}`,
        debitAccount: 'buyer:alice',
        creditAccount: 'escrow:o1',
        amount: 10n,
        code: 'order',
        pending: true,
        timeoutSeconds: 30,
      })),
    );
    const later = () => new Date(now.getTime() + 31_000);
    expect(await expireDueHolds(t.database.db, later)).toBe(3);
    expect(await expireDueHolds(t.database.db, later)).toBe(0);
    expect(await balance('buyer:alice')).toMatchObject({ debitsPending: 0n });
  });

  it.each([
    [
      'a zero amount',
      { id: 'bad-1', debitAccount: 'buyer:alice', creditAccount: 'escrow:o1', amount: 0n, code: 'x' },
      'invalid_amount',
    ],
    [
      'a negative amount',
      { id: 'bad-2', debitAccount: 'buyer:alice', creditAccount: 'escrow:o1', amount: -5n, code: 'x' },
      'invalid_amount',
    ],
    [
      'an amount over the maximum',
      { id: 'bad-3', debitAccount: 'buyer:alice', creditAccount: 'escrow:o1', amount: AMOUNT_MAX + 1n, code: 'x' },
      'amount_too_large',
    ],
    [
      'mismatched ledgers',
      { id: 'bad-4', debitAccount: 'buyer:alice', creditAccount: 'points:alice', amount: 1n, code: 'x' },
      'ledger_mismatch',
    ],
    [
      'an unknown account',
      { id: 'bad-5', debitAccount: 'buyer:alice', creditAccount: 'nobody', amount: 1n, code: 'x' },
      'unknown_account',
    ],
    [
      'the same account twice',
      { id: 'bad-6', debitAccount: 'buyer:alice', creditAccount: 'buyer:alice', amount: 1n, code: 'x' },
      'same_account',
    ],
    [
      'a missing amount',
      { id: 'bad-7', debitAccount: 'buyer:alice', creditAccount: 'escrow:o1', code: 'x' },
      'invalid_amount',
    ],
    ['two flags', { id: 'bad-8', pending: true, voidPending: 'hold-1', code: 'x' }, 'invalid_flags'],
    [
      'a bad id',
      { id: 'has space', debitAccount: 'buyer:alice', creditAccount: 'escrow:o1', amount: 1n, code: 'x' },
      'invalid_id',
    ],
  ] as [string, TransferInput, string][])('refuses %s and writes nothing', async (_name, transfer, code) => {
    await refused([transfer], code);
  });

  it('refuses an account key reused with another definition', async () => {
    const error = await transaction(t.database.db, (tx) =>
      createAccounts(tx, [{ key: 'escrow:o1', ledger: 'POINTS', code: 'escrow' }]),
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'account_key_conflict' });
  });

  it('ensures accounts: an existing one is read as it is, a missing one created, another definition refused', async () => {
    const [before] = await getAccounts(t.database.db, ['fee:platform']);
    const ensured = await transaction(t.database.db, (tx) =>
      ensureAccounts(tx, [
        { key: 'fee:platform', ledger: 'CNY', code: 'revenue' },
        { key: 'clearing:ensure-test', ledger: 'CNY', code: 'clearing' },
      ]),
    );
    expect(ensured[0]).toEqual(before);
    expect(ensured[1]).toMatchObject({ key: 'clearing:ensure-test', ledger: 'CNY', code: 'clearing' });
    expect(await getAccounts(t.database.db, ['clearing:ensure-test'])).toEqual([ensured[1]]);
    const error = await transaction(t.database.db, (tx) =>
      ensureAccounts(tx, [{ key: 'fee:platform', ledger: 'POINTS', code: 'revenue' }]),
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'account_key_conflict' });
  });
});

describe('the one-statement path (createTransfersNow)', () => {
  beforeAll(async () => {
    await transaction(t.database.db, (tx) =>
      createAccounts(tx, [
        { key: 'now:buyer', ledger: 'CNY', code: 'buyer' },
        { key: 'now:wallet', ledger: 'CNY', code: 'wallet', debitsMustNotExceedCredits: true },
        { key: 'now:supplier', ledger: 'CNY', code: 'payable' },
        { key: 'now:fee', ledger: 'CNY', code: 'revenue' },
        { key: 'now:points', ledger: 'POINTS', code: 'points' },
      ]),
    );
  });

  it('applies a sale as the full path would, and answers its replay as the full path does', async () => {
    const sale: TransferInput[] = [
      { id: 'now-s', debitAccount: 'now:buyer', creditAccount: 'now:supplier', amount: 8_500n, code: 'sale' },
      { id: 'now-f', debitAccount: 'now:buyer', creditAccount: 'now:fee', amount: 500n, code: 'fee', reference: 'o1' },
    ];
    expect(await runNow(sale)).toEqual([
      { id: 'now-s', status: 'created', kind: 'single', amount: 8_500n },
      { id: 'now-f', status: 'created', kind: 'single', amount: 500n },
    ]);
    expect(await runNow(sale)).toEqual([
      { id: 'now-s', status: 'exists', kind: 'single', amount: 8_500n },
      { id: 'now-f', status: 'exists', kind: 'single', amount: 500n },
    ]);
    expect(await run(sale)).toEqual(await runNow(sale));
    expect(await balance('now:buyer')).toMatchObject({ debitsPosted: 9_000n, creditsPosted: 0n });
    expect(await balance('now:fee')).toMatchObject({ creditsPosted: 500n });
    const [row] = (
      (await t.database.db.execute(
        sql`select t.ledger, t.code, t.reference, t.kind, d.key as debit, c.key as credit
              from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id
              join ledger_accounts c on c.id = t.credit_account_id where t.id = 'now-f'`,
      )) as unknown as { rows: unknown[] }
    ).rows;
    expect(row).toEqual({
      ledger: 'CNY',
      code: 'fee',
      reference: 'o1',
      kind: 'single',
      debit: 'now:buyer',
      credit: 'now:fee',
    });
    await refused([{ ...sale[0], amount: 1n } as TransferInput], 'transfer_id_conflict', now, runNow);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });

  it('checks each transfer’s limits at its place in the batch, and refuses what the full path refuses', async () => {
    // Money into the wallet after money out of it: the first transfer overdraws it at its place.
    const outThenIn: TransferInput[] = [
      { id: 'now-out', debitAccount: 'now:wallet', creditAccount: 'now:supplier', amount: 100n, code: 'pay' },
      { id: 'now-in', debitAccount: 'now:buyer', creditAccount: 'now:wallet', amount: 100n, code: 'top_up' },
    ];
    const fast = await refused(outThenIn, 'exceeds_credits', now, runNow);
    const full = await refused(outThenIn, 'exceeds_credits');
    expect(fast.field).toBe(full.field);
    expect(fast.field).toBe('transfers[0]');
    // In the other order it holds.
    expect((await runNow([outThenIn[1], outThenIn[0]] as TransferInput[])).map((r) => r.status)).toEqual([
      'created',
      'created',
    ]);
    const unknown = await refused(
      [{ id: 'now-u', debitAccount: 'now:buyer', creditAccount: 'now:nobody', amount: 1n, code: 'pay' }],
      'unknown_account',
      now,
      runNow,
    );
    expect(unknown.field).toBe('transfers[0].creditAccount');
    await refused(
      [{ id: 'now-l', debitAccount: 'now:buyer', creditAccount: 'now:points', amount: 1n, code: 'pay' }],
      'ledger_mismatch',
      now,
      runNow,
    );
    await refused(
      [{ id: 'now-z', debitAccount: 'now:buyer', creditAccount: 'now:fee', amount: 0n, code: 'pay' }],
      'invalid_amount',
      now,
      runNow,
    );
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });

  it('takes holds, posts and voids through the full path', async () => {
    await runNow([
      {
        id: 'now-h',
        debitAccount: 'now:buyer',
        creditAccount: 'now:supplier',
        amount: 300n,
        code: 'hold',
        pending: true,
      },
    ]);
    expect(await runNow([{ id: 'now-p', postPending: 'now-h', amount: 200n, code: 'post' }])).toEqual([
      { id: 'now-p', status: 'created', kind: 'post', amount: 200n },
    ]);
    await refused([{ id: 'now-v', voidPending: 'now-h', code: 'void' }], 'pending_already_posted', now, runNow);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });
});

describe('ledger under concurrency', () => {
  it('answers concurrent copies of one batch with one transfer and replays of it', async () => {
    const batch: TransferInput[] = [
      { id: 'race-1', debitAccount: 'buyer:alice', creditAccount: 'supplier:s1', amount: 70n, code: 'sale' },
      { id: 'race-2', debitAccount: 'buyer:alice', creditAccount: 'fee:platform', amount: 30n, code: 'fee' },
    ];
    const before = await balance('supplier:s1');
    // Half the copies take the one-statement path, half the full path.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? run : runNow)(batch)));
    const statuses = results.map((r) => r.map((x) => x.status).join(','));
    expect(statuses.filter((s) => s === 'created,created')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'exists,exists')).toHaveLength(7);
    expect((await balance('supplier:s1'))?.creditsPosted).toBe((before?.creditsPosted ?? 0n) + 70n);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
  });

  it('keeps every invariant through a storm of transfers, holds, posts, voids and duplicated requests', async () => {
    const accounts: AccountInput[] = Array.from({ length: 8 }, (_, i) => ({
      key: `storm:${i}`,
      ledger: 'CNY',
      code: 'wallet',
      debitsMustNotExceedCredits: i > 0, // storm:0 is the source of money
    }));
    await transaction(t.database.db, (tx) => createAccounts(tx, accounts));
    await run(
      accounts.slice(1).map((a, i) => ({
        id: `storm-fund-${i}`,
        debitAccount: 'storm:0',
        creditAccount: a.key,
        amount: 5_000n,
        code: 'fund',
      })),
    );

    const op = fc.record({
      from: fc.integer({ min: 0, max: 7 }),
      to: fc.integer({ min: 0, max: 7 }),
      amount: fc.bigInt({ min: 1n, max: 3_000n }),
      kind: fc.constantFrom('single', 'pending', 'post', 'void', 'batch'),
      duplicate: fc.boolean(),
    });
    const ops = fc.sample(fc.array(op, { minLength: 300, maxLength: 300 }), { numRuns: 1, seed: 42 })[0] ?? [];
    const holds: string[] = [];
    const requests: (() => Promise<unknown>)[] = [];
    ops.forEach((o, i) => {
      const to = o.to === o.from ? (o.to + 1) % 8 : o.to;
      const base = { debitAccount: `storm:${o.from}`, creditAccount: `storm:${to}`, amount: o.amount, code: 'storm' };
      let batch: TransferInput[];
      if (o.kind === 'single') batch = [{ id: `s-${i}`, ...base }];
      else if (o.kind === 'pending') {
        batch = [{ id: `h-${i}`, ...base, pending: true }];
        holds.push(`h-${i}`);
      } else if (o.kind === 'post' && holds.length > 0)
        batch = [{ id: `p-${i}`, postPending: holds[i % holds.length] as string, code: 'storm' }];
      else if (o.kind === 'void' && holds.length > 0)
        batch = [{ id: `v-${i}`, voidPending: holds[(i * 7) % holds.length] as string, code: 'storm' }];
      else
        batch = [
          { id: `b1-${i}`, ...base },
          {
            id: `b2-${i}`,
            debitAccount: base.creditAccount,
            creditAccount: `storm:${(to + 1) % 8 === o.from ? (to + 2) % 8 : (to + 1) % 8}`,
            amount: o.amount,
            code: 'storm',
          },
        ];
      // Every other request takes the one-statement path: the two paths interleave on the same accounts.
      const path = i % 2 === 0 ? run : runNow;
      const request = () =>
        path(batch).catch((error: unknown) => (error instanceof AppError ? error.code : Promise.reject(error)));
      requests.push(request);
      if (o.duplicate) requests.push(request);
    });
    // 16 concurrent clients.
    let next = 0;
    const outcomes: unknown[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < requests.length; i = next++)
          outcomes.push(await (requests[i] as () => Promise<unknown>)());
      }),
    );
    expect(outcomes.some((o) => Array.isArray(o))).toBe(true);
    expect(await ledgerViolations(t.database.db)).toEqual([]);
    const source = await balance('storm:0');
    const wallets = await getAccounts(
      t.database.db,
      accounts.slice(1).map((a) => a.key),
    );
    for (const wallet of wallets)
      expect(wallet.debitsPending + wallet.debitsPosted).toBeLessThanOrEqual(wallet.creditsPosted);
    const total =
      wallets.reduce((sum, w) => sum + w.creditsPosted - w.debitsPosted, 0n) +
      (source?.creditsPosted ?? 0n) -
      (source?.debitsPosted ?? 0n);
    expect(total).toBe(0n);
  }, 120_000);
});
