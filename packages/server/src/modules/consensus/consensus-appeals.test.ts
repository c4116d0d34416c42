import { drawJury, type JuryChoice, juryStakes, resultDigest } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, transaction } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, register, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, bearer, deliverWebhooks, send } from '../../test-support/commerce.js';
import {
  appeal,
  appealCase,
  decidedRound as decidedRoundOf,
  juryVotesAndRuling,
} from '../../test-support/consensus-appeals.js';
import { tableCounts } from '../../test-support/database.js';
import { DAY_MS, type Member, pointsHolder, riceShop, signedInMember } from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { depositHeld } from '../catalog/deposits.js';
import { available, earningsAccount, pointsAccount } from '../distribution/accounts.js';
import { findPayment } from '../payments/service.js';
import { caseIdOf } from './appeals.js';
import { ARBITRATION_ACCOUNT } from './rulings.js';
import { nominationOf, stakeAccount } from './stake.js';
import { replaceVerdict } from './verdict.js';

let t: TestApp;
let producer: Member;
const experts: KeyPair[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'appeal-rice', 100);
  for (let i = 0; i < 12; i++) experts.push(await accountWithRole(t, 'expert'));
  await t.integrate();
});
afterAll(async () => {
  await t?.close();
});

const decidedRound = (verdict: 'pass' | 'fail') => decidedRoundOf(t, producer, 'appeal-rice', verdict);
const fileAppeal = (by: Member, roundId: string, instance: number, simulate = 'succeed') =>
  appeal(t, by, roundId, instance, simulate);
const caseOf = (caseId: string) => appealCase(t, caseId);
const voteAndRule = (caseId: string, instance: number, votes: (juror: string, i: number) => JuryChoice) =>
  juryVotesAndRuling(t, experts, caseId, instance, votes);

describe('appeals to a jury', () => {
  it('draws the jury once the bond is paid, as anyone can recompute from the checkpoint', async () => {
    const roundId = await decidedRound('fail');
    const filed = await fileAppeal(producer, roundId, 0);
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.json().appeal).toMatchObject({ status: 'awaiting_bond', bondFen: '10000', verdictAppealed: 'fail' });
    await deliverWebhooks(t);
    const view = await caseOf(caseIdOf(roundId));
    expect(view.instances[0].status).toBe('voting');
    expect(view.instances[0].jurors).toHaveLength(3);
    const [stored] = await rows<{ digest: string }>(
      t.ctx.database.db,
      sql`select digest from consensus_results where kind = 'draw' and subject = ${`jury:${caseIdOf(roundId)}`}`,
    );
    // Every expert weighs 1 (none has tested anything); the author of the product's model is tied.
    const [{ expert_did: modelExpert } = { expert_did: '' }] = await rows<{ expert_did: string }>(
      t.ctx.database.db,
      sql`select expert_did from catalog_model_versions where model_id = 'rice-model'`,
    );
    const pool = await rows<{ did: string }>(
      t.ctx.database.db,
      sql`select did from account_roles where role = 'expert'`,
    );
    const redrawn = drawJury({
      checkpointRoot: view.instances[0].checkpointRoot,
      caseId: caseIdOf(roundId),
      instance: 0,
      pool: pool.map((e) => ({ id: e.did, weight: 1 })),
      exclude: [producer.pair.did, modelExpert],
    });
    expect([...redrawn.drawn].sort()).toEqual(view.instances[0].jurors.map((j: { juror: string }) => j.juror).sort());
    expect(resultDigest(redrawn)).toBe(stored?.digest);
  });

  it('overturns a verdict by majority: the bond comes back less the jury fee, and the product is no longer failed', async () => {
    const roundId = await decidedRound('fail');
    const caseId = caseIdOf(roundId);
    expect((await fileAppeal(producer, roundId, 0)).statusCode).toBe(201);
    await deliverWebhooks(t);
    const { view } = await voteAndRule(caseId, 0, (_j, i) => (i < 2 ? 'overturn' : 'uphold'));
    expect(view.instances[0]).toMatchObject({ status: 'ruled', ruling: 'overturn' });
    expect(view.instances[0].jurors.map((j: { coherent: boolean }) => j.coherent).filter(Boolean)).toHaveLength(2);
    const [round] = await rows<{ verdict: string }>(
      t.ctx.database.db,
      sql`select verdict from consensus_rounds where id = ${roundId}`,
    );
    expect(round?.verdict).toBe('pass');
    // 30% of the bond is the jury's fee, whichever way it rules: 1,500 to each coherent juror.
    expect((await findPayment(t.ctx.database.db, `bond-${caseId}-0`))?.refunded).toBe(7_000n);
    expect(
      view.instances[0].jurors.map((j: { coherent: boolean; rewardFen: string }) => [j.coherent, j.rewardFen]).sort(),
    ).toEqual([
      [false, '0'],
      [true, '1500'],
      [true, '1500'],
    ]);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('lets a verdict stand: coherent jurors share the same fee, the pool keeps the rest; a second instance doubles bond and jury', async () => {
    const roundId = await decidedRound('fail');
    const caseId = caseIdOf(roundId);
    expect((await fileAppeal(producer, roundId, 0)).statusCode).toBe(201);
    await deliverWebhooks(t);
    // Jurors may have served in earlier cases of this file: what this ruling pays is the difference.
    const balances = async (keys: string[]) =>
      new Map(
        (await getAccounts(t.ctx.database.db, keys)).map((a) => [a.key, a.creditsPosted - a.debitsPosted] as const),
      );
    const accounts = experts.map((pair) => earningsAccount(pair.did));
    const before = await balances([...accounts, ARBITRATION_ACCOUNT]);
    const { jurors, view } = await voteAndRule(caseId, 0, () => 'uphold');
    expect(view.instances[0]).toMatchObject({ ruling: 'uphold' });
    const after = await balances([...accounts, ARBITRATION_ACCOUNT]);
    const earned = (key: string) => (after.get(key) ?? 0n) - (before.get(key) ?? 0n);
    // The fee an overturn pays (above), no more: upholding earns a juror nothing extra.
    expect(jurors.map((j) => earned(earningsAccount(j)))).toEqual([1_000n, 1_000n, 1_000n]);
    expect(earned(ARBITRATION_ACCOUNT)).toBe(7_000n);
    expect((await findPayment(t.ctx.database.db, `bond-${caseId}-0`))?.refunded).toBe(0n);

    const second = await fileAppeal(producer, roundId, 1);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().appeal).toMatchObject({ bondFen: '20000', verdictAppealed: 'fail' });
    await deliverWebhooks(t);
    const again = await caseOf(caseId);
    const newJury = again.instances[1].jurors.map((j: { juror: string }) => j.juror);
    expect(newJury).toHaveLength(7);
    expect(newJury.filter((j: string) => jurors.includes(j))).toEqual([]);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('refuses appeals by strangers, out of time, or of an instance not yet ruled, writing nothing', async () => {
    const roundId = await decidedRound('pass');
    const stranger = await signedInMember(t);
    const before = await tableCounts(t.ctx.database);
    const byStranger = await fileAppeal(stranger, roundId, 0);
    expect(byStranger.statusCode).toBe(403);
    expect(byStranger.json().error.code).toBe('not_a_party');
    const early = await fileAppeal(producer, roundId, 1);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('not_appealable');
    t.clock.now = new Date(Date.now() + 8 * DAY_MS);
    const late = await send(t, producer.pair, 'consensus.appeal.filed', {
      roundId,
      instance: 0,
      grounds: '检测方法不符合标准 GB/T 20886 的取样要求',
    });
    t.clock.now = new Date();
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('appeal_closed');
    const counts = await tableCounts(t.ctx.database);
    delete counts.idempotency_keys;
    delete before.idempotency_keys;
    expect(counts).toEqual(before);
  });

  it('stakes the jurors’ backing: the incoherent juror’s backers are slashed for the coherent jurors’ backers', async () => {
    // Each expert is backed by a nominator of its own with 1,000 points.
    const backers = new Map<string, Member>();
    for (const expert of experts) {
      const backer = await pointsHolder(t, 1_000n);
      await accepted(t, backer.pair, 'consensus.nomination.set', { targets: [expert.did], stakePoints: '1000' });
      backers.set(expert.did, backer);
    }
    const roundId = await decidedRound('fail');
    const caseId = caseIdOf(roundId);
    expect((await fileAppeal(producer, roundId, 0)).statusCode).toBe(201);
    await deliverWebhooks(t);
    const drawn = (await caseOf(caseId)).instances[0].jurors;
    expect(drawn.map((j: { stakePoints: string }) => j.stakePoints)).toEqual(['1000', '1000', '1000']);
    // The draw publishes the stakes by digest, as anyone recomputes them from the nominations.
    const [envelope] = await rows<{ envelope: { body: { jurors: string[]; stakesDigest: string } } }>(
      t.ctx.database.db,
      sql`select envelope from events where type = 'consensus.jury.drawn' and envelope->'body'->>'caseId' = ${caseId}`,
    );
    const jurors = envelope?.envelope.body.jurors ?? [];
    expect(envelope?.envelope.body.stakesDigest).toBe(
      resultDigest(
        juryStakes(caseId, 0, jurors, [
          ...jurors.map((juror) => ({ nominator: backers.get(juror)!.pair.did, targets: [juror], stakeFen: 1_000n })),
        ]),
      ),
    );

    const { view } = await voteAndRule(caseId, 0, (_j, i) => (i === 0 ? 'uphold' : 'overturn'));
    const byJuror = new Map(view.instances[0].jurors.map((j: { juror: string }) => [j.juror, j]));
    // The votes go in the case view's juror order.
    const [against, ...majority] = drawn.map((j: { juror: string }) => j.juror) as string[];
    expect(byJuror.get(against!)).toMatchObject({
      coherent: false,
      slashPoints: '100',
      rewardPoints: '0',
      rewardFen: '0',
    });
    for (const juror of majority)
      expect(byJuror.get(juror)).toMatchObject({
        coherent: true,
        slashPoints: '0',
        rewardPoints: '50',
        rewardFen: '1500',
      });
    const stakeOf = async (member: Member) => (await nominationOf(t.ctx.database.db, member.pair.did))?.stakePoints;
    expect(await stakeOf(backers.get(against!)!)).toBe(900n);
    const [slashedStake] = await getAccounts(t.ctx.database.db, [stakeAccount(backers.get(against!)!.pair.did)]);
    expect((slashedStake?.creditsPosted ?? 0n) - (slashedStake?.debitsPosted ?? 0n)).toBe(900n);
    for (const juror of majority) {
      const backer = backers.get(juror)!;
      expect(await stakeOf(backer)).toBe(1_000n);
      // The reward is spendable points, not more stake.
      expect(await available(t.ctx.database.db, pointsAccount(backer.pair.did))).toBe(50n);
    }
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('cuts the deposit while a round stands failed, pays it back when overturned, and cuts again if failed again', async () => {
    const roundId = await decidedRound('pass');
    const paid = await t.app.inject({
      method: 'POST',
      url: '/v1/catalog/deposits',
      headers: { ...bearer(producer.token), 'idempotency-key': 'appeal-test-deposit' },
      payload: { amount: '50000' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    await deliverWebhooks(t);
    const held = () => depositHeld(t.ctx.database.db, producer.pair.did);
    const flip = (verdict: 'pass' | 'fail') =>
      transaction(t.ctx.database.db, (tx) => replaceVerdict(t.ctx, tx, roundId, verdict, t.ctx.clock()));
    const before = await held();
    expect(before).toBeGreaterThan(0n);
    const cut = (before * 2_000n) / 10_000n;
    await flip('fail');
    expect(await held()).toBe(before - cut);
    await flip('fail'); // failing again while failed cuts nothing more
    expect(await held()).toBe(before - cut);
    await flip('pass');
    expect(await held()).toBe(before);
    await flip('fail');
    expect(await held()).toBe(before - cut);
    const moves = await rows<{ id: string; amount: string }>(
      t.ctx.database.db,
      sql`select id, amount::text as amount from ledger_transfers where reference = ${roundId} order by seq`,
    );
    expect(moves).toEqual([
      { id: `consensus-deposit-cut:${roundId}`, amount: String(cut) },
      { id: `consensus-deposit-restored:${roundId}:1`, amount: String(cut) },
      { id: `consensus-deposit-cut:${roundId}:2`, amount: String(cut) },
    ]);
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
  });

  it('lapses an appeal whose bond payment fails', async () => {
    const roundId = await decidedRound('fail');
    expect((await fileAppeal(producer, roundId, 0, 'fail')).statusCode).toBe(201);
    await deliverWebhooks(t);
    expect((await caseOf(caseIdOf(roundId))).instances[0].status).toBe('lapsed');
  });
});
