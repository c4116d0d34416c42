import { type DistributionPolicy, evaluateTier, type MembershipTier } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { type Executor, rows, type Tx } from '../../db/connection.js';

/**
 * Membership tiers (protocol `evaluateTier`): judged on the member's completed spend (refunds
 * deducted) and their invitees who completed an order, both kept in distribution_member_stats
 * by `bumpStats`; the tier found is stored there too, for display and for the cashback of the
 * member's next completed order.
 */

export interface MemberFigures {
  spendFen: bigint;
  invites: number;
  completedOrders: number;
  tier: MembershipTier;
}

export async function memberFigures(executor: Executor, did: string): Promise<MemberFigures> {
  const [row] = await rows<{
    spend_fen: string;
    invites: number | string;
    completed_orders: number | string;
    tier: string;
  }>(
    executor,
    sql`select spend_fen, invites, completed_orders, tier from distribution_member_stats where did = ${did}`,
  );
  return {
    spendFen: BigInt(row?.spend_fen ?? '0'),
    invites: Number(row?.invites ?? 0),
    completedOrders: Number(row?.completed_orders ?? 0),
    tier: (row?.tier ?? 'normal') as MembershipTier,
  };
}

/** The tier `figures` earn under `policy` (a spend or invite count below zero counts as zero). */
export function tierFor(
  figures: Pick<MemberFigures, 'spendFen' | 'invites'>,
  policy: DistributionPolicy,
): MembershipTier {
  return evaluateTier(
    { spendFen: figures.spendFen > 0n ? figures.spendFen : 0n, invites: Math.max(0, figures.invites) },
    policy,
  );
}

/** Re-judges the member's tier from their figures and stores it; returns it. */
export async function reevaluateTier(tx: Tx, did: string, policy: DistributionPolicy): Promise<MembershipTier> {
  const tier = tierFor(await memberFigures(tx, did), policy);
  await tx.execute(sql`update distribution_member_stats set tier = ${tier} where did = ${did} and tier <> ${tier}`);
  return tier;
}
