import { REFUNDABLE_STATUSES, shareOf } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { rows, type Tx } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { cutDeposit, depositHeld, lockProducerDeposit, restoreDeposit } from '../catalog/deposits.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { platformAct } from '../orders/platform-acts.js';
import { FEN } from '../orders/schema.js';
import { appOf, requirePlatform } from '../orders/transitions.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { signedAt } from './signed-time.js';
import { type RoundRow, roundRow } from './tally.js';

/**
 * What a decided verdict does (DESIGN §8.4). A pass gives the lot a badge and the product the
 * verdict 'passed'. A fail — a mandatory attribute that does not conform to its claim — marks the
 * product 'failed', suspends its listing (`catalog.product.suspended`, a public reason naming the
 * round and the attributes), offers refunds to the buyers of the lot, and cuts the producer's
 * deposit by `failDepositCutBps` (`consensus.deposit.cut`). Each step is an envelope or a row made
 * in the tally's transaction, so a verdict takes effect whole or not at all.
 */

const REASON_CHARS_MAX = 500;

export const cutTransferId = (roundId: string) => `consensus-deposit-cut:${roundId}`;

/**
 * A round's cuts of its producer's deposit and their paybacks. Appeals can flip a verdict back
 * and forth (up to the last instance), so a round may cut, pay back and cut again: the n-th cut
 * and the n-th payback each have their own transfer id, and the deposit is cut for the round
 * exactly when it has more cuts than paybacks — the latest cut is what a payback returns.
 */
async function roundCuts(tx: Tx, roundId: string) {
  // The ids a round can have used: a verdict changes at most once per appeal instance. Looked up
  // by primary key, not by reference, which the ledger does not index.
  const times = DEFAULT_CONSENSUS_POLICY.jury.lastInstance + 2;
  const cutIdOf = (n: number) => (n === 1 ? cutTransferId(roundId) : `${cutTransferId(roundId)}:${n}`);
  const paybackIdOf = (n: number) => `consensus-deposit-restored:${roundId}:${n}`;
  const candidates = Array.from({ length: times }, (_, i) => [cutIdOf(i + 1), paybackIdOf(i + 1)]).flat();
  const found = await rows<{ id: string; code: string; amount: string }>(
    tx,
    sql`select id, code, amount::text as amount from ledger_transfers where id in ${candidates} order by seq`,
  );
  const cuts = found.filter((t) => t.code === 'deposit_cut');
  const paybacks = found.filter((t) => t.code === 'deposit_restored');
  return {
    cut: cuts.length > paybacks.length,
    lastCutFen: BigInt(cuts.at(-1)?.amount ?? '0'),
    nextCutId: cutIdOf(cuts.length + 1),
    nextPaybackId: paybackIdOf(paybacks.length + 1),
  };
}

export const CONSENSUS_DEPOSIT_CUT_BODY = z
  .object({
    roundId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    producer: DID_SCHEMA,
    amountFen: FEN.describe('failDepositCutBps of the deposit held, rounded down'),
  })
  .strict();

type ProductVerdict = 'untested' | 'testing' | 'passed' | 'failed';

/**
 * A decided round's verdict becomes its product's only if the round tested the claims the product
 * makes now (catalog_products.claims_event_id): a verdict on claims since replaced proves nothing
 * of the new ones. Returns the product's verdict after.
 */
async function verdictFromRound(tx: Tx, roundId: string, verdict: ProductVerdict): Promise<ProductVerdict> {
  const [product] = await rows<{ verdict: ProductVerdict }>(
    tx,
    sql`update catalog_products p
           set verdict = case when p.claims_event_id = r.claims_event_id then ${verdict} else p.verdict end
          from consensus_rounds r
         where r.id = ${roundId} and p.id = r.product_id
        returning p.verdict`,
  );
  return product?.verdict ?? verdict;
}

/**
 * The product's verdict when a round ends without one: 'testing' while another of its rounds is
 * open, else what its latest decided round of the current claims said, else 'untested'.
 */
export async function restoreProductVerdict(tx: Tx, productId: string): Promise<ProductVerdict> {
  const [latest] = await rows<{ open: boolean; verdict: string | null }>(
    tx,
    sql`with p as (select claims_event_id from catalog_products where id = ${productId})
        select exists (select 1 from consensus_rounds r, p where r.product_id = ${productId} and r.status = 'open'
                          and r.claims_event_id = p.claims_event_id) as open,
               (select r.verdict from consensus_rounds r, p where r.product_id = ${productId} and r.status = 'decided'
                   and r.claims_event_id = p.claims_event_id
                 order by r.decided_at desc, r.id desc limit 1) as verdict`,
  );
  const verdict: ProductVerdict = latest?.open
    ? 'testing'
    : latest?.verdict === 'pass'
      ? 'passed'
      : latest?.verdict === 'fail'
        ? 'failed'
        : 'untested';
  await tx.execute(sql`update catalog_products set verdict = ${verdict} where id = ${productId}`);
  return verdict;
}

/** The suspension's public reason, both languages, within the event's 500 characters. */
export function suspensionReason(roundId: string, failed: readonly string[]): string {
  for (let shown = failed.length; ; shown--) {
    const keys = failed.slice(0, shown).join(', ') + (shown < failed.length ? ', …' : '');
    const reason = `体验共识第 ${roundId} 轮未通过:${keys} 与声明不符。Consensus round ${roundId} failed: ${keys} do not conform to the claims.`;
    if (reason.length <= REASON_CHARS_MAX || shown === 0) return reason.slice(0, REASON_CHARS_MAX);
  }
}

/** The reason when a jury overturns a pass (what the round found conformed; the jury ruled otherwise). */
const overturnedReason = (roundId: string) =>
  `体验共识第 ${roundId} 轮的判定经仲裁改为不合格。Consensus round ${roundId} failed: its pass was overturned on appeal.`;

/**
 * Refunds offered to the buyers of the lot. Orders do not record the lot they were served from,
 * so the buyers of a lot are approximated as every order with a line of the product placed once
 * the lot was registered, that was paid and is not refunded in full (it may include buyers served
 * from an older lot still in stock; no buyer of the lot is left out). Offers withdrawn when a
 * jury overturned the fail are made again if a later instance fails the lot once more.
 */
async function offerRefunds(tx: Tx, round: RoundRow, now: Date): Promise<number> {
  const offered = await rows<{ order_id: string }>(
    tx,
    sql`insert into consensus_refund_offers (round_id, order_id, buyer_did, status, created_at)
        select ${round.id}, o.id, o.buyer_did, 'offered', ${now.toISOString()}::timestamptz from orders o
         where o.status in ${[...REFUNDABLE_STATUSES]} and o.refunded_fen < o.total_fen
           and o.created_at >= (select created_at from catalog_lots where product_id = ${round.product_id} and lot_id = ${round.lot_id})
           and o.created_at <= ${now.toISOString()}::timestamptz
           -- A tester's purchase is the cost of the test, whatever the verdict: refunding it only
           -- when the product fails would pay testers for failing it.
           and not exists (select 1 from consensus_round_testers t where t.order_id = o.id)
           and exists (select 1 from order_lines l where l.order_id = o.id and l.product_id = ${round.product_id}
                                                      and l.refunded_quantity < l.quantity)
        on conflict (round_id, order_id) do update set status = 'offered', created_at = excluded.created_at
          where consensus_refund_offers.status = 'withdrawn'
        returning order_id`,
  );
  return offered.length;
}

export interface VerdictConsequences {
  productVerdict: ProductVerdict;
  badge?: { productId: string; roundId: string; lotId: string };
  suspendedEventId?: string | null;
  refundOffers?: number;
  depositCut?: { eventId: string; amountFen: string } | null;
}

/**
 * Applies a decided verdict to the product, in the tally's transaction (or the ruling's, when a
 * jury replaces it): `failReason` is the suspension's public reason.
 */
export async function applyVerdict(
  ctx: AppContext,
  tx: Tx,
  round: RoundRow,
  verdict: 'pass' | 'fail',
  failReason: string,
  now: Date,
): Promise<VerdictConsequences> {
  if (verdict === 'pass') {
    await tx.execute(
      sql`insert into consensus_badges (product_id, round_id, lot_id, awarded_at)
          values (${round.product_id}, ${round.id}, ${round.lot_id}, ${now.toISOString()}::timestamptz)
          on conflict (product_id, round_id) do update set revoked_at = null, awarded_at = excluded.awarded_at`,
    );
    const productVerdict = await verdictFromRound(tx, round.id, 'passed');
    return { productVerdict, badge: { productId: round.product_id, roundId: round.id, lotId: round.lot_id } };
  }
  const productVerdict = await verdictFromRound(tx, round.id, 'failed');
  // A failed lot withdraws the badges of the product's earlier lots under the same claims: the
  // page must not show one.
  await tx.execute(
    sql`update consensus_badges b set revoked_at = ${now.toISOString()}::timestamptz
         where b.product_id = ${round.product_id} and b.revoked_at is null
           and b.round_id in (select o.id from consensus_rounds o join consensus_rounds r on r.id = ${round.id}
                               where o.product_id = r.product_id and o.claims_event_id = r.claims_event_id)`,
  );
  const [product] = await rows<{ status: string }>(
    tx,
    sql`select status from catalog_products where id = ${round.product_id}`,
  );
  let suspendedEventId: string | null = null;
  if (product !== undefined && product.status !== 'suspended') {
    const receipt = await platformAct(ctx, tx, 'catalog.product.suspended', {
      productId: round.product_id,
      reason: failReason,
    });
    suspendedEventId = receipt.eventId;
  }
  const refundOffers = await offerRefunds(tx, round, now);
  // A round's deposit is cut once while it stands failed, however often appeals make it fail.
  const { cut } = await roundCuts(tx, round.id);
  const cutFen = shareOf(await depositHeld(tx, round.producer_did), DEFAULT_CONSENSUS_POLICY.failDepositCutBps);
  let depositCut: VerdictConsequences['depositCut'] = null;
  if (!cut && cutFen > 0n) {
    const receipt = await platformAct(ctx, tx, consensusDepositCut.type, {
      roundId: round.id,
      producer: round.producer_did,
      amountFen: cutFen.toString(),
    });
    depositCut = { eventId: receipt.eventId, amountFen: cutFen.toString() };
  }
  return { productVerdict, suspendedEventId, refundOffers, depositCut };
}

/**
 * A verdict replaced by a jury (rulings.ts calls this in the ruling's transaction): the round and
 * the product take the new verdict with its consequences. Overturned to fail: as a failed tally
 * (suspension, refund offers, deposit cut). Overturned to pass: the badge, the product passed,
 * the offers still open withdrawn, and the listing's suspension for this round lifted (the product
 * comes back delisted, for its producer to list again), and the deposit cut paid back
 * (`consensus.deposit.restored`): the producer was not at fault.
 */
export async function replaceVerdict(
  ctx: AppContext,
  tx: Tx,
  roundId: string,
  verdict: 'pass' | 'fail',
  now: Date,
): Promise<void> {
  const round = await roundRow(tx, roundId, true);
  if (round === undefined) return;
  await tx.execute(sql`update consensus_rounds set verdict = ${verdict} where id = ${roundId}`);
  if (verdict === 'fail') {
    await applyVerdict(ctx, tx, round, 'fail', overturnedReason(roundId), now);
    return;
  }
  await applyVerdict(ctx, tx, round, 'pass', '', now);
  await tx.execute(
    sql`update consensus_refund_offers set status = 'withdrawn' where round_id = ${roundId} and status = 'offered'`,
  );
  const [product] = await rows<{ status: string; suspended_reason: string | null }>(
    tx,
    sql`select status, suspended_reason from catalog_products where id = ${round.product_id}`,
  );
  // Only a suspension this round caused is lifted; one for another reason stays the operator's.
  if (product?.status === 'suspended' && product.suspended_reason?.includes(`Consensus round ${roundId} failed`)) {
    await platformAct(ctx, tx, 'catalog.product.reinstated', { productId: round.product_id });
  }
  const cuts = await roundCuts(tx, roundId);
  if (cuts.cut) {
    await platformAct(ctx, tx, consensusDepositRestored.type, {
      roundId,
      producer: round.producer_did,
      amountFen: cuts.lastCutFen.toString(),
    });
  }
}

// The ruling module applies overturned verdicts through this module's consequences.

/**
 * The round a deposit cut or payback names, locked: decided and standing at `verdict`, of the
 * named producer; then the producer's deposit cuts are serialised and the round's cuts read.
 */
async function roundStanding(tx: Tx, body: { roundId: string; producer: string }, verdict: 'pass' | 'fail') {
  const [round] = await rows<{ producer_did: string; status: string; verdict: string | null }>(
    tx,
    sql`select producer_did, status, verdict from consensus_rounds where id = ${body.roundId} for update`,
  );
  if (round === undefined) throw notFound(`Round ${body.roundId}`, 'body.roundId');
  if (round.status !== 'decided' || round.verdict !== verdict)
    throw conflict(
      verdict === 'fail' ? 'not_failed' : 'not_passed',
      `Round ${body.roundId} does not stand ${verdict === 'fail' ? 'failed' : 'passed'}.`,
      'body.roundId',
    );
  if (round.producer_did !== body.producer)
    throw new AppError(422, 'producer_mismatch', `Round ${body.roundId} tested another producer.`, 'body.producer');
  // A rating cut and a verdict's cut or payback of one deposit take turns.
  await lockProducerDeposit(tx, body.producer);
  return roundCuts(tx, body.roundId);
}

/**
 * The platform cuts a producer's deposit for a failed round. The handler re-applies the rule: the
 * round is decided 'fail', of this producer, not cut before, and the amount is failDepositCutBps
 * of the deposit held now. The money moves as the rating cut moves it (distribution/ratings.ts):
 * the deposit's payment holds are posted, then the cut goes to the platform's deposit-cut revenue.
 */
export const consensusDepositCut = defineEvent({
  type: 'consensus.deposit.cut',
  summary:
    "The platform cuts a producer's deposit because a consensus round failed their product; names the round. Derived: anyone can recompute it from the round's verdict and the deposit.",
  body: CONSENSUS_DEPOSIT_CUT_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform cuts a deposit, by the verdict rule.');
    const ctx = appOf(event);
    const { tx } = event;
    const now = signedAt(event);
    const cuts = await roundStanding(tx, body, 'fail');
    if (cuts.cut) throw conflict('already_cut', `Round ${body.roundId} has cut the deposit already.`);
    const transferId = cuts.nextCutId;
    const held = await depositHeld(tx, body.producer);
    const cutFen = shareOf(held, DEFAULT_CONSENSUS_POLICY.failDepositCutBps);
    if (cutFen.toString() !== body.amountFen) {
      throw conflict('amount_mismatch', `The cut of the deposit held now is ${cutFen} fen.`, 'body.amountFen');
    }
    await cutDeposit(ctx, tx, {
      producer: body.producer,
      amountFen: cutFen,
      transferId,
      reference: body.roundId,
      now,
    });
    return {
      roundId: body.roundId,
      producer: body.producer,
      amountFen: cutFen.toString(),
      depositLeftFen: (await depositHeld(tx, body.producer)).toString(),
    };
  },
});

/**
 * The platform pays back a round's deposit cut once a jury has overturned the round's fail: the
 * handler re-applies the rule — the round stands passed, of this producer, its deposit cut and
 * not paid back, and the amount is that cut's. The money comes back from the deposit-cut revenue
 * to the producer's deposit.
 */
export const consensusDepositRestored = defineEvent({
  type: 'consensus.deposit.restored',
  summary:
    "The platform pays back the deposit cut of a round whose fail a jury overturned; names the round. Derived: anyone can recompute it from the round's verdict and its cut.",
  body: CONSENSUS_DEPOSIT_CUT_BODY.extend({ amountFen: FEN.describe('The amount of the round’s latest cut') }).strict(),
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform pays back a deposit cut, by the verdict rule.');
    const { tx } = event;
    const now = signedAt(event);
    const cuts = await roundStanding(tx, body, 'pass');
    if (!cuts.cut) throw conflict('not_cut', `Round ${body.roundId} has no deposit cut to pay back.`, 'body.roundId');
    if (cuts.lastCutFen.toString() !== body.amountFen)
      throw conflict('amount_mismatch', `The round's cut was ${cuts.lastCutFen} fen.`, 'body.amountFen');
    await restoreDeposit(tx, {
      producer: body.producer,
      amountFen: cuts.lastCutFen,
      transferId: cuts.nextPaybackId,
      reference: body.roundId,
      now,
    });
    return {
      roundId: body.roundId,
      producer: body.producer,
      amountFen: body.amountFen,
      depositHeldFen: (await depositHeld(tx, body.producer)).toString(),
    };
  },
});
