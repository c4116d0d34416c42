import type { AttributeTally, TallyResult } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, fromJsonb, rows } from '../../db/connection.js';

/**
 * Reads of published verdicts: the consensus section of a product page and a round's results.
 * Kept apart from verdict.ts (which signs acts and moves money) so the catalog's product page can
 * import it without pulling the consensus module's writers in.
 */

/** Shown beside every consensus result (DESIGN §8: reports are labelled as paid tests). */
export const CONSENSUS_DISCLOSURE = Object.freeze({
  zh: '以上结果来自付费测评:每位测评员都实际购买了商品(已验证购买),其报酬只取决于测量与共识的接近程度,与评价好坏无关。',
  en: 'These results come from paid tests: every tester bought the product (a verified purchase) and is rewarded only for how close their measurements were to the consensus, never for a favourable report.',
});

const CLAIM_VALUE = z.union([z.number(), z.boolean(), z.string()]);

export const PRODUCT_CONSENSUS_VIEW = z
  .object({
    round: z.object({
      id: z.string(),
      lotId: z.string(),
      verdict: z.enum(['pass', 'fail']),
      decidedAt: z.string(),
      appealUntil: z.string().nullable(),
      testersDrawn: z.number().int(),
      testersRevealed: z.number().int().describe('Valid reveals: what the tally counted'),
      decidedLogIndex: z
        .number()
        .int()
        .nullable()
        .describe('Log index of the envelope that decided the round (its tally, or the ruling); null until sequenced'),
      tallyVerdict: z
        .enum(['pass', 'fail'])
        .describe("The testers' verdict; `verdict` differs when a jury overturned it on appeal"),
      appeal: z
        .object({
          caseId: z.string(),
          instance: z.number().int(),
          status: z.enum(['awaiting_bond', 'voting', 'ruled', 'lapsed']),
          ruling: z.enum(['uphold', 'overturn']).nullable(),
        })
        .nullable()
        .describe("The round's latest appeal (null: never appealed)"),
    }),
    attributes: z.array(
      z.object({
        key: z.string(),
        mandatory: z.boolean(),
        claimed: CLAIM_VALUE.nullable(),
        consensus: CLAIM_VALUE.nullable().describe("The testers' weighted median"),
        conforms: z.boolean().nullable(),
      }),
    ),
    badge: z.object({ roundId: z.string(), lotId: z.string(), awardedAt: z.string() }).nullable(),
    disclosure: z.object({ zh: z.string(), en: z.string() }),
  })
  .nullable()
  .describe("The latest decided consensus round of the product's current claims (null: none yet)");

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The consensus section of a product page: its latest decided round, attribute by attribute. Only
 * rounds of the claims the product makes now count: the page shows each claim beside the
 * consensus, and a consensus on replaced claims would stand beside claims nobody tested.
 */
export async function productConsensus(
  executor: Executor,
  productId: string,
): Promise<z.output<typeof PRODUCT_CONSENSUS_VIEW>> {
  const [round] = await rows<{
    id: string;
    lot_id: string;
    verdict: 'pass' | 'fail';
    stage: number;
    decided_at: Date | string;
    appeal_until: Date | string | null;
    drawn: number | string;
    revealed: number | string;
    tally: TallyResult | string | null;
    decided_log_index: number | string | null;
  }>(
    executor,
    sql`select r.id, r.lot_id, r.verdict, r.stage, r.decided_at, r.appeal_until,
               (select count(*) from consensus_round_testers t where t.round_id = r.id) as drawn,
               (select count(*) from consensus_round_testers t where t.round_id = r.id and t.reveal_status = 'valid') as revealed,
               (select result from consensus_results c where c.kind = 'tally' and c.subject = r.id and c.stage = r.stage) as tally,
               (select e.log_index from events e where e.id = r.decided_event_id) as decided_log_index
          from consensus_rounds r join catalog_products p on p.id = r.product_id
         where r.product_id = ${productId} and r.status = 'decided' and r.claims_event_id = p.claims_event_id
         order by r.decided_at desc, r.id desc limit 1`,
  );
  if (round === undefined) return null;
  const [badge] = await rows<{ round_id: string; lot_id: string; awarded_at: Date | string }>(
    executor,
    sql`select b.round_id, b.lot_id, b.awarded_at from consensus_badges b
          join consensus_rounds r on r.id = b.round_id join catalog_products p on p.id = b.product_id
         where b.product_id = ${productId} and b.revoked_at is null and r.claims_event_id = p.claims_event_id
         order by b.awarded_at desc, b.round_id desc limit 1`,
  );
  const tally = round.tally === null ? null : fromJsonb(round.tally);
  const attributes: AttributeTally[] = tally?.attributes ?? [];
  const [appeal] = await rows<{
    case_id: string;
    instance: number;
    status: 'awaiting_bond' | 'voting' | 'ruled' | 'lapsed';
    ruling: 'uphold' | 'overturn' | null;
  }>(
    executor,
    sql`select case_id, instance, status, ruling from consensus_appeals where round_id = ${round.id}
         order by instance desc limit 1`,
  );
  return {
    round: {
      id: round.id,
      lotId: round.lot_id,
      verdict: round.verdict,
      decidedAt: new Date(round.decided_at).toISOString(),
      appealUntil: iso(round.appeal_until),
      testersDrawn: Number(round.drawn),
      testersRevealed: Number(round.revealed),
      decidedLogIndex: round.decided_log_index === null ? null : Number(round.decided_log_index),
      // A decided round's tally says pass or fail; without its tally the round's verdict stands in.
      tallyVerdict: tally?.verdict === 'pass' || tally?.verdict === 'fail' ? tally.verdict : round.verdict,
      appeal:
        appeal === undefined
          ? null
          : { caseId: appeal.case_id, instance: Number(appeal.instance), status: appeal.status, ruling: appeal.ruling },
    },
    attributes: attributes.map((a) => ({
      key: a.key,
      mandatory: a.mandatory,
      claimed: a.claimed,
      consensus: a.consensus,
      conforms: a.conforms,
    })),
    badge:
      badge === undefined
        ? null
        : { roundId: badge.round_id, lotId: badge.lot_id, awardedAt: new Date(badge.awarded_at).toISOString() },
    disclosure: { ...CONSENSUS_DISCLOSURE },
  };
}

interface ResultRow {
  kind: 'tally' | 'rewards';
  stage: number;
  result: Record<string, unknown> | string;
  digest: string;
  event_id: string;
  created_at: Date | string;
}

/** A round's published tallies (every stage) and rewards; undefined when there is no such round. */
export async function roundResults(executor: Executor, roundId: string) {
  const [round] = await rows<{
    id: string;
    status: 'open' | 'decided' | 'inconclusive';
    stage: number;
    verdict: string | null;
    decided_at: Date | string | null;
    appeal_until: Date | string | null;
  }>(
    executor,
    sql`select id, status, stage, verdict, decided_at, appeal_until from consensus_rounds where id = ${roundId}`,
  );
  if (round === undefined) return undefined;
  const results = await rows<ResultRow>(
    executor,
    sql`select kind, stage, result, digest, event_id::text as event_id, created_at from consensus_results
         where subject = ${roundId} and kind in ('tally', 'rewards') order by kind, stage`,
  );
  const view = (row: ResultRow) => ({
    stage: Number(row.stage),
    result: fromJsonb(row.result),
    digest: row.digest,
    eventId: String(row.event_id),
    createdAt: new Date(row.created_at).toISOString(),
  });
  const rewards = results.filter((row) => row.kind === 'rewards').at(-1);
  return {
    roundId: round.id,
    status: round.status,
    stage: Number(round.stage),
    verdict: round.verdict,
    decidedAt: iso(round.decided_at),
    appealUntil: iso(round.appeal_until),
    tallies: results.filter((row) => row.kind === 'tally').map(view),
    rewards: rewards === undefined ? null : view(rewards),
  };
}
