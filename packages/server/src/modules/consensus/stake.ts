import type { Nomination as StakedNomination } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { type Executor, fromJsonb, rows, type Tx, transaction } from '../../db/connection.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { createAccounts, createTransfers } from '../accounting/ledger.js';
import { available, ensurePoints, POINTS_LEDGER, pointsAccount, STAKE_CODE } from '../distribution/accounts.js';
import { addLots, settledLots } from '../distribution/points-ledger.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { platformAct } from '../orders/platform-acts.js';
import { requirePlatform } from '../orders/transitions.js';
import { nominable } from './candidates.js';
import { DEFAULT_CONSENSUS_POLICY } from './policy.js';
import { signedAt } from './signed-time.js';

/**
 * Nominated stake (DESIGN §8.2, as Polkadot's NPoS): a nominator names up to 16 targets and locks
 * points behind all of them. The points stay on the POINTS ledger, moved from `points:<did>` to
 * the nominator's own locked account `stake:<did>`, so the ledger itself refuses to stake more
 * than is held and the points summary still adds up. Raising the stake locks the difference at
 * once; lowering it is an unlock, which takes the points out of the stake (they no longer back
 * anyone) but keeps them locked for the cool-down, so a nominator cannot leave right before the
 * consequences of a round they backed (slashing) reach them. A job releases due unlocks as
 * platform acts.
 *
 * Invariant: the balance of `stake:<did>` = the nomination's stake_points + its cooling unlocks.
 */

export const stakeAccount = (did: string) => `stake:${did}`;

// Advisory lock class: one change of a nominator's stake at a time (6030–6039 are consensus's).
const STAKE_LOCK = 6030;

const DAY_MS = 86_400_000;

export const POSITIVE_POINTS = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number of points as a decimal string, e.g. "500"');

export const UNLOCK_ID = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, '1–64 of A–Z a–z 0–9 _ -, chosen by the nominator (e.g. random)');

/** A hard bound on the body only: the policy's limit (16) is checked by the handler, with a 422. */
const TARGETS_MAX_BODY = 64;

export const NOMINATION_SET_BODY = z
  .object({
    targets: z
      .array(DID_SCHEMA)
      .min(1)
      .max(TARGETS_MAX_BODY)
      .describe('1–16 distinct accounts: declared candidates who are testers, or experts'),
    stakePoints: POSITIVE_POINTS.describe('The total points locked behind the targets (not an increment)'),
  })
  .strict();

export const STAKE_UNLOCKED_BODY = z
  .object({
    unlockId: UNLOCK_ID,
    amountPoints: POSITIVE_POINTS.describe('Points taken out of the stake; they return after the cool-down'),
  })
  .strict();

export const STAKE_RELEASED_BODY = z.object({ unlockId: UNLOCK_ID }).strict();

async function ensureStake(tx: Tx, did: string): Promise<void> {
  await ensurePoints(tx, did);
  await createAccounts(tx, [
    { key: stakeAccount(did), ledger: POINTS_LEDGER, code: STAKE_CODE, owner: did, debitsMustNotExceedCredits: true },
  ]);
}

/** Serialises every change of `did`'s stake (nominate, unlock, release, slash) within the transaction. */
export const lockNominator = (tx: Tx, did: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(${STAKE_LOCK}, hashtext(${did}))`);

interface NominationRow {
  nominator_did: string;
  targets: string[] | string;
  stake_points: string;
  set_event_id: string;
  updated_at: Date | string;
}

export interface Nomination {
  nominator: string;
  targets: string[];
  stakePoints: bigint;
  setEventId: string;
  updatedAt: Date;
}

const toNomination = (row: NominationRow): Nomination => ({
  nominator: row.nominator_did,
  targets: fromJsonb(row.targets),
  stakePoints: BigInt(row.stake_points),
  setEventId: String(row.set_event_id),
  updatedAt: new Date(row.updated_at),
});

/**
 * Every nomination with stake, as an election, a round's backing or a jury's stakes read them;
 * with `candidatesOf`, only those naming at least one candidate of that category (what its
 * election counts: the rest would be filtered out by the rule anyway).
 */
export async function stakedNominations(executor: Executor, candidatesOf?: string): Promise<StakedNomination[]> {
  const found = await rows<Pick<NominationRow, 'nominator_did' | 'targets' | 'stake_points'>>(
    executor,
    sql`select n.nominator_did, n.targets, n.stake_points::text as stake_points from consensus_nominations n
         where n.stake_points > 0 ${
           candidatesOf === undefined
             ? sql``
             : sql`and exists (select 1 from jsonb_array_elements_text(n.targets) t(did)
                                join consensus_candidates c on c.did = t.did and c.category = ${candidatesOf})`
         }
         order by n.nominator_did`,
  );
  return found.map((row) => ({
    nominator: row.nominator_did,
    targets: fromJsonb(row.targets),
    stakeFen: BigInt(row.stake_points),
  }));
}

export interface SlashMove {
  party: string;
  amountPoints: bigint;
  /** Where the slashed points go on the POINTS ledger. */
  creditAccount: string;
  transferId: string;
  reference: string;
  now: Date;
}

/**
 * Takes a slash out of a nominator's stake: `stake:<did>` → `creditAccount`, and the
 * nomination's stake_points less as much, so the invariant above stays true. A nominator whose
 * stake has shrunk since it was read (unlocked meanwhile) loses at most what is still staked:
 * points that are cooling down are not slashed. Returns what was taken.
 */
export async function slashStake(tx: Tx, move: SlashMove): Promise<bigint> {
  // A slash and a change of stake take turns.
  await lockNominator(tx, move.party);
  const [nomination] = await rows<{ stake_points: string }>(
    tx,
    sql`select stake_points::text as stake_points from consensus_nominations where nominator_did = ${move.party} for update`,
  );
  const staked = BigInt(nomination?.stake_points ?? '0');
  const held = await available(tx, stakeAccount(move.party));
  let slashed = move.amountPoints < staked ? move.amountPoints : staked;
  if (held < slashed) slashed = held;
  if (slashed <= 0n) return 0n;
  await createTransfers(
    tx,
    [
      {
        id: move.transferId,
        debitAccount: stakeAccount(move.party),
        creditAccount: move.creditAccount,
        amount: slashed,
        code: 'stake_slash',
        reference: move.reference,
      },
    ],
    move.now,
  );
  await tx.execute(
    sql`update consensus_nominations set stake_points = stake_points - ${slashed.toString()}::int8,
          updated_at = ${move.now.toISOString()}::timestamptz where nominator_did = ${move.party}`,
  );
  return slashed;
}

export async function nominationOf(executor: Executor, did: string): Promise<Nomination | undefined> {
  const [row] = await rows<NominationRow>(
    executor,
    sql`select nominator_did, targets, stake_points::text as stake_points, set_event_id::text as set_event_id, updated_at
          from consensus_nominations where nominator_did = ${did}`,
  );
  return row && toNomination(row);
}

export const nominationSet = defineEvent({
  type: 'consensus.nomination.set',
  summary:
    'Name up to 16 targets (testers who are candidates, or experts) and the total points locked behind them. Raising the stake locks the difference from your points at once; to lower it, send consensus.stake.unlocked.',
  body: NOMINATION_SET_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const { tx, actor, eventId } = event;
    const now = signedAt(event);
    const policy = DEFAULT_CONSENSUS_POLICY;
    const { targets } = body;
    if (targets.length > policy.maxTargets) {
      throw new AppError(
        422,
        'too_many_targets',
        `A nomination names at most ${policy.maxTargets} targets, not ${targets.length}.`,
        'body.targets',
      );
    }
    const seen = new Set<string>();
    targets.forEach((target, i) => {
      if (seen.has(target))
        throw new AppError(422, 'duplicate_target', `${target} is named twice.`, `body.targets[${i}]`);
      seen.add(target);
    });
    const allowed = await nominable(tx, targets);
    targets.forEach((target, i) => {
      if (!allowed.has(target)) {
        throw new AppError(
          422,
          'not_a_candidate',
          `${target} is neither a tester standing as a candidate nor an expert.`,
          `body.targets[${i}]`,
        );
      }
    });

    await lockNominator(tx, actor);
    const before = await nominationOf(tx, actor);
    const previous = before?.stakePoints ?? 0n;
    const stake = BigInt(body.stakePoints);
    if (stake < previous) {
      throw conflict(
        'unlock_required',
        `Your stake is ${previous} points. To lower it, send consensus.stake.unlocked: the points cool down for ${policy.unlockCooldownDays} days before they return.`,
        'body.stakePoints',
      );
    }
    const locked = stake - previous;
    if (locked > 0n) {
      await ensureStake(tx, actor);
      // The holding's lots under their lock: the stake leaves with the oldest points, as every debit.
      await settledLots(tx, actor, now);
      const held = await available(tx, pointsAccount(actor));
      if (held < locked) throw insufficientPoints(held, locked);
      try {
        await createTransfers(
          tx,
          [
            {
              id: `stake-lock:${eventId}`,
              debitAccount: pointsAccount(actor),
              creditAccount: stakeAccount(actor),
              amount: locked,
              code: 'stake_lock',
              reference: `nomination:${eventId}`,
            },
          ],
          now,
        );
      } catch (error) {
        // Points spent meanwhile (a checkout hold): the ledger's refusal, in this request's terms.
        if (error instanceof AppError && error.code === 'exceeds_credits') throw insufficientPoints(held, locked);
        throw error;
      }
    }
    await tx.execute(
      sql`insert into consensus_nominations (nominator_did, targets, stake_points, set_event_id, updated_at)
          values (${actor}, ${JSON.stringify(targets)}::jsonb, ${stake.toString()}::int8, ${eventId.toString()}::int8,
                  ${now.toISOString()}::timestamptz)
          on conflict (nominator_did) do update set targets = excluded.targets, stake_points = excluded.stake_points,
            set_event_id = excluded.set_event_id, updated_at = excluded.updated_at`,
    );
    return {
      nominator: actor,
      targets,
      stakePoints: stake.toString(),
      lockedNowPoints: locked.toString(),
      pointsBalance: (await available(tx, pointsAccount(actor))).toString(),
    };
  },
});

const insufficientPoints = (held: bigint, wanted: bigint) =>
  new AppError(
    409,
    'insufficient_points',
    `Raising the stake locks ${wanted} more points; you hold ${held} you can use.`,
    'body.stakePoints',
  );

export const stakeUnlocked = defineEvent({
  type: 'consensus.stake.unlocked',
  summary:
    'Take points out of your stake: they stop backing your targets now and return to your points after the cool-down (28 days).',
  body: STAKE_UNLOCKED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const { tx, actor, eventId } = event;
    const now = signedAt(event);
    const policy = DEFAULT_CONSENSUS_POLICY;
    await lockNominator(tx, actor);
    const nomination = await nominationOf(tx, actor);
    const amount = BigInt(body.amountPoints);
    const staked = nomination?.stakePoints ?? 0n;
    if (amount > staked) {
      throw conflict(
        'insufficient_stake',
        `You have ${staked} points staked; ${amount} cannot be unlocked.`,
        'body.amountPoints',
      );
    }
    const unlockAt = new Date(now.getTime() + policy.unlockCooldownDays * DAY_MS);
    const [inserted] = await rows<{ id: string }>(
      tx,
      sql`insert into consensus_unlocks (id, nominator_did, amount_points, unlock_at, status, requested_event_id, created_at)
          values (${body.unlockId}, ${actor}, ${amount.toString()}::int8, ${unlockAt.toISOString()}::timestamptz,
                  'cooling', ${eventId.toString()}::int8, ${now.toISOString()}::timestamptz)
          on conflict (id) do nothing returning id`,
    );
    if (inserted === undefined)
      throw conflict('unlock_id_taken', `Unlock ${body.unlockId} exists already; choose another id.`, 'body.unlockId');
    await tx.execute(
      sql`update consensus_nominations set stake_points = stake_points - ${amount.toString()}::int8,
            updated_at = ${now.toISOString()}::timestamptz
          where nominator_did = ${actor}`,
    );
    return {
      unlockId: body.unlockId,
      nominator: actor,
      amountPoints: amount.toString(),
      stakePoints: (staked - amount).toString(),
      unlockAt: unlockAt.toISOString(),
      status: 'cooling',
    };
  },
});

interface UnlockRow {
  id: string;
  nominator_did: string;
  amount_points: string;
  unlock_at: Date | string;
  status: 'cooling' | 'released';
  requested_event_id: string;
  released_at: Date | string | null;
  created_at: Date | string;
}

export const unlockView = (row: UnlockRow) => ({
  unlockId: row.id,
  nominator: row.nominator_did,
  amountPoints: String(row.amount_points),
  unlockAt: new Date(row.unlock_at).toISOString(),
  status: row.status,
  requestedEventId: String(row.requested_event_id),
  releasedAt: row.released_at === null ? null : new Date(row.released_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
});

export const stakeReleased = defineEvent({
  type: 'consensus.stake.released',
  summary:
    'The platform returns an unlock whose cool-down is over: the points move from the locked stake back to the nominator.',
  body: STAKE_RELEASED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform releases unlocked stake, when its cool-down is over.');
    const { tx } = event;
    const now = signedAt(event);
    const [unlock] = await rows<UnlockRow>(
      tx,
      sql`select * from consensus_unlocks where id = ${body.unlockId} for update`,
    );
    if (unlock === undefined) throw notFound(`Unlock ${body.unlockId}`, 'body.unlockId');
    if (unlock.status !== 'cooling')
      throw conflict('already_released', `Unlock ${body.unlockId} was released already.`, 'body.unlockId');
    const unlockAt = new Date(unlock.unlock_at);
    if (unlockAt.getTime() > now.getTime()) {
      throw conflict(
        'still_cooling',
        `Unlock ${body.unlockId} cools down until ${unlockAt.toISOString()}.`,
        'body.unlockId',
      );
    }
    const did = unlock.nominator_did;
    const amount = BigInt(unlock.amount_points);
    await lockNominator(tx, did);
    // Settle the holding's lots first, so the returning points become one lot of today (the
    // points' earlier ages are not kept while staked).
    await settledLots(tx, did, now);
    await createTransfers(
      tx,
      [
        {
          id: `stake-release:${unlock.id}`,
          debitAccount: stakeAccount(did),
          creditAccount: pointsAccount(did),
          amount,
          code: 'stake_release',
          reference: `unlock:${unlock.id}`,
        },
      ],
      now,
    );
    await addLots(tx, did, [{ amountPoints: amount, earnedAtMs: now.getTime() }]);
    await tx.execute(
      sql`update consensus_unlocks set status = 'released', released_at = ${now.toISOString()}::timestamptz
          where id = ${unlock.id}`,
    );
    return { unlockId: unlock.id, nominator: did, amountPoints: amount.toString(), status: 'released' };
  },
});

/**
 * Releases up to `limit` unlocks whose cool-down is over at the context's clock, each in its own
 * transaction as a platform act; returns how many were released. One that fails is left for the
 * next run, so it never holds up the others.
 */
export async function releaseDueUnlocks(ctx: AppContext, limit = 200): Promise<number> {
  const now = ctx.clock();
  const due = await rows<{ id: string }>(
    ctx.database.db,
    sql`select id from consensus_unlocks where status = 'cooling' and unlock_at <= ${now.toISOString()}::timestamptz
        order by unlock_at, id limit ${limit}`,
  );
  let released = 0;
  for (const { id } of due) {
    try {
      const done = await transaction(ctx.database.db, async (tx) => {
        const [row] = await rows<{ id: string }>(
          tx,
          sql`select id from consensus_unlocks where id = ${id} and status = 'cooling' for update skip locked`,
        );
        if (row === undefined) return false;
        await platformAct(ctx, tx, stakeReleased.type, { unlockId: id });
        return true;
      });
      if (done) released++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  return released;
}

/** What `stake:<did>` holds: the stake plus the cooling unlocks (0 before the first lock). */
export const lockedPoints = (executor: Executor, did: string): Promise<bigint> =>
  available(executor, stakeAccount(did));

/** A nominator's unlocks, newest first, before the unlock `before` (a cursor from an earlier page). */
export async function unlocksOf(
  executor: Executor,
  did: string,
  options: { before?: string | undefined; limit: number },
): Promise<UnlockRow[]> {
  const cursor =
    options.before === undefined
      ? sql``
      : sql`and (created_at, id) < (select created_at, id from consensus_unlocks where id = ${options.before} and nominator_did = ${did})`;
  return rows<UnlockRow>(
    executor,
    sql`select id, nominator_did, amount_points::text as amount_points, unlock_at, status,
               requested_event_id::text as requested_event_id, released_at, created_at
          from consensus_unlocks where nominator_did = ${did} ${cursor}
         order by created_at desc, id desc limit ${options.limit}`,
  );
}

/** The points of a nominator's unlocks still cooling down. */
export async function coolingPoints(executor: Executor, did: string): Promise<bigint> {
  const [row] = await rows<{ total: string }>(
    executor,
    sql`select coalesce(sum(amount_points), 0)::text as total from consensus_unlocks
         where nominator_did = ${did} and status = 'cooling'`,
  );
  return BigInt(row?.total ?? '0');
}
