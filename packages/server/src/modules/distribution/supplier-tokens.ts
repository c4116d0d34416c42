import { DEFAULT_SPLIT_POLICY, DistributionError, redeemSupplierTokens, supplierTokensEarned } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError } from '../../errors.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import type { Order } from '../orders/store.js';
import { available, transferIdOf } from './accounts.js';
import { distributionPolicy } from './policy.js';

/**
 * Supplier tokens (seed `002_…`: 供应商通证…降低抽成比例): a producer earns tokens on the TOKENS
 * ledger with every completed order (protocol `supplierTokensEarned`: 1% of its sales by
 * default), gives back the refunded part of them, and redeems them for a lower platform service
 * fee in a later settlement cycle (protocol `redeemSupplierTokens`). A redemption is recorded
 * here as a reduction in bps for one cycle; the settlement issue applies it.
 *
 * Decisions:
 * - until the settlement issue numbers its cycles, a cycle is a 7-day week from Monday 00:00
 *   UTC (cycle 0 began on 1970-01-05); each redemption also stores its effective dates;
 * - the fee a redemption lowers is the default split policy's platformServiceFeeBps less what
 *   earlier redemptions took off the same effective cycle, so redemptions never stack below the
 *   floor (`platformFeeFloorBps`).
 */

export const TOKENS_LEDGER = 'TOKENS';
export const TOKENS_ISSUANCE = 'tokens:issuance';
export const TOKENS_REDEEMED = 'tokens:redeemed';
export const tokensAccount = (did: string) => `tokens:${did}`;

export const CYCLE_DAYS = 7;
const DAY_MS = 86_400_000;
const CYCLE_EPOCH_MS = Date.UTC(1970, 0, 5);
/** The settlement cycle `at` falls in. */
export const cycleOf = (at: Date) => Math.floor((at.getTime() - CYCLE_EPOCH_MS) / (CYCLE_DAYS * DAY_MS));
/** When cycle `cycle` begins (it ends when cycle + 1 begins). */
export const cycleStart = (cycle: number) => new Date(CYCLE_EPOCH_MS + cycle * CYCLE_DAYS * DAY_MS);

// Advisory lock class: one redemption of a producer at a time (see points-ledger.ts for the range).
const REDEMPTION_LOCK = 6022;

async function ensureTokenAccounts(tx: Tx, producer: string): Promise<void> {
  await createAccounts(tx, [
    { key: TOKENS_ISSUANCE, ledger: TOKENS_LEDGER, code: 'tokens_issuance' },
    { key: TOKENS_REDEEMED, ledger: TOKENS_LEDGER, code: 'tokens_redeemed' },
    {
      key: tokensAccount(producer),
      ledger: TOKENS_LEDGER,
      code: 'supplier_tokens',
      owner: producer,
      debitsMustNotExceedCredits: true,
    },
  ]);
}

/** At completion, once per order: the producer's tokens for the order's sales (what is still paid). */
export async function awardSupplierTokens(ctx: AppContext, tx: Tx, order: Order, now: Date): Promise<void> {
  const salesFen = order.totalFen - order.refundedFen;
  const tokens = supplierTokensEarned(salesFen, distributionPolicy(ctx));
  const [claimed] = await rows<{ order_id: string }>(
    tx,
    sql`insert into distribution_token_awards (order_id, producer_did, sales_fen, tokens, created_at)
        values (${order.id}, ${order.producerDid}, ${salesFen.toString()}::int8, ${tokens.toString()}::int8,
                ${now.toISOString()}::timestamptz)
        on conflict (order_id) do nothing returning order_id`,
  );
  if (claimed === undefined || tokens === 0n) return;
  await ensureTokenAccounts(tx, order.producerDid);
  await createTransfers(
    tx,
    [
      {
        id: transferIdOf(ctx.crypto, 'tokens', order.id, 'earned'),
        debitAccount: TOKENS_ISSUANCE,
        creditAccount: tokensAccount(order.producerDid),
        amount: tokens,
        code: 'tokens_earned',
        reference: order.id,
      },
    ],
    now,
  );
}

/**
 * A refund of a completed order takes back the refunded fraction of the tokens it still holds,
 * ceil(remaining × refund / paid), as far as the producer's tokens allow (redeemed ones stay
 * redeemed).
 */
export async function reverseSupplierTokens(
  ctx: AppContext,
  tx: Tx,
  order: Order,
  refundId: string,
  refundFen: bigint,
  paidBeforeFen: bigint,
  now: Date,
): Promise<void> {
  const [award] = await rows<{ producer_did: string; tokens: string; reversed_tokens: string }>(
    tx,
    sql`select producer_did, tokens, reversed_tokens from distribution_token_awards where order_id = ${order.id} for update`,
  );
  if (award === undefined || refundFen <= 0n || paidBeforeFen <= 0n) return;
  const remaining = BigInt(award.tokens) - BigInt(award.reversed_tokens);
  if (remaining <= 0n) return;
  const due = refundFen >= paidBeforeFen ? remaining : (remaining * refundFen + paidBeforeFen - 1n) / paidBeforeFen;
  const balance = await available(tx, tokensAccount(award.producer_did));
  const taken = [due, remaining, balance].reduce((least, value) => (value < least ? value : least));
  if (taken <= 0n) return;
  await createTransfers(
    tx,
    [
      {
        id: transferIdOf(ctx.crypto, 'tokens', order.id, 'refund', refundId),
        debitAccount: tokensAccount(award.producer_did),
        creditAccount: TOKENS_ISSUANCE,
        amount: taken,
        code: 'tokens_reversal',
        reference: order.id,
      },
    ],
    now,
  );
  await tx.execute(
    sql`update distribution_token_awards set reversed_tokens = reversed_tokens + ${taken.toString()}::int8
        where order_id = ${order.id}`,
  );
}

export interface RedemptionRow {
  id: string;
  seq: string;
  producer_did: string;
  tokens_offered: string;
  tokens_spent: string;
  reduction_bps: number;
  fee_bps_before: number;
  fee_bps_after: number;
  cycle: string;
  effective_cycle: string;
  effective_from: Date | string;
  effective_until: Date | string;
  applied_at: Date | string | null;
  created_at: Date | string;
}

export const redemptionView = (row: RedemptionRow) => ({
  id: row.id,
  seq: String(row.seq),
  producer: row.producer_did,
  tokensOffered: String(row.tokens_offered),
  tokensSpent: String(row.tokens_spent),
  reductionBps: row.reduction_bps,
  feeBpsBefore: row.fee_bps_before,
  feeBpsAfter: row.fee_bps_after,
  cycle: Number(row.cycle),
  effectiveCycle: Number(row.effective_cycle),
  effectiveFrom: new Date(row.effective_from).toISOString(),
  effectiveUntil: new Date(row.effective_until).toISOString(),
  appliedAt: row.applied_at === null ? null : new Date(row.applied_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
});

/** What earlier redemptions of `producer` took off the platform fee of `cycle`, in bps. */
export async function platformFeeReductionBps(executor: Executor, producer: string, cycle: number): Promise<number> {
  const [row] = await rows<{ bps: string | number | null }>(
    executor,
    sql`select coalesce(sum(reduction_bps), 0) as bps from distribution_token_redemptions
         where producer_did = ${producer} and effective_cycle = ${cycle}`,
  );
  return Number(row?.bps ?? 0);
}

const REDEMPTION_REFUSALS: Record<string, number> = { insufficient_tokens: 409, invalid_amount: 400 };

/**
 * `producer` redeems up to `tokens` for a lower platform fee in the cycle after this one: whole
 * bps only (the rest of the offer stays), never below the floor. Refused with nothing written:
 * more than held (409 insufficient_tokens), the fee of that cycle at the floor already (409
 * fee_at_floor), an offer below the price of one bps (422 redemption_too_small).
 */
export async function redeemTokens(
  ctx: AppContext,
  tx: Tx,
  input: { id: string; producer: string; tokens: bigint; now: Date },
): Promise<RedemptionRow> {
  const { producer, now } = input;
  const policy = distributionPolicy(ctx);
  await tx.execute(sql`select pg_advisory_xact_lock(${REDEMPTION_LOCK}, hashtext(${producer}))`);
  const cycle = cycleOf(now);
  const effectiveCycle = cycle + policy.supplier.redemptionDelayCycles;
  const baseFeeBps = DEFAULT_SPLIT_POLICY.platformServiceFeeBps;
  const feeBps = Math.max(0, baseFeeBps - (await platformFeeReductionBps(tx, producer, effectiveCycle)));
  const held = await available(tx, tokensAccount(producer));
  let redemption: ReturnType<typeof redeemSupplierTokens>;
  try {
    redemption = redeemSupplierTokens(
      { tokensHeld: held, tokensOffered: input.tokens, platformFeeBps: feeBps, cycle },
      policy,
    );
  } catch (error) {
    if (!(error instanceof DistributionError)) throw error;
    throw new AppError(REDEMPTION_REFUSALS[error.code] ?? 422, error.code, error.message, 'body.tokens');
  }
  if (redemption.reductionBps === 0) {
    if (feeBps <= policy.supplier.platformFeeFloorBps) {
      throw new AppError(
        409,
        'fee_at_floor',
        `Your platform fee in cycle ${effectiveCycle} is ${feeBps} bps already, the floor is ${policy.supplier.platformFeeFloorBps}: nothing left to lower.`,
        'body.tokens',
      );
    }
    throw new AppError(
      422,
      'redemption_too_small',
      `One bps of fee costs ${policy.supplier.tokensPerFeeBps} tokens; ${input.tokens} buy none.`,
      'body.tokens',
    );
  }
  await ensureTokenAccounts(tx, producer);
  await createTransfers(
    tx,
    [
      {
        id: `tokens-redeem:${input.id}`,
        debitAccount: tokensAccount(producer),
        creditAccount: TOKENS_REDEEMED,
        amount: redemption.tokensSpent,
        code: 'tokens_redeemed',
        reference: input.id,
      },
    ],
    now,
  );
  const [row] = await rows<RedemptionRow>(
    tx,
    sql`insert into distribution_token_redemptions (id, producer_did, tokens_offered, tokens_spent, reduction_bps,
                                                    fee_bps_before, fee_bps_after, cycle, effective_cycle,
                                                    effective_from, effective_until, created_at)
        values (${input.id}, ${producer}, ${input.tokens.toString()}::int8, ${redemption.tokensSpent.toString()}::int8,
                ${redemption.reductionBps}, ${feeBps}, ${redemption.feeBps}, ${cycle}, ${redemption.effectiveCycle},
                ${cycleStart(redemption.effectiveCycle).toISOString()}::timestamptz,
                ${cycleStart(redemption.effectiveCycle + 1).toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
        returning *`,
  );
  return row as RedemptionRow;
}

/** A producer's redemptions, newest first, before the cursor `beforeSeq`. */
export async function producerRedemptions(
  executor: Executor,
  producer: string,
  options: { limit: number; beforeSeq?: string | undefined },
): Promise<RedemptionRow[]> {
  return rows<RedemptionRow>(
    executor,
    sql`select * from distribution_token_redemptions where producer_did = ${producer}
           and seq < ${options.beforeSeq ?? '9223372036854775807'}::int8
        order by seq desc limit ${options.limit}`,
  );
}

export interface TokenBalance {
  heldTokens: bigint;
  earnedTokens: bigint;
  reversedTokens: bigint;
  redeemedTokens: bigint;
}

export async function tokenBalance(executor: Executor, producer: string): Promise<TokenBalance> {
  const [row] = await rows<{ earned: string; reversed: string; redeemed: string }>(
    executor,
    sql`select (select coalesce(sum(tokens), 0)::text from distribution_token_awards where producer_did = ${producer}) as earned,
               (select coalesce(sum(reversed_tokens), 0)::text from distribution_token_awards where producer_did = ${producer}) as reversed,
               (select coalesce(sum(tokens_spent), 0)::text from distribution_token_redemptions where producer_did = ${producer}) as redeemed`,
  );
  return {
    heldTokens: await available(executor, tokensAccount(producer)),
    earnedTokens: BigInt(row?.earned ?? '0'),
    reversedTokens: BigInt(row?.reversed ?? '0'),
    redeemedTokens: BigInt(row?.redeemed ?? '0'),
  };
}
