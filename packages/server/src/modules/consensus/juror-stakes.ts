import { allocate, type RulingResult, sumByParty } from '@concord/protocol';
import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/connection.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import { ensurePoints, POINTS_LEDGER, pointsAccount, transferIdOf } from '../distribution/accounts.js';
import { addLots, settledLots } from '../distribution/points-ledger.js';
import type { AppealRow } from './appeals.js';
import { POINTS_SLASHED } from './rewards.js';
import { slashStake } from './stake.js';

/**
 * The points side of a ruling (DESIGN §8.5): the incoherent jurors' backers lose the ruled share
 * of the stake they had behind them when the jury was drawn, and the coherent jurors' backers get
 * it as spendable points, pro rata to their stake — the nominators who chose reliable jurors are
 * paid by those who did not. The slashes pass through `points:arbitration` on the POINTS ledger.
 *
 * A backer who unlocked since the draw loses at most what it still has staked (stake.ts
 * `slashStake`: cooling points are not slashed), so what was collected can fall short of the
 * ruled slashes; the coherent backers then share what was collected in the ruled proportions
 * (`allocate` by their ruled rewards), so no point is paid that was not taken. What nobody can
 * take — no coherent juror had backing — goes to points:slashed, as a round's slashes do.
 */

export const POINTS_ARBITRATION = 'points:arbitration';

export interface JurorStakesSettled {
  slashedPoints: bigint;
  paidPoints: bigint;
}

export async function settleJurorStakes(
  ctx: AppContext,
  tx: Tx,
  appeal: AppealRow,
  ruling: RulingResult,
  now: Date,
): Promise<JurorStakesSettled> {
  const slashes = sumByParty(ruling.slashes, (leg) => leg.amountPoints);
  if (slashes.length === 0) return { slashedPoints: 0n, paidPoints: 0n };
  await createAccounts(tx, [
    { key: POINTS_ARBITRATION, ledger: POINTS_LEDGER, code: 'points_arbitration' },
    { key: POINTS_SLASHED, ledger: POINTS_LEDGER, code: 'points_slashed' },
  ]);
  const instance = `${appeal.case_id}:${appeal.instance}`;
  const reference = `jury:${instance}`;
  let collected = 0n;
  for (const [party, amountPoints] of slashes) {
    collected += await slashStake(tx, {
      party,
      amountPoints,
      creditAccount: POINTS_ARBITRATION,
      transferId: transferIdOf(ctx.crypto, 'jury-slash', instance, party),
      reference,
      now,
    });
  }

  const rewards = sumByParty(ruling.stakeRewards, (leg) => leg.amountPoints);
  const shares =
    rewards.length === 0 || collected === 0n
      ? []
      : allocate(
          collected,
          rewards.map(([, amount]) => amount),
        );
  let paidPoints = 0n;
  for (const [i, [party]] of rewards.entries()) {
    const share = shares[i] ?? 0n;
    if (share === 0n) continue;
    await ensurePoints(tx, party);
    // The holding's lots are settled before the credit, so the reward becomes one lot of today.
    await settledLots(tx, party, now);
    await createTransfers(
      tx,
      [
        {
          id: transferIdOf(ctx.crypto, 'jury-stake-reward', instance, party),
          debitAccount: POINTS_ARBITRATION,
          creditAccount: pointsAccount(party),
          amount: share,
          code: 'jury_stake_reward',
          reference,
        },
      ],
      now,
    );
    await addLots(tx, party, [{ amountPoints: share, earnedAtMs: now.getTime() }]);
    paidPoints += share;
  }
  if (collected > paidPoints) {
    await createTransfers(
      tx,
      [
        {
          id: transferIdOf(ctx.crypto, 'jury-slash-unpaid', instance),
          debitAccount: POINTS_ARBITRATION,
          creditAccount: POINTS_SLASHED,
          amount: collected - paidPoints,
          code: 'jury_slash_unpaid',
          reference,
        },
      ],
      now,
    );
  }
  return { slashedPoints: collected, paidPoints };
}
