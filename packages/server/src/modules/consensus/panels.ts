import {
  ConsensusError,
  electionInputOf,
  type PhragmenInput,
  type PhragmenResult,
  resultDigest,
  seqPhragmen,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict } from '../../errors.js';
import { CATEGORY_SLUG, SHA256_HEX } from '../catalog/schema.js';
import { cycleOf } from '../distribution/supplier-tokens.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { platformAct } from '../orders/platform-acts.js';
import { requirePlatform } from '../orders/transitions.js';
import { eligibleCandidates, requireCategory } from './candidates.js';
import { type ConsensusPolicy, DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { storeResult } from './results.js';
import { signedAt } from './signed-time.js';
import { stakedNominations } from './stake.js';

/**
 * Panels (DESIGN §8.2): each cycle (distribution/supplier-tokens `cycleOf`, a week) the tester
 * panel of every category is elected by sequential Phragmén (protocol `seqPhragmen`) over the
 * nominations, and published as the platform act `consensus.panel.elected` naming the cycle,
 * the seats, the winners and the digest of the whole result. Its handler computes the election
 * again from the database and refuses a body that differs, so the log never names a panel the
 * rule did not give; anyone replaying the log up to that entry gets the same digest.
 *
 * Once per (cycle, category): a panel is never re-elected within its cycle, so a round drawn from
 * it can always be checked against the published one.
 */

// Advisory lock class: one election of a category at a time (see stake.ts for the range).
const ELECTION_LOCK = 6031;

/** The subject of an election in consensus_results. */
export const electionSubject = (cycle: number, category: string) => `panel:${cycle}:${category}`;

export interface Election {
  input: PhragmenInput;
  result: PhragmenResult;
  digest: string;
}

/**
 * The election of `category` as the database stands: its eligible candidates (declared, still
 * testers), every nomination with stake naming at least one of them — restricted to those, so
 * the input names only what counts — and min(panelSeats, candidates) seats.
 */
export async function electionInput(
  executor: Executor,
  category: string,
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
): Promise<PhragmenInput> {
  const candidates = await eligibleCandidates(executor, category);
  const nominations = candidates.length === 0 ? [] : await stakedNominations(executor, category);
  return electionInputOf(candidates, nominations, policy.panelSeats);
}

/** Runs the election of `category` on the database's state (`electionInput`). */
export async function computeElection(
  executor: Executor,
  category: string,
  policy: ConsensusPolicy = DEFAULT_CONSENSUS_POLICY,
): Promise<Election> {
  const input = await electionInput(executor, category, policy);
  let result: PhragmenResult;
  try {
    result = seqPhragmen(input);
  } catch (error) {
    // Only a limit of the rule can refuse what the database holds (e.g. over 250,000 voters).
    if (error instanceof ConsensusError)
      throw new AppError(422, `election_${error.code}`, `The election cannot run: ${error.message}`, 'body.category');
    throw error;
  }
  return { input, result, digest: resultDigest(result) };
}

export const PANEL_ELECTED_BODY = z
  .object({
    cycle: z.number().int().min(0).max(1_000_000),
    category: CATEGORY_SLUG,
    seats: z.number().int().min(1).max(10_000).describe('Seats to fill: min(panel seats, eligible candidates)'),
    digest: SHA256_HEX.describe('resultDigest of the seqPhragmen result'),
    elected: z.array(DID_SCHEMA).min(1).max(10_000).describe('The winners in election order'),
  })
  .strict();

const lockCategory = (tx: Tx, category: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(${ELECTION_LOCK}, hashtext(${category}))`);

async function panelExists(executor: Executor, category: string, cycle: number): Promise<boolean> {
  const [found] = await rows<{ cycle: number }>(
    executor,
    sql`select cycle from consensus_panels where cycle = ${cycle} and category = ${category}`,
  );
  return found !== undefined;
}

const panelTaken = (category: string, cycle: number) =>
  conflict(
    'panel_exists',
    `The panel of ${category} for cycle ${cycle} was elected already; the next election is next cycle.`,
    'body.category',
  );

export const panelElected = defineEvent({
  type: 'consensus.panel.elected',
  summary:
    "The platform publishes a category's tester panel for the cycle: sequential Phragmén over the nominations. Derived: the handler recomputes it and refuses any other result.",
  body: PANEL_ELECTED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform publishes panels, by the election rule.');
    const { tx, eventId } = event;
    const now = signedAt(event);
    const { category, cycle } = body;
    if (cycle !== cycleOf(now))
      throw new AppError(422, 'wrong_cycle', `This is cycle ${cycleOf(now)}: only its panel is elected.`, 'body.cycle');
    await requireCategory(tx, category, 'body.category');
    await lockCategory(tx, category);
    if (await panelExists(tx, category, cycle)) throw panelTaken(category, cycle);
    const { result, digest } = await computeElection(tx, category);
    if (digest !== body.digest) {
      throw new AppError(
        422,
        'digest_mismatch',
        `The election of ${category} gives the digest ${digest}, not ${body.digest}.`,
        'body.digest',
      );
    }
    if (result.elected.length === 0)
      throw new AppError(422, 'no_backed_candidates', `No candidate of ${category} has backing.`, 'body.category');
    // The digest covers the whole result; the readable fields must say the same.
    if (body.seats !== result.toElect)
      throw new AppError(422, 'seats_mismatch', `The election fills ${result.toElect} seats.`, 'body.seats');
    const winners = result.elected.map((winner) => winner.candidate);
    if (winners.length !== body.elected.length || winners.some((did, i) => did !== body.elected[i]))
      throw new AppError(422, 'elected_mismatch', `The election elects ${winners.join(', ')}.`, 'body.elected');

    const resultJson = JSON.stringify(result);
    await tx.execute(
      sql`insert into consensus_panels (cycle, category, seats, result, digest, elected_event_id, created_at)
          values (${cycle}, ${category}, ${result.toElect}, ${resultJson}::jsonb, ${digest}, ${eventId.toString()}::int8,
                  ${now.toISOString()}::timestamptz)`,
    );
    for (const winner of result.elected) {
      await tx.execute(
        sql`insert into consensus_panel_members (cycle, category, tester_did, backed_points)
            values (${cycle}, ${category}, ${winner.candidate}, ${winner.backedStakeFen}::int8)`,
      );
    }
    await storeResult(tx, {
      kind: 'election',
      subject: electionSubject(cycle, category),
      stage: 0,
      result,
      digest,
      eventId,
      at: now,
    });
    return {
      cycle,
      category,
      seats: result.toElect,
      digest,
      elected: result.elected.map((winner) => ({ tester: winner.candidate, backedPoints: winner.backedStakeFen })),
    };
  },
});

export interface PanelMember {
  did: string;
  /** 0 for the first elected, 1 for the next… */
  round: number;
  /** The stake the election assigned to them (Phragmén backing), points. */
  backedPoints: bigint;
}

export interface Panel {
  cycle: number;
  category: string;
  seats: number;
  digest: string;
  electedEventId: string;
  createdAt: Date;
  members: PanelMember[];
}

interface PanelRow {
  cycle: number;
  category: string;
  seats: number;
  result: PhragmenResult | string;
  digest: string;
  elected_event_id: string;
  created_at: Date | string;
}

/** The panel of `category` for `cycle` as published, members in election order (undefined: none). */
export async function findPanel(executor: Executor, category: string, cycle: number): Promise<Panel | undefined> {
  const [row] = await rows<PanelRow>(
    executor,
    sql`select cycle, category, seats, result, digest, elected_event_id::text as elected_event_id, created_at
          from consensus_panels where cycle = ${cycle} and category = ${category}`,
  );
  if (row === undefined) return undefined;
  const members = await rows<{ tester_did: string; backed_points: string }>(
    executor,
    sql`select tester_did, backed_points::text as backed_points from consensus_panel_members
         where cycle = ${cycle} and category = ${category}`,
  );
  const backed = new Map(members.map((m) => [m.tester_did, BigInt(m.backed_points)]));
  const result = fromJsonb(row.result);
  return {
    cycle: Number(row.cycle),
    category: row.category,
    seats: Number(row.seats),
    digest: row.digest,
    electedEventId: String(row.elected_event_id),
    createdAt: new Date(row.created_at),
    members: result.elected.map((winner) => ({
      did: winner.candidate,
      round: winner.round,
      backedPoints: backed.get(winner.candidate) ?? BigInt(winner.backedStakeFen),
    })),
  };
}

/**
 * The members of the panel of `category` for `cycle`, in election order, with the stake backing
 * each (empty when no panel was elected): what a round draws its testers from.
 */
export async function currentPanel(executor: Executor, category: string, cycle: number): Promise<PanelMember[]> {
  return (await findPanel(executor, category, cycle))?.members ?? [];
}

/**
 * Elects the panel of `category` for `cycle` (the current one) and publishes it as a platform act
 * in `tx`; returns the stored panel, or undefined when no candidate has backing (no panel: a
 * category nobody backs has none this cycle yet). Refused: an unknown category (404), a cycle
 * that is not the current one (422 wrong_cycle), a panel already elected (409 panel_exists).
 */
export async function electPanel(ctx: AppContext, tx: Tx, category: string, cycle: number): Promise<Panel | undefined> {
  await requireCategory(tx, category, 'body.category');
  const current = cycleOf(ctx.clock());
  if (cycle !== current)
    throw new AppError(422, 'wrong_cycle', `This is cycle ${current}: only its panel is elected.`, 'body.cycle');
  await lockCategory(tx, category);
  if (await panelExists(tx, category, cycle)) throw panelTaken(category, cycle);
  // The handler computes it again in this transaction; a nomination committed in between (read
  // committed) makes it refuse with digest_mismatch and nothing is written: the next run retries.
  const { result, digest } = await computeElection(tx, category);
  if (result.elected.length === 0) return undefined;
  await platformAct(ctx, tx, panelElected.type, {
    cycle,
    category,
    seats: result.toElect,
    digest,
    elected: result.elected.map((winner) => winner.candidate),
  });
  return findPanel(tx, category, cycle);
}

export interface PanelElectionRun {
  cycle: number;
  /** Categories whose panel this run elected. */
  elected: string[];
  /** Categories with candidates but none backed: no panel yet (a later run tries again). */
  unbacked: string[];
  /** Categories whose election was refused, with the code (e.g. another process elected it first). */
  refused: { category: string; code: string }[];
}

/**
 * The periodic election: for the current cycle, every category that has eligible candidates and
 * no panel yet gets one, each in its own transaction. Cheap when there is nothing to do (one
 * query), so it can tick often; a category nobody backs is reported, never an error.
 */
export async function runPanelElections(ctx: AppContext): Promise<PanelElectionRun> {
  const cycle = cycleOf(ctx.clock());
  const due = await rows<{ category: string }>(
    ctx.database.db,
    sql`select distinct c.category from consensus_candidates c
          join account_roles r on r.did = c.did and r.role = 'tester'
         where not exists (select 1 from consensus_panels p where p.cycle = ${cycle} and p.category = c.category)
         order by c.category`,
  );
  const run: PanelElectionRun = { cycle, elected: [], unbacked: [], refused: [] };
  for (const { category } of due) {
    try {
      const panel = await transaction(ctx.database.db, (tx) => electPanel(ctx, tx, category, cycle));
      if (panel === undefined) run.unbacked.push(category);
      else run.elected.push(category);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      run.refused.push({ category, code: error.code });
    }
  }
  return run;
}
