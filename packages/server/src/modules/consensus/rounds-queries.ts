import type { RevealStatus } from '@concord/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';
import { notFound } from '../../errors.js';
import { type Cursor, decodeCursor, pageOf } from '../catalog/cursor.js';
import { findRound, type RoundRow, type RoundTesterRow } from './rounds.js';

/**
 * What the API shows of rounds: the public view of a round (anyone may check a draw and follow
 * the commits), and a tester's own rounds with the step they must take next.
 */

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export const roundSummary = (round: RoundRow & { drawn_count?: number | string }) => ({
  id: round.id,
  productId: round.product_id,
  lotId: round.lot_id,
  producer: round.producer_did,
  category: round.category,
  model: { id: round.model_id, version: Number(round.model_version) },
  cycle: Number(round.cycle),
  status: round.status,
  stage: Number(round.stage),
  verdict: round.verdict,
  openedAt: iso(round.created_at)!,
  commitDeadline: iso(round.commit_deadline)!,
  revealDeadline: iso(round.reveal_deadline)!,
  checkpoint: { size: Number(round.checkpoint_size), root: round.checkpoint_root },
});

const ROUND_SELECT = sql`select r.id, r.product_id, r.lot_id, r.producer_did, r.category, r.model_id, r.model_version,
  r.cycle, r.status, r.stage, r.checkpoint_size::text as checkpoint_size, r.checkpoint_root, r.commit_deadline,
  r.reveal_deadline, r.verdict, r.created_at`;

/** Newest first: the cursor is the last row's (opening time, id). */
const keyset = (cursor: Cursor | undefined): SQL =>
  cursor === undefined
    ? sql`true`
    : sql`(r.created_at, r.id) < (${new Date(Number(cursor.rank ?? 0)).toISOString()}::timestamptz, ${cursor.id})`;
const cursorOf = (round: RoundRow): Cursor => ({ id: round.id, rank: String(new Date(round.created_at).getTime()) });

export async function listRounds(
  executor: Executor,
  query: {
    productId?: string | undefined;
    producer?: string | undefined;
    status?: string | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const conditions = [keyset(decodeCursor(query.cursor))];
  if (query.productId !== undefined) conditions.push(sql`r.product_id = ${query.productId}`);
  if (query.producer !== undefined) conditions.push(sql`r.producer_did = ${query.producer}`);
  if (query.status !== undefined) conditions.push(sql`r.status = ${query.status}`);
  const found = await rows<RoundRow>(
    executor,
    sql`${ROUND_SELECT} from consensus_rounds r where ${sql.join(conditions, sql` and `)}
        order by r.created_at desc, r.id desc limit ${query.limit + 1}`,
  );
  const { items, nextCursor } = pageOf(found, query.limit, cursorOf);
  return { items: items.map(roundSummary), nextCursor };
}

type SeatRow = RoundTesterRow;

/**
 * A round as anyone may see it: its deadlines, the checkpoint and every draw (to recompute them),
 * and each drawn tester's weight, commit and reveal status. What a report says stays hidden until
 * the reveal deadline, so a tester still to reveal cannot copy another's.
 */
export async function describeRound(executor: Executor, id: string, now: Date) {
  const round = await findRound(executor, id);
  if (round === undefined) throw notFound(`Round ${id}`, 'id');
  const seats = await rows<SeatRow>(
    executor,
    sql`select tester_did, stage, ep, stake_points::text as stake_points, weight, commit, committed_at, report, salt,
               revealed_at, reveal_status, accuracy
          from consensus_round_testers where round_id = ${id} order by stage, tester_did`,
  );
  const draws = await rows<{
    stage: number;
    result: { seed: string; drawn: string[] };
    digest: string;
    event_id: string;
  }>(
    executor,
    sql`select stage, result, digest, event_id::text as event_id from consensus_results
         where kind = 'draw' and subject = ${id} order by stage`,
  );
  const revealsPublic = now.getTime() > new Date(round.reveal_deadline).getTime() || round.status !== 'open';
  return {
    ...roundSummary(round),
    revealsPublic,
    draws: draws.map((draw) => ({
      stage: Number(draw.stage),
      seed: draw.result.seed,
      drawn: draw.result.drawn,
      digest: draw.digest,
      eventId: draw.event_id,
    })),
    testers: seats.map((seat) => ({
      tester: seat.tester_did,
      stage: Number(seat.stage),
      ep: Number(seat.ep),
      stakePoints: seat.stake_points,
      weight: Number(seat.weight),
      committed: seat.commit !== null,
      commit: seat.commit,
      committedAt: iso(seat.committed_at),
      revealStatus: seat.reveal_status,
      revealedAt: iso(seat.revealed_at),
      report: revealsPublic ? (seat.report ?? null) : null,
      salt: revealsPublic ? seat.salt : null,
      accuracy: seat.accuracy === null ? null : Number(seat.accuracy),
    })),
  };
}

export type NextStep = 'buy' | 'commit' | 'wait' | 'reveal' | 'done' | 'missed' | 'closed';

interface MySeatRow extends RoundRow {
  my_stage: number;
  commit: string | null;
  reveal_status: RevealStatus | null;
  order_id: string | null;
  ready_order: string | null;
}

/**
 * What a drawn tester does next: buy the product (no paid order of it since the round opened),
 * commit (with that order) by the commit deadline, wait for the reveal window, reveal in it; or
 * nothing (done, missed, or the round is closed).
 */
export function nextStep(seat: MySeatRow, now: Date): { step: NextStep; until: string | null; orderId: string | null } {
  const commitBy = new Date(seat.commit_deadline);
  const revealBy = new Date(seat.reveal_deadline);
  const at = now.getTime();
  if (seat.status !== 'open') return { step: 'closed', until: null, orderId: seat.order_id };
  if (seat.commit === null) {
    if (Number(seat.my_stage) !== Number(seat.stage) || at > commitBy.getTime()) {
      return { step: 'missed', until: null, orderId: null };
    }
    return seat.ready_order === null
      ? { step: 'buy', until: commitBy.toISOString(), orderId: null }
      : { step: 'commit', until: commitBy.toISOString(), orderId: seat.ready_order };
  }
  if (seat.reveal_status === 'valid') return { step: 'done', until: null, orderId: seat.order_id };
  if (at <= commitBy.getTime()) return { step: 'wait', until: commitBy.toISOString(), orderId: seat.order_id };
  if (at <= revealBy.getTime()) return { step: 'reveal', until: revealBy.toISOString(), orderId: seat.order_id };
  return { step: 'missed', until: null, orderId: seat.order_id };
}

/** The rounds `tester` is drawn in, newest first, each with its next step. */
export async function myRounds(
  executor: Executor,
  tester: string,
  query: { cursor?: string | undefined; limit: number },
  now: Date,
) {
  const found = await rows<MySeatRow>(
    executor,
    sql`${ROUND_SELECT}, t.stage as my_stage, t.commit, t.reveal_status, t.order_id,
          (select o.id from orders o join order_lines l on l.order_id = o.id
            where o.buyer_did = t.tester_did and l.product_id = r.product_id and l.quantity > l.refunded_quantity
              and o.status in ('paid', 'shipped', 'delivered', 'completed') and o.created_at >= r.created_at
              and not exists (select 1 from consensus_round_testers u where u.order_id = o.id)
            order by o.created_at, o.id limit 1) as ready_order
        from consensus_round_testers t join consensus_rounds r on r.id = t.round_id
        where t.tester_did = ${tester} and ${keyset(decodeCursor(query.cursor))}
        order by r.created_at desc, r.id desc limit ${query.limit + 1}`,
  );
  const { items, nextCursor } = pageOf(found, query.limit, cursorOf);
  return {
    items: items.map((seat) => ({
      ...roundSummary(seat),
      myStage: Number(seat.my_stage),
      committed: seat.commit !== null,
      revealStatus: seat.reveal_status,
      next: nextStep(seat, now),
    })),
    nextCursor,
  };
}
