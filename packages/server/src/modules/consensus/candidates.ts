import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rows, type Tx } from '../../db/connection.js';
import { notFound } from '../../errors.js';
import { CATEGORY_SLUG } from '../catalog/schema.js';
import { defineEvent } from '../events/registry.js';
import { signedAt } from './signed-time.js';

/**
 * Candidates for a category's tester panel (DESIGN §8.2). A tester stands for a category with the
 * commission they keep of their rewards before their nominators share the rest; each cycle the
 * panel is elected from the candidates who still hold the tester role (panels.ts). Declaring again
 * changes the commission; withdrawing takes the tester out of later elections (a panel already
 * elected stays as it was published).
 */

export const CANDIDATE_DECLARED_BODY = z
  .object({
    category: CATEGORY_SLUG.describe('The category whose panel the tester stands for'),
    commissionBps: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .describe("The tester's share of their rewards before the nominators share the rest, in basis points"),
  })
  .strict();

export const CANDIDATE_WITHDRAWN_BODY = z.object({ category: CATEGORY_SLUG }).strict();

export interface CandidateRow {
  did: string;
  category: string;
  commission_bps: number;
  declared_event_id: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Refuses an unknown category with a 404 naming `field`. */
export async function requireCategory(executor: Executor, category: string, field: string): Promise<void> {
  const [found] = await rows<{ slug: string }>(
    executor,
    sql`select slug from catalog_categories where slug = ${category}`,
  );
  if (found === undefined) throw notFound(`Category ${category}`, field);
}

export const candidateDeclared = defineEvent({
  type: 'consensus.candidate.declared',
  summary:
    "A tester stands for a category's panel, with the commission they keep of their rewards (again: changes the commission).",
  body: CANDIDATE_DECLARED_BODY,
  // Only testers stand: the pipeline answers anyone else 403 role_required.
  allowed: ['tester'],
  async handle(event, body) {
    const { tx, actor, eventId } = event;
    const now = signedAt(event);
    await requireCategory(tx, body.category, 'body.category');
    const [existing] = await rows<{ did: string }>(
      tx,
      sql`select did from consensus_candidates where did = ${actor} and category = ${body.category} for update`,
    );
    await tx.execute(
      sql`insert into consensus_candidates (did, category, commission_bps, declared_event_id, created_at, updated_at)
          values (${actor}, ${body.category}, ${body.commissionBps}, ${eventId.toString()}::int8,
                  ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
          on conflict (did, category) do update set commission_bps = excluded.commission_bps,
            declared_event_id = excluded.declared_event_id, updated_at = excluded.updated_at`,
    );
    return {
      candidate: actor,
      category: body.category,
      commissionBps: body.commissionBps,
      status: existing === undefined ? 'declared' : 'updated',
    };
  },
});

export const candidateWithdrawn = defineEvent({
  type: 'consensus.candidate.withdrawn',
  summary: "A candidate stops standing for a category's panel (from the next election on).",
  body: CANDIDATE_WITHDRAWN_BODY,
  // Any account: a tester whose role was revoked may still tidy up their candidacies.
  allowed: 'registered',
  async handle({ tx, actor }, body) {
    const removed = await rows<{ did: string }>(
      tx,
      sql`delete from consensus_candidates where did = ${actor} and category = ${body.category} returning did`,
    );
    if (removed.length === 0) throw notFound(`Candidacy of ${actor} in ${body.category}`, 'body.category');
    return { candidate: actor, category: body.category, status: 'withdrawn' };
  },
});

/**
 * The declared candidates of `category` who still hold the tester role, in id order: those an
 * election counts (a revoked tester's candidacy stays stored but stands for nothing).
 */
export async function eligibleCandidates(executor: Executor, category: string): Promise<string[]> {
  const found = await rows<{ did: string }>(
    executor,
    sql`select c.did from consensus_candidates c
          join account_roles r on r.did = c.did and r.role = 'tester'
         where c.category = ${category}
         order by c.did`,
  );
  return found.map((row) => row.did);
}

/**
 * Which of `dids` a nomination may name: a declared candidate (in any category) who still holds
 * the tester role, or an expert (juries draw experts too, DESIGN §8.5).
 */
export async function nominable(executor: Executor | Tx, dids: readonly string[]): Promise<Set<string>> {
  if (dids.length === 0) return new Set();
  const found = await rows<{ did: string }>(
    executor,
    sql`select distinct r.did from account_roles r
         where r.did in ${[...new Set(dids)]}
           and (r.role = 'expert'
                or (r.role = 'tester' and exists (select 1 from consensus_candidates c where c.did = r.did)))`,
  );
  return new Set(found.map((row) => row.did));
}

export interface CandidateListing {
  did: string;
  category: string;
  commissionBps: number;
  /** Still holds the tester role (only such candidates are elected). */
  eligible: boolean;
  /** Σ of the stake of the nominations naming them (their approval stake), points. */
  backingPoints: bigint;
  nominators: number;
  declaredEventId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The candidates of `category` in id order, after the id `after`, with their approval stake. */
export async function listCandidates(
  executor: Executor,
  category: string,
  options: { after?: string | undefined; limit: number },
): Promise<CandidateListing[]> {
  const found = await rows<
    CandidateRow & { eligible: boolean; backing_points: string | null; nominators: string | number }
  >(
    executor,
    sql`select c.*, exists (select 1 from account_roles r where r.did = c.did and r.role = 'tester') as eligible,
               (select coalesce(sum(n.stake_points), 0)::text from consensus_nominations n
                 where n.stake_points > 0 and n.targets @> jsonb_build_array(c.did)) as backing_points,
               (select count(*) from consensus_nominations n
                 where n.stake_points > 0 and n.targets @> jsonb_build_array(c.did)) as nominators
          from consensus_candidates c
         where c.category = ${category} and c.did > ${options.after ?? ''}
         order by c.did limit ${options.limit}`,
  );
  return found.map((row) => ({
    did: row.did,
    category: row.category,
    commissionBps: Number(row.commission_bps),
    eligible: row.eligible,
    backingPoints: BigInt(row.backing_points ?? '0'),
    nominators: Number(row.nominators),
    declaredEventId: String(row.declared_event_id),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }));
}

/** The categories `did` stands for, by category. */
export async function candidaciesOf(executor: Executor, did: string): Promise<CandidateRow[]> {
  return rows<CandidateRow>(executor, sql`select * from consensus_candidates where did = ${did} order by category`);
}

/** The commission of each of `dids` in `category` (absent: not a candidate there). */
export async function commissionsIn(
  executor: Executor,
  category: string,
  dids: readonly string[],
): Promise<Map<string, number>> {
  if (dids.length === 0) return new Map();
  const found = await rows<{ did: string; commission_bps: number }>(
    executor,
    sql`select did, commission_bps from consensus_candidates where category = ${category} and did in ${[...new Set(dids)]}`,
  );
  return new Map(found.map((row) => [row.did, Number(row.commission_bps)]));
}
