import { DistributionError, takeFromLots, transferPoints } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { createTransfers } from '../accounting/ledger.js';
import { findAccount } from '../identity/queries.js';
import { available, ensurePoints, POINTS_ISSUANCE, POINTS_LEDGER, pointsAccount, STAKE_CODE } from './accounts.js';
import {
  addLots,
  ensurePointSinks,
  POINTS_BURNED,
  POINTS_FEES,
  POINTS_SPENT,
  replaceLots,
  settledLots,
} from './points-ledger.js';
import { distributionPolicy } from './policy.js';

/**
 * Points sent from one member to another with the platform's fee (protocol `transferPoints`:
 * 1%, rounded up, out of the amount sent), and the operator's view of the whole POINTS ledger.
 */

export interface PointsTransferRow {
  id: string;
  seq: string;
  from_did: string;
  to_did: string;
  debit_points: string;
  credit_points: string;
  fee_points: string;
  created_at: Date | string;
}

export const transferView = (row: PointsTransferRow) => ({
  id: row.id,
  from: row.from_did,
  to: row.to_did,
  debitPoints: String(row.debit_points),
  creditPoints: String(row.credit_points),
  feePoints: String(row.fee_points),
  createdAt: new Date(row.created_at).toISOString(),
});

// The protocol's refusals as API errors; the field names the request's.
const TRANSFER_REFUSALS: Record<string, { status: number; field: string }> = {
  insufficient_points: { status: 409, field: 'body.points' },
  self_transfer: { status: 422, field: 'body.to' },
  transfer_too_small: { status: 422, field: 'body.points' },
  invalid_amount: { status: 400, field: 'body.points' },
  invalid_id: { status: 400, field: 'body.to' },
};

/**
 * `from` sends `points` to `to`: the sender is debited the amount, the recipient credited it less
 * the fee, the fee goes to points:fees; the points sent keep their age (the oldest lots leave
 * the sender and reach the recipient, the fee taken from the oldest of them). Refused with
 * nothing written: to oneself (422 self_transfer), to an account that does not exist (404), more
 * than held (409 insufficient_points), an amount the fee would eat (422 transfer_too_small).
 */
export async function transferBetweenMembers(
  ctx: AppContext,
  tx: Tx,
  input: { id: string; from: string; to: string; points: bigint; now: Date },
): Promise<PointsTransferRow> {
  const { from, to, now } = input;
  if (from === to) throw new AppError(422, 'self_transfer', 'Points cannot be sent to oneself.', 'body.to');
  if ((await findAccount(tx, to)) === undefined) throw notFound(`Account ${to}`, 'body.to');
  await ensurePoints(tx, from);
  await ensurePoints(tx, to);
  await ensurePointSinks(tx);
  const lots = await settledLots(tx, from, now);
  const held = await available(tx, pointsAccount(from));
  let transfer: ReturnType<typeof transferPoints>;
  try {
    transfer = transferPoints({ from, to, amountPoints: input.points, heldPoints: held }, distributionPolicy(ctx));
  } catch (error) {
    if (!(error instanceof DistributionError)) throw error;
    const refusal = TRANSFER_REFUSALS[error.code] ?? { status: 422, field: 'body' };
    throw new AppError(refusal.status, error.code, error.message, refusal.field);
  }
  // The lots that leave, oldest first: the fee from the oldest of them, the rest to the recipient.
  const { taken, left } = takeFromLots(lots, transfer.debitPoints);
  const { left: delivered } = takeFromLots(taken, transfer.feePoints);
  await replaceLots(tx, from, left);
  await addLots(tx, to, delivered);
  await createTransfers(
    tx,
    [
      {
        id: `points-transfer:${input.id}`,
        debitAccount: pointsAccount(from),
        creditAccount: pointsAccount(to),
        amount: transfer.creditPoints,
        code: 'points_transfer',
        reference: input.id,
      },
      ...(transfer.feePoints > 0n
        ? [
            {
              id: `points-transfer:${input.id}:fee`,
              debitAccount: pointsAccount(from),
              creditAccount: POINTS_FEES,
              amount: transfer.feePoints,
              code: 'points_transfer_fee',
              reference: input.id,
            },
          ]
        : []),
    ],
    now,
  );
  const [row] = await rows<PointsTransferRow>(
    tx,
    sql`insert into distribution_points_transfers (id, from_did, to_did, debit_points, credit_points, fee_points, created_at)
        values (${input.id}, ${from}, ${to}, ${transfer.debitPoints.toString()}::int8, ${transfer.creditPoints.toString()}::int8,
                ${transfer.feePoints.toString()}::int8, ${now.toISOString()}::timestamptz)
        returning *`,
  );
  return row as PointsTransferRow;
}

/** A member's transfers, sent and received, newest first. */
export async function memberTransfers(executor: Executor, did: string, limit: number): Promise<PointsTransferRow[]> {
  return rows<PointsTransferRow>(
    executor,
    sql`select * from distribution_points_transfers where from_did = ${did} or to_did = ${did}
        order by seq desc limit ${limit}`,
  );
}

export interface PointsSummary {
  /** Minted and not taken back: the issuance account's debit balance. */
  mintedPoints: bigint;
  /** Ever minted (cashback and referral rewards) and taken back by refunds. */
  issuedPoints: bigint;
  reversedPoints: bigint;
  /** On members' accounts. */
  heldPoints: bigint;
  holders: number;
  spentPoints: bigint;
  burnedPoints: bigint;
  feePoints: bigint;
  /** Locked as nominated stake (consensus/stake.ts: one `stake:<did>` account per nominator). */
  stakedPoints: bigint;
  stakers: number;
  /** Any other account of the POINTS ledger (none today): counted, so conservation stays honest. */
  otherPoints: bigint;
  /** minted = held + spent + burned + fees + staked + other. */
  conserved: boolean;
}

/** The codes of per-member POINTS accounts: members' points and nominators' locked stake. */
const MEMBER_CODES = sql.raw(`('points', '${STAKE_CODE}')`);

/** The POINTS ledger at a glance, from the posted balances of its accounts. */
export async function pointsSummary(executor: Executor): Promise<PointsSummary> {
  const found = await rows<{ key: string; code: string; dq: string; cq: string; n: string }>(
    executor,
    // Per-member accounts are grouped by their code (members' points, nominators' locked stake);
    // the codes are inlined so that the grouped expression is the selected one.
    sql`select case when code in ${MEMBER_CODES} then code else key end as key, min(code) as code,
               sum(debits_posted)::text as dq, sum(credits_posted)::text as cq, count(*)::text as n
          from ledger_accounts where ledger = ${POINTS_LEDGER}
         group by case when code in ${MEMBER_CODES} then code else key end`,
  );
  let issuedPoints = 0n;
  let reversedPoints = 0n;
  let heldPoints = 0n;
  let holders = 0;
  let spentPoints = 0n;
  let burnedPoints = 0n;
  let feePoints = 0n;
  let stakedPoints = 0n;
  let stakers = 0;
  let otherPoints = 0n;
  for (const row of found) {
    const net = BigInt(row.cq) - BigInt(row.dq);
    if (row.key === POINTS_ISSUANCE) {
      issuedPoints = BigInt(row.dq);
      reversedPoints = BigInt(row.cq);
    } else if (row.key === 'points') {
      heldPoints = net;
      holders = Number(row.n);
    } else if (row.key === POINTS_SPENT) spentPoints = net;
    else if (row.key === POINTS_BURNED) burnedPoints = net;
    else if (row.key === POINTS_FEES) feePoints = net;
    else if (row.key === STAKE_CODE) {
      stakedPoints = net;
      stakers = Number(row.n);
    } else otherPoints += net;
  }
  const mintedPoints = issuedPoints - reversedPoints;
  return {
    mintedPoints,
    issuedPoints,
    reversedPoints,
    heldPoints,
    holders,
    spentPoints,
    burnedPoints,
    feePoints,
    stakedPoints,
    stakers,
    otherPoints,
    conserved: mintedPoints === heldPoints + spentPoints + burnedPoints + feePoints + stakedPoints + otherPoints,
  };
}
