import {
  type ClaimValue,
  classifyReportReveals,
  type ModelAttribute,
  outranks,
  type RevealStatus,
  type TestReport,
  validateReport,
} from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, forbidden, unprocessable } from '../../errors.js';
import { SHA256_HEX } from '../catalog/schema.js';
import { defineEvent } from '../events/registry.js';
import { ORDER_ID } from '../orders/schema.js';
import { loadOrder } from '../orders/store.js';
import { asAppError } from './draw.js';
import { loadRound, ROUND_ID, type RoundRow, type RoundTesterRow } from './rounds.js';
import { signedAt } from './signed-time.js';

/**
 * Commit–reveal of test reports (DESIGN §8.3). A drawn tester enrols with a verified purchase and
 * commits H(report ‖ salt) by the commit deadline; after it, they reveal the report and the salt.
 * A reveal is recorded whatever the protocol makes of it (it is on the log anyway), and its
 * status — valid, mismatch, early, late — says whether it counts.
 */

const SALT = z.string().regex(/^(?:[0-9a-f]{2}){16,64}$/, 'the salt: 16–64 bytes as lowercase hex');
/** Orders in these states were paid and not (wholly) given back: a verified purchase. */
const PURCHASED = new Set(['paid', 'shipped', 'delivered', 'completed']);

type SeatRow = Pick<RoundTesterRow, 'stage' | 'commit' | 'committed_at' | 'reveal_status' | 'salt' | 'revealed_at'> & {
  report: TestReport | null;
};

async function lockSeat(tx: Tx, round: RoundRow, tester: string): Promise<SeatRow> {
  const [seat] = await rows<SeatRow>(
    tx,
    sql`select stage, commit, committed_at, reveal_status, report, salt, revealed_at from consensus_round_testers
         where round_id = ${round.id} and tester_did = ${tester} for update`,
  );
  if (seat === undefined) throw forbidden('not_drawn', `You were not drawn to test in round ${round.id}.`);
  return seat;
}

function requireOpen(round: RoundRow): void {
  if (round.status !== 'open') throw conflict('round_closed', `Round ${round.id} is ${round.status}.`, 'body.roundId');
}

export const REPORT_COMMITTED_BODY = z
  .object({
    roundId: ROUND_ID,
    orderId: ORDER_ID.describe('your paid order of the product, placed after the round opened'),
    commit: SHA256_HEX.describe(
      'reportCommit(report, salt): SHA-256 of the canonical report followed by the salt bytes',
    ),
  })
  .strict();

export const reportCommitted = defineEvent({
  type: 'consensus.report.committed',
  summary:
    'A drawn tester enrols with a paid order of the product and commits to their report (its hash with a secret salt), by the commit deadline.',
  body: REPORT_COMMITTED_BODY,
  allowed: ['tester'],
  async handle(event, body) {
    const { tx, actor, eventId } = event;
    const now = signedAt(event);
    const round = await loadRound(tx, body.roundId, true);
    requireOpen(round);
    const seat = await lockSeat(tx, round, actor);
    if (seat.commit !== null) {
      throw conflict(
        'already_committed',
        `You committed in round ${round.id} already; a commit cannot change.`,
        'body.commit',
      );
    }
    if (seat.stage !== round.stage) {
      throw conflict(
        'commit_closed',
        `Your stage of round ${round.id} is over: you did not commit in time.`,
        'body.roundId',
      );
    }
    const deadline = new Date(round.commit_deadline);
    if (now.getTime() > deadline.getTime()) {
      throw conflict(
        'commit_closed',
        `Round ${round.id} took commits until ${deadline.toISOString()}.`,
        'body.roundId',
      );
    }
    // The order's row lock: one order enrols one tester once, even when two commits race.
    const order = await loadOrder(tx, body.orderId, { lock: true });
    if (order.buyerDid !== actor) throw forbidden('not_your_order', `Order ${order.id} is not yours.`);
    const line = order.lines.find((l) => l.productId === round.product_id && l.quantity > l.refundedQuantity);
    if (line === undefined) {
      throw unprocessable(
        'order_not_for_product',
        `Order ${order.id} holds no ${round.product_id} to test.`,
        'body.orderId',
      );
    }
    if (!PURCHASED.has(order.status)) {
      throw conflict(
        'order_not_paid',
        `Order ${order.id} is ${order.status}: a test needs a paid purchase.`,
        'body.orderId',
      );
    }
    if (order.createdAt.getTime() < new Date(round.created_at).getTime()) {
      throw unprocessable(
        'order_before_round',
        `Order ${order.id} was placed before round ${round.id} opened: buy the product for this round.`,
        'body.orderId',
      );
    }
    const [used] = await rows<{ round_id: string }>(
      tx,
      sql`select round_id from consensus_round_testers where order_id = ${order.id} limit 1`,
    );
    if (used !== undefined) {
      throw conflict(
        'order_used',
        `Order ${order.id} enrolled a tester in round ${used.round_id} already.`,
        'body.orderId',
      );
    }
    await tx.execute(
      sql`update consensus_round_testers set order_id = ${order.id}, commit = ${body.commit},
            committed_at = ${now.toISOString()}::timestamptz, committed_event_id = ${eventId.toString()}::int8
          where round_id = ${round.id} and tester_did = ${actor}`,
    );
    return {
      roundId: round.id,
      tester: actor,
      orderId: order.id,
      commit: body.commit,
      commitDeadline: deadline.toISOString(),
      revealFrom: deadline.toISOString(),
      revealDeadline: new Date(round.reveal_deadline).toISOString(),
    };
  },
});

export const REPORT_REVEALED_BODY = z
  .object({
    roundId: ROUND_ID,
    report: z
      .record(z.string(), z.unknown())
      .describe(
        'The committed TestReport: {round, tester, values: {attribute key: measured value}, evidence: [sha256 hex], text}',
      ),
    salt: SALT,
  })
  .strict();

export const reportRevealed = defineEvent({
  type: 'consensus.report.revealed',
  summary:
    'A tester who committed reveals the report and the salt after the commit deadline and by the reveal deadline; the result says whether the reveal counts (valid) or not (mismatch, early, late).',
  body: REPORT_REVEALED_BODY,
  allowed: ['tester'],
  async handle(event, body) {
    const { tx, actor, eventId } = event;
    const now = signedAt(event);
    const round = await loadRound(tx, body.roundId, true);
    requireOpen(round);
    const seat = await lockSeat(tx, round, actor);
    if (seat.commit === null || seat.committed_at === null) {
      throw conflict('not_committed', `You have no commit in round ${round.id} to reveal.`, 'body.roundId');
    }
    if (seat.reveal_status === 'valid') {
      throw conflict(
        'already_revealed',
        `Your report in round ${round.id} is revealed and counted already.`,
        'body.report',
      );
    }
    let report: TestReport;
    try {
      report = validateReport(body.report, 'report');
    } catch (error) {
      throw asAppError(error, 'body');
    }
    if (report.round !== round.id) {
      throw unprocessable(
        'wrong_round',
        `The report names round ${report.round}, not ${round.id}.`,
        'body.report.round',
      );
    }
    if (report.tester !== actor) {
      throw unprocessable('wrong_tester', 'The report names another tester: reveal your own.', 'body.report.tester');
    }
    checkValues(await modelAttributes(tx, round), report.values);

    const [status] = classifyReportReveals({
      round: round.id,
      participants: [actor],
      commits: [{ participant: actor, commit: seat.commit, atMs: new Date(seat.committed_at).getTime() }],
      reveals: [{ participant: actor, payload: report, salt: body.salt, atMs: now.getTime() }],
      commitDeadlineMs: new Date(round.commit_deadline).getTime(),
      revealDeadlineMs: new Date(round.reveal_deadline).getTime(),
    }).map((outcome) => outcome.status);
    const thisStatus = status ?? 'missing';
    // The row keeps the tester's best reveal, so it says what the protocol says of all of them.
    if (outranks(thisStatus, seat.reveal_status)) {
      await tx.execute(
        sql`update consensus_round_testers set report = ${JSON.stringify(report)}::jsonb, salt = ${body.salt},
              revealed_at = ${now.toISOString()}::timestamptz, revealed_event_id = ${eventId.toString()}::int8,
              reveal_status = ${thisStatus}
            where round_id = ${round.id} and tester_did = ${actor}`,
      );
    }
    return {
      roundId: round.id,
      tester: actor,
      status: thisStatus,
      counts: thisStatus === 'valid',
      message: REVEAL_MESSAGES[thisStatus],
    };
  },
});

const REVEAL_MESSAGES: Record<RevealStatus, string> = {
  valid: 'The report opens your commit inside the reveal window: it counts.',
  mismatch: 'The report and salt do not open your commit: this reveal does not count.',
  early:
    'Revealed before the commit deadline, when others could still copy it: this reveal does not count. Reveal again after the deadline.',
  late: 'Revealed after the reveal deadline: recorded, but it does not count.',
  missing: 'Nothing to count.',
};

async function modelAttributes(tx: Tx, round: RoundRow): Promise<ModelAttribute[]> {
  const [model] = await rows<{ definition: { attributes: ModelAttribute[] } }>(
    tx,
    sql`select definition from catalog_model_versions where model_id = ${round.model_id} and version = ${round.model_version}`,
  );
  if (model === undefined) throw new AppError(500, 'model_missing', `The model of round ${round.id} is gone.`);
  return model.definition.attributes;
}

/**
 * Values are keyed by the model's attributes and are measurements of their kind. A number outside
 * the model's bounds is accepted: the tally counts it as missing, and refusing it would leave the
 * tester unable to open their commit at all.
 */
function checkValues(attributes: readonly ModelAttribute[], values: Readonly<Record<string, ClaimValue>>): void {
  const byKey = new Map(attributes.map((attribute) => [attribute.key, attribute]));
  for (const [key, value] of Object.entries(values)) {
    const field = `body.report.values.${key}`;
    const attribute = byKey.get(key);
    if (attribute === undefined)
      throw unprocessable('unknown_attribute', `The model has no attribute "${key}".`, field);
    const fits =
      attribute.kind === 'numeric'
        ? typeof value === 'number'
        : attribute.kind === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'string' && (attribute.grades ?? []).includes(value);
    if (!fits) {
      const expected =
        attribute.kind === 'grade' ? `one of ${(attribute.grades ?? []).join(', ')}` : `a ${attribute.kind} value`;
      throw unprocessable('value_kind_mismatch', `"${key}" is measured as ${expected}.`, field);
    }
  }
}
