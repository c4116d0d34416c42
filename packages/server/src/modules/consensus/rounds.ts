import { CONSENSUS_LIMITS, type RevealStatus, toBase64Url, toHex } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { ENTITY_ID, LOT_ID, SHA256_HEX } from '../catalog/schema.js';
import { cycleOf } from '../distribution/supplier-tokens.js';
import { defineEvent, type EventContext } from '../events/registry.js';
import { checkpointAt, publishedCheckpoint } from '../log/checkpoints.js';
import { platformAct } from '../orders/platform-acts.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { computeDraw, type DrawOutcome, seatView, storeDraw } from './draw.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { signedAt } from './signed-time.js';

/**
 * Test rounds (DESIGN §8.3): a round per product lot draws testers from the category's panel;
 * they buy the product, commit to a report, then reveal it. The tally (another file) extends a
 * round through `extendRound` when too few revealed or the reports disagree.
 */

export const ROUND_ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a round id: 1–64 of A–Z a–z 0–9 _ -');
const DAY_MS = 86_400_000;

export interface RoundRow {
  id: string;
  product_id: string;
  lot_id: string;
  producer_did: string;
  category: string;
  model_id: string;
  model_version: number;
  cycle: number;
  status: 'open' | 'decided' | 'inconclusive';
  stage: number;
  checkpoint_size: string;
  checkpoint_root: string;
  commit_deadline: Date | string;
  reveal_deadline: Date | string;
  verdict: 'pass' | 'fail' | 'inconclusive' | null;
  appeal_until: Date | string | null;
  decided_at: Date | string | null;
  created_at: Date | string;
}

/** A drawn tester's row of a round (consensus_round_testers); each reader selects what it needs. */
export interface RoundTesterRow {
  tester_did: string;
  stage: number;
  ep: number;
  stake_points: string;
  weight: number;
  commit: string | null;
  committed_at: Date | string | null;
  report: unknown;
  salt: string | null;
  revealed_at: Date | string | null;
  reveal_status: RevealStatus | null;
  accuracy: number | null;
}

const ROUND_COLUMNS = sql`id, product_id, lot_id, producer_did, category, model_id, model_version, cycle, status, stage,
  checkpoint_size::text as checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline, verdict, appeal_until,
  decided_at, created_at`;

/** One round, if it exists; `lock` takes its row lock (commits, reveals and extensions do). */
export async function findRound(executor: Executor, id: string, lock = false): Promise<RoundRow | undefined> {
  const [row] = await rows<RoundRow>(
    executor,
    lock
      ? sql`select ${ROUND_COLUMNS} from consensus_rounds where id = ${id} for update`
      : sql`select ${ROUND_COLUMNS} from consensus_rounds where id = ${id}`,
  );
  return row === undefined ? undefined : { ...row, stage: Number(row.stage), cycle: Number(row.cycle) };
}

export async function loadRound(executor: Executor, id: string, lock = false): Promise<RoundRow> {
  const round = await findRound(executor, id, lock);
  if (round === undefined) throw notFound(`Round ${id}`, 'body.roundId');
  return round;
}

const deadlinesFrom = (now: Date) => {
  const commit = new Date(now.getTime() + DEFAULT_CONSENSUS_POLICY.commitDays * DAY_MS);
  return { commit, reveal: new Date(commit.getTime() + DEFAULT_CONSENSUS_POLICY.revealDays * DAY_MS) };
};

/** What an opening or an extension answers of the stage it drew. */
const stageView = (
  stage: number,
  checkpoint: { size: number; root: string },
  draw: DrawOutcome,
  deadlines: { commit: Date; reveal: Date },
) => ({
  stage,
  checkpoint,
  seed: draw.result.seed,
  drawDigest: draw.digest,
  drawn: draw.drawn.map(seatView),
  eligible: draw.weights.map(seatView),
  commitDeadline: deadlines.commit.toISOString(),
  revealDeadline: deadlines.reveal.toISOString(),
});

/** A fresh round id (the operator's route and the job make them; a sender may choose its own). */
export const newRoundId = (ctx: AppContext) => `r-${toBase64Url(ctx.crypto.randomBytes(12))}`;

export const ROUND_OPENED_BODY = z
  .object({
    roundId: ROUND_ID,
    productId: ENTITY_ID,
    lotId: LOT_ID,
    checkpointSize: z.number().int().min(1).describe('the published checkpoint whose root seeds the draw'),
    digest: SHA256_HEX.describe('resultDigest of the draw: the handler recomputes it and refuses another'),
  })
  .strict();

export const roundOpened = defineEvent({
  type: 'consensus.round.opened',
  summary:
    "Open a test round of a listed product's lot: testers are drawn from the category's panel of this cycle, weighted by experience as of the panel's election, seeded by the root of the named published checkpoint; the digest names the draw (operator or platform).",
  body: ROUND_OPENED_BODY,
  allowed: ['operator'],
  handle: openRound,
});

type OpeningBody = Omit<z.output<typeof ROUND_OPENED_BODY>, 'digest'>;

/**
 * Everything an opening decides, from the database and the envelope's time (never the server's
 * clock): what anyone replaying the log computes too. Writes nothing.
 */
async function planOpening(ctx: AppContext, tx: Tx, body: OpeningBody, now: Date) {
  const [product] = await rows<{
    status: string;
    producer_did: string;
    category: string;
    model_id: string;
    model_version: number;
    claims_event_id: string;
  }>(
    tx,
    sql`select status, producer_did, category, model_id, model_version, claims_event_id::text as claims_event_id
          from catalog_products where id = ${body.productId}`,
  );
  if (product === undefined) throw notFound(`Product ${body.productId}`, 'body.productId');
  if (product.status !== 'listed') {
    throw conflict(
      'not_listed',
      `Product ${body.productId} is ${product.status}: only listed products are tested.`,
      'body.productId',
    );
  }
  // The lot's row lock makes two openings of one lot take turns, so the second sees the first.
  const [lot] = await rows<{ lot_id: string }>(
    tx,
    sql`select lot_id from catalog_lots where product_id = ${body.productId} and lot_id = ${body.lotId} for update`,
  );
  if (lot === undefined) throw notFound(`Lot ${body.lotId} of ${body.productId}`, 'body.lotId');
  const [open] = await rows<{ id: string }>(
    tx,
    sql`select id from consensus_rounds where product_id = ${body.productId} and lot_id = ${body.lotId} and status = 'open'`,
  );
  if (open !== undefined) {
    throw conflict('round_open', `Lot ${body.lotId} is being tested already, in round ${open.id}.`, 'body.lotId');
  }
  if ((await findRound(tx, body.roundId)) !== undefined) {
    throw conflict('round_exists', `Round ${body.roundId} exists already.`, 'body.roundId');
  }
  const published = await publishedCheckpoint(tx, ctx.config.witnessQuorum);
  const checkpoint = await checkpointAt(tx, body.checkpointSize);
  if (checkpoint === undefined || published === undefined || checkpoint.size > published.size) {
    throw conflict(
      'no_checkpoint',
      `No published checkpoint of size ${body.checkpointSize} to seed the draw.`,
      'body.checkpointSize',
    );
  }
  const checkpointRoot = toHex(checkpoint.root);
  const cycle = cycleOf(now);
  const draw = await computeDraw(tx, {
    roundId: body.roundId,
    stage: 0,
    checkpointRoot,
    producer: product.producer_did,
    category: product.category,
    cycle,
    count: DEFAULT_CONSENSUS_POLICY.initialDraw,
    alreadyDrawn: [],
  });
  if (draw === undefined) {
    throw conflict(
      'no_panel',
      `The category ${product.category} has no elected panel for cycle ${cycle}.`,
      'body.productId',
    );
  }
  if (draw.drawn.length === 0) {
    throw conflict(
      'no_eligible_testers',
      `No tester of the ${product.category} panel is free of ties to the producer and experienced enough to draw.`,
      'body.productId',
    );
  }
  return { product, checkpoint, checkpointRoot, cycle, draw };
}

async function openRound(event: EventContext, body: z.output<typeof ROUND_OPENED_BODY>) {
  const { tx, eventId } = event;
  const now = signedAt(event);
  const ctx = appOf(event);
  const { product, checkpoint, checkpointRoot, cycle, draw } = await planOpening(ctx, tx, body, now);
  if (draw.digest !== body.digest) {
    throw new AppError(422, 'digest_mismatch', `The draw's digest is ${draw.digest}.`, 'body.digest');
  }
  const deadlines = deadlinesFrom(now);
  await tx.execute(
    sql`insert into consensus_rounds (id, product_id, lot_id, producer_did, category, model_id, model_version,
          claims_event_id, cycle, status, stage, checkpoint_size, checkpoint_root, commit_deadline, reveal_deadline,
          opened_event_id, created_at)
        values (${body.roundId}, ${body.productId}, ${body.lotId}, ${product.producer_did}, ${product.category},
          ${product.model_id}, ${product.model_version}, ${product.claims_event_id}::int8, ${cycle}, 'open', 0,
          ${checkpoint.size}, ${checkpointRoot},
          ${deadlines.commit.toISOString()}::timestamptz, ${deadlines.reveal.toISOString()}::timestamptz,
          ${eventId.toString()}::int8, ${now.toISOString()}::timestamptz)`,
  );
  await storeDraw(tx, body.roundId, 0, draw, eventId, now);
  await tx.execute(
    sql`update catalog_products set verdict = 'testing', updated_at = ${now.toISOString()}::timestamptz where id = ${body.productId}`,
  );
  return {
    roundId: body.roundId,
    productId: body.productId,
    lotId: body.lotId,
    cycle,
    ...stageView(0, { size: checkpoint.size, root: checkpointRoot }, draw, deadlines),
  };
}

export const ROUND_EXTENDED_BODY = z
  .object({
    roundId: ROUND_ID,
    stage: z.number().int().min(1).max(1_000_000).describe('the new stage: the round’s current stage + 1'),
    count: z.number().int().min(1).max(CONSENSUS_LIMITS.drawMax),
    digest: SHA256_HEX.describe('resultDigest of the stage’s draw: the handler recomputes it and refuses another'),
  })
  .strict();

/**
 * The draw of a round's next stage: `count` more from the same panel and checkpoint, never one
 * drawn before. Writes nothing; the extension's sender and its handler both compute it.
 */
export async function drawNextStage(
  executor: Executor,
  round: RoundRow,
  count: number,
): Promise<DrawOutcome | undefined> {
  const earlier = await rows<{ tester_did: string }>(
    executor,
    sql`select tester_did from consensus_round_testers where round_id = ${round.id}`,
  );
  return computeDraw(executor, {
    roundId: round.id,
    stage: round.stage + 1,
    checkpointRoot: round.checkpoint_root,
    producer: round.producer_did,
    category: round.category,
    cycle: round.cycle,
    count,
    alreadyDrawn: earlier.map((row) => row.tester_did),
  });
}

async function requireNextStage(tx: Tx, round: RoundRow, count: number): Promise<DrawOutcome> {
  const draw = await drawNextStage(tx, round, count);
  if (draw === undefined) throw new AppError(500, 'panel_missing', `The panel of round ${round.id} is gone.`);
  return draw;
}

/**
 * The platform extends a round whose reveal window is over (too few revealed, or the reports
 * disagree): `count` more testers are drawn from the same panel at the next stage, from the
 * round's checkpoint, and both deadlines move. Committed testers keep their commits and may reveal
 * in the new window; those of earlier stages who never committed stay out (they could now copy
 * the revealed reports).
 */
export const roundExtended = defineEvent({
  type: 'consensus.round.extended',
  summary:
    'The platform draws more testers for a round at its next stage and moves its deadlines (derived from the tally).',
  body: ROUND_EXTENDED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform extends a round, by the tally rule.');
    const { tx, eventId } = event;
    const now = signedAt(event);
    const round = await loadRound(tx, body.roundId, true);
    if (round.status !== 'open') {
      throw conflict('round_closed', `Round ${round.id} is ${round.status}.`, 'body.roundId');
    }
    if (body.stage !== round.stage + 1) {
      throw conflict(
        'stage_mismatch',
        `Round ${round.id} is at stage ${round.stage}; its next is ${round.stage + 1}.`,
        'body.stage',
      );
    }
    if (new Date(round.reveal_deadline).getTime() > now.getTime()) {
      throw conflict(
        'reveal_window_open',
        `Round ${round.id} is still taking reveals until ${new Date(round.reveal_deadline).toISOString()}.`,
        'body.roundId',
      );
    }
    const draw = await requireNextStage(tx, round, body.count);
    if (draw.digest !== body.digest) {
      throw new AppError(422, 'digest_mismatch', `The draw's digest is ${draw.digest}.`, 'body.digest');
    }
    const deadlines = deadlinesFrom(now);
    await tx.execute(
      sql`update consensus_rounds set stage = ${body.stage}, commit_deadline = ${deadlines.commit.toISOString()}::timestamptz,
            reveal_deadline = ${deadlines.reveal.toISOString()}::timestamptz where id = ${round.id}`,
    );
    // Even an empty draw is recorded: the deadlines moved, and the tally sees `drawn: []`.
    await storeDraw(tx, round.id, body.stage, draw, eventId, now);
    return {
      roundId: round.id,
      ...stageView(body.stage, { size: Number(round.checkpoint_size), root: round.checkpoint_root }, draw, deadlines),
    };
  },
});

/**
 * Extends a round in the caller's transaction (the tally's): a platform act drawing `count` more
 * testers at the next stage. `now` is the caller's reading of ctx.clock, which the handler uses.
 * Refused (AppError) unless the round is open and its reveal window is over.
 */
export async function extendRound(
  ctx: AppContext,
  tx: Tx,
  roundId: string,
  count: number,
  now: Date,
): Promise<{ drawn: string[] }> {
  const round = await loadRound(tx, roundId);
  if (new Date(round.reveal_deadline).getTime() > now.getTime()) {
    throw conflict('reveal_window_open', `Round ${roundId} is still taking reveals.`, 'roundId');
  }
  const draw = await requireNextStage(tx, round, count);
  const receipt = await platformAct(ctx, tx, roundExtended.type, {
    roundId,
    stage: round.stage + 1,
    count,
    digest: draw.digest,
  });
  const drawn = receipt.result.drawn as { tester: string }[];
  return { drawn: drawn.map((seat) => seat.tester) };
}

/** The operator's request to open a round now: a platform act in the request's transaction. */
export async function openRoundNow(ctx: AppContext, tx: Tx, input: { productId: string; lotId: string }) {
  const published = await publishedCheckpoint(tx, ctx.config.witnessQuorum);
  if (published === undefined) {
    throw conflict('no_checkpoint', 'No checkpoint has been published yet to seed the draw; try again shortly.');
  }
  const body = { roundId: newRoundId(ctx), ...input, checkpointSize: published.size };
  // The draw as the handler will recompute it: the envelope names its checkpoint and digest.
  const { draw } = await planOpening(ctx, tx, body, ctx.clock());
  return platformAct(ctx, tx, roundOpened.type, { ...body, digest: draw.digest });
}

/**
 * The periodic job: opens a round for each lot of a listed product that has never had one, and
 * for the newest lot of one whose claims have had none since they were last replaced, in the
 * categories with a panel this cycle, oldest lot first, at most `limit` per run (each in its
 * own transaction). Lots the rules refuse (say, every panellist is tied to the producer) are left
 * for a later run. Returns how many rounds opened.
 */
export async function openDueRounds(ctx: AppContext, limit: number): Promise<number> {
  const db = ctx.database.db;
  if ((await publishedCheckpoint(db, ctx.config.witnessQuorum)) === undefined) return 0;
  const due = await rows<{ product_id: string; lot_id: string }>(
    db,
    sql`select l.product_id, l.lot_id from catalog_lots l join catalog_products p on p.id = l.product_id
         where p.status = 'listed'
           and (not exists (select 1 from consensus_rounds r where r.product_id = l.product_id and r.lot_id = l.lot_id)
                -- Claims replaced since the last rounds: the newest lot is tested against them.
                or (not exists (select 1 from consensus_rounds r
                                 where r.product_id = l.product_id and r.claims_event_id = p.claims_event_id)
                    and l.lot_id = (select n.lot_id from catalog_lots n where n.product_id = l.product_id
                                     order by n.created_at desc, n.lot_id desc limit 1)))
           and exists (select 1 from consensus_panels c where c.cycle = ${cycleOf(ctx.clock())} and c.category = p.category)
         order by l.created_at, l.product_id, l.lot_id limit ${limit}`,
  );
  let opened = 0;
  for (const lot of due) {
    try {
      await transaction(db, (tx) => openRoundNow(ctx, tx, { productId: lot.product_id, lotId: lot.lot_id }));
      opened++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  return opened;
}
