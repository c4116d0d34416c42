import { type PhragmenVoter, resultDigest, seqPhragmen } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import type { KeyPair } from '../../keys.js';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import { accepted, accountWithRole, bearer, defineCategory, send } from '../../test-support/commerce.js';
import { tableCounts } from '../../test-support/database.js';
import { type Member, pointsHolder, signedInMember } from '../../test-support/shopping.js';
import { getAccounts, ledgerViolations } from '../accounting/ledger.js';
import { pointsBalance } from '../distribution/points-ledger.js';
import { pointsSummary } from '../distribution/points-transfers.js';
import { cycleOf } from '../distribution/supplier-tokens.js';
import { currentPanel, runPanelElections } from './panels.js';
import { lockedPoints, releaseDueUnlocks, stakeAccount } from './stake.js';

const DAY = 86_400_000;
let t: TestApp;
let operatorToken: string;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  operatorToken = await signIn(t, t.operator);
  for (const slug of ['stake-tea', 'panel-rice', 'panel-forged', 'panel-unbacked']) {
    await defineCategory(t, slug, { zh: slug, en: slug });
  }
});
afterAll(async () => {
  await t?.close();
});

const holder = (points: bigint) => pointsHolder(t, points);

/** A tester standing for `category`. */
async function candidate(category: string, commissionBps = 500): Promise<KeyPair> {
  const pair = await accountWithRole(t, 'tester');
  await accepted(t, pair, 'consensus.candidate.declared', { category, commissionBps });
  return pair;
}

const nominate = (m: Member, targets: string[], stakePoints: string) =>
  send(t, m.pair, 'consensus.nomination.set', { targets, stakePoints });
const balance = (m: Member) => pointsBalance(t.ctx.database.db, m.pair.did);
const me = async (token: string) =>
  (await t.app.inject({ method: 'GET', url: '/v1/consensus/me', headers: bearer(token) })).json();
const candidates = async (category: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/consensus/candidates?category=${category}&limit=100` })).json();
const elect = (token: string, category: string, key?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/consensus/panels/elect',
    headers: { ...bearer(token), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: { category },
  });

describe('candidates', () => {
  it('a tester stands for a category, with experience power from the approval; declaring again changes the commission', async () => {
    const tester = await candidate('stake-tea', 1_000);
    const again = await accepted(t, tester, 'consensus.candidate.declared', {
      category: 'stake-tea',
      commissionBps: 800,
    });
    expect(again).toMatchObject({ candidate: tester.did, status: 'updated', commissionBps: 800 });
    const listed = await candidates('stake-tea');
    const entry = listed.items.find((c: { did: string }) => c.did === tester.did);
    expect(entry).toMatchObject({ commissionBps: 800, eligible: true, backingPoints: '0', nominators: 0 });
    expect(entry.ep).toBeGreaterThan(0);
  });

  it('refuses a non-tester (403), an unknown category (404), a commission over 100% (400)', async () => {
    const member = await signedInMember(t);
    const refused = await send(t, member.pair, 'consensus.candidate.declared', {
      category: 'stake-tea',
      commissionBps: 500,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('role_required');

    const tester = await accountWithRole(t, 'tester');
    const unknown = await send(t, tester, 'consensus.candidate.declared', { category: 'no-such', commissionBps: 500 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.field).toBe('body.category');
    const tooMuch = await send(t, tester, 'consensus.candidate.declared', {
      category: 'stake-tea',
      commissionBps: 10_001,
    });
    expect(tooMuch.statusCode).toBe(400);
    const listing = await t.app.inject({ method: 'GET', url: '/v1/consensus/candidates?category=no-such' });
    expect(listing.statusCode).toBe(404);
  });
});

describe('nominations and stake', () => {
  let testers: KeyPair[];
  let expert: KeyPair;
  let nominator: Member;

  beforeAll(async () => {
    testers = [await candidate('stake-tea'), await candidate('stake-tea'), await candidate('stake-tea')];
    expert = await accountWithRole(t, 'expert');
    nominator = await holder(10_000n);
  });

  it('locks the stake behind three testers: the points move to the stake account', async () => {
    const response = await nominate(
      nominator,
      testers.map((p) => p.did),
      '6000',
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().result).toMatchObject({
      stakePoints: '6000',
      lockedNowPoints: '6000',
      pointsBalance: '4000',
    });
    expect(await balance(nominator)).toBe(4_000n);
    expect(await lockedPoints(t.ctx.database.db, nominator.pair.did)).toBe(6_000n);
    const [stake] = await getAccounts(t.ctx.database.db, [stakeAccount(nominator.pair.did)]);
    expect(stake).toMatchObject({ code: 'points_stake', owner: nominator.pair.did, ledger: 'POINTS' });

    const mine = await me(nominator.token);
    expect(mine.nomination).toMatchObject({ targets: testers.map((p) => p.did), stakePoints: '6000' });
    expect(mine).toMatchObject({ lockedPoints: '6000', coolingPoints: '0', pointsBalance: '4000', unlocks: [] });
    const listed = await candidates('stake-tea');
    for (const tester of testers) {
      expect(listed.items.find((c: { did: string }) => c.did === tester.did)).toMatchObject({
        backingPoints: '6000',
        nominators: 1,
      });
    }

    // Raising it locks the difference; an expert may be named too (juries draw experts).
    const raised = await nominate(nominator, [...testers.map((p) => p.did), expert.did], '7000');
    expect(raised.statusCode, raised.body).toBe(201);
    expect(raised.json().result.lockedNowPoints).toBe('1000');
    expect(await balance(nominator)).toBe(3_000n);
  });

  it('refuses more than held with 409 and writes nothing', async () => {
    const poor = await signedInMember(t);
    const before = await tableCounts(t.ctx.database);
    const refused = await nominate(
      nominator,
      testers.map((p) => p.did),
      '10001',
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'insufficient_points', field: 'body.stakePoints' });
    expect(await tableCounts(t.ctx.database)).toEqual(before);
    expect(await balance(nominator)).toBe(3_000n);
    expect(await lockedPoints(t.ctx.database.db, nominator.pair.did)).toBe(7_000n);

    // A first nomination without points: nothing either (not even the stake account).
    const none = await nominate(poor, [testers[0]!.did], '1');
    expect(none.statusCode).toBe(409);
    expect(await tableCounts(t.ctx.database)).toEqual(before);
  });

  it('refuses 17 targets, a target named twice, one that is no candidate (422), and lowering by a new nomination (409)', async () => {
    const seventeen = Array.from({ length: 17 }, () => newKeyPair().did);
    const tooMany = await nominate(nominator, seventeen, '7000');
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error).toMatchObject({ code: 'too_many_targets', field: 'body.targets' });

    const twice = await nominate(nominator, [testers[0]!.did, testers[0]!.did], '7000');
    expect(twice.statusCode).toBe(422);
    expect(twice.json().error).toMatchObject({ code: 'duplicate_target', field: 'body.targets[1]' });

    const plain = await signedInMember(t);
    const notCandidate = await nominate(nominator, [testers[0]!.did, plain.pair.did], '7000');
    expect(notCandidate.statusCode).toBe(422);
    expect(notCandidate.json().error).toMatchObject({ code: 'not_a_candidate', field: 'body.targets[1]' });

    // A tester who never declared is no candidate either.
    const undeclared = await accountWithRole(t, 'tester');
    expect((await nominate(nominator, [undeclared.did], '7000')).statusCode).toBe(422);

    const lower = await nominate(
      nominator,
      testers.map((p) => p.did),
      '5000',
    );
    expect(lower.statusCode).toBe(409);
    expect(lower.json().error).toMatchObject({ code: 'unlock_required', field: 'body.stakePoints' });
    expect(await lockedPoints(t.ctx.database.db, nominator.pair.did)).toBe(7_000n);
  });

  it('an unlock leaves the stake at once and returns the points after the 28-day cool-down', async () => {
    const unlocked = await accepted(t, nominator.pair, 'consensus.stake.unlocked', {
      unlockId: 'stake-test-unlock-1',
      amountPoints: '2000',
    });
    expect(unlocked).toMatchObject({ status: 'cooling', stakePoints: '5000', amountPoints: '2000' });
    const mine = await me(nominator.token);
    expect(mine).toMatchObject({ lockedPoints: '7000', coolingPoints: '2000' });
    expect(mine.nomination.stakePoints).toBe('5000');
    expect(mine.unlocks[0]).toMatchObject({ unlockId: 'stake-test-unlock-1', status: 'cooling', amountPoints: '2000' });
    const listed = await candidates('stake-tea');
    expect(listed.items.find((c: { did: string }) => c.did === testers[0]!.did).backingPoints).toBe('5000');

    const over = await send(t, nominator.pair, 'consensus.stake.unlocked', {
      unlockId: 'stake-test-unlock-2',
      amountPoints: '5001',
    });
    expect(over.statusCode).toBe(409);
    expect(over.json().error).toMatchObject({ code: 'insufficient_stake', field: 'body.amountPoints' });
    const reused = await send(t, nominator.pair, 'consensus.stake.unlocked', {
      unlockId: 'stake-test-unlock-1',
      amountPoints: '1',
    });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('unlock_id_taken');
    // Only the platform releases, and only when due.
    const early = await send(t, nominator.pair, 'consensus.stake.released', { unlockId: 'stake-test-unlock-1' });
    expect(early.statusCode).toBe(403);

    expect(await releaseDueUnlocks(t.ctx)).toBe(0);
    t.clock.now = new Date(Date.now() + 27 * DAY);
    expect(await releaseDueUnlocks(t.ctx)).toBe(0);
    t.clock.now = new Date(Date.now() + 29 * DAY);
    try {
      expect(await releaseDueUnlocks(t.ctx)).toBe(1);
      expect(await releaseDueUnlocks(t.ctx)).toBe(0);
    } finally {
      t.clock.now = new Date();
    }
    expect(await balance(nominator)).toBe(5_000n);
    expect(await lockedPoints(t.ctx.database.db, nominator.pair.did)).toBe(5_000n);
    const after = await me(nominator.token);
    expect(after).toMatchObject({ lockedPoints: '5000', coolingPoints: '0', pointsBalance: '5000' });
    expect(after.unlocks[0]).toMatchObject({ unlockId: 'stake-test-unlock-1', status: 'released' });
    const [released] = await rows<{ type: string }>(
      t.ctx.database.db,
      sql`select type from events where type = 'consensus.stake.released' and actor = ${t.operator.did}`,
    );
    expect(released?.type).toBe('consensus.stake.released');
  });
});

describe('panels', () => {
  const groupA: KeyPair[] = [];
  const groupB: KeyPair[] = [];
  const voters: { member: Member; stake: bigint; votes: string[] }[] = [];

  beforeAll(async () => {
    // 24 candidates for 21 seats: group A's 16 backed by two nominators with 2000 each, group
    // B's 8 by one with 2000 — a 2:1 split of the stake.
    // In parallel: the envelopes commit in shared batches, as a busy server's would.
    const made = await Promise.all(Array.from({ length: 24 }, () => candidate('panel-rice', 300)));
    groupA.push(...made.slice(0, 16));
    groupB.push(...made.slice(16));
    for (const [group, count] of [
      [groupA, 2],
      [groupB, 1],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const member = await holder(2_500n);
        const votes = group.map((p) => p.did);
        expect((await nominate(member, votes, '2000')).statusCode).toBe(201);
        voters.push({ member, stake: 2_000n, votes });
      }
    }
  }, 120_000);

  it('elects the proportional set (2:1 stake → 14 and 7 of 21 seats) and stores the digest the rule gives', async () => {
    const response = await elect(operatorToken, 'panel-rice', 'stake-test-elect-1');
    expect(response.statusCode, response.body).toBe(201);
    const panel = response.json();
    const cycle = cycleOf(new Date());
    expect(panel).toMatchObject({ cycle, category: 'panel-rice', seats: 21 });
    expect(panel.members).toHaveLength(21);
    const a = new Set(groupA.map((p) => p.did));
    const b = new Set(groupB.map((p) => p.did));
    const fromA = panel.members.filter((m: { did: string }) => a.has(m.did));
    const fromB = panel.members.filter((m: { did: string }) => b.has(m.did));
    expect(fromA).toHaveLength(14);
    expect(fromB).toHaveLength(7);
    // Each group's stake is spread over its own winners, and all of it backs someone.
    const sum = (list: { backedPoints: string }[]) => list.reduce((s, m) => s + BigInt(m.backedPoints), 0n);
    expect(sum(fromA)).toBe(4_000n);
    expect(sum(fromB)).toBe(2_000n);

    const expected = seqPhragmen({
      candidates: [...groupA, ...groupB].map((p) => p.did),
      voters: voters.map((v): PhragmenVoter => ({ id: v.member.pair.did, stakeFen: v.stake, votes: v.votes })),
      toElect: 21,
    });
    const digest = resultDigest(expected);
    expect(panel.digest).toBe(digest);
    expect(panel.members.map((m: { did: string }) => m.did)).toEqual(expected.elected.map((w) => w.candidate));
    const [stored] = await rows<{ digest: string }>(
      t.ctx.database.db,
      sql`select digest from consensus_panels where cycle = ${cycle} and category = 'panel-rice'`,
    );
    expect(stored?.digest).toBe(digest);
    const [published] = await rows<{ digest: string }>(
      t.ctx.database.db,
      sql`select digest from consensus_results where kind = 'election' and subject = ${`panel:${cycle}:panel-rice`}`,
    );
    expect(published?.digest).toBe(digest);

    // What the round files read, and what the public and the elected see.
    const members = await currentPanel(t.ctx.database.db, 'panel-rice', cycle);
    expect(members.map((m) => m.did)).toEqual(expected.elected.map((w) => w.candidate));
    expect(members[0]?.backedPoints).toBe(BigInt(expected.elected[0]!.backedStakeFen));
    const shown = await t.app.inject({ method: 'GET', url: '/v1/consensus/panels/panel-rice' });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ digest, seats: 21 });
    expect(shown.json().members[0]).toMatchObject({ commissionBps: 300 });
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/consensus/panels/panel-rice?cycle=${cycle - 1}` })).statusCode,
    ).toBe(404);
    const winner = groupA.find((p) => p.did === members[0]?.did)!;
    const seat = (await me(await signIn(t, winner))).candidacies[0];
    expect(seat).toMatchObject({ category: 'panel-rice', seat: { cycle } });

    // The same key replays the answer; a new request is refused: one panel per cycle.
    const replay = await elect(operatorToken, 'panel-rice', 'stake-test-elect-1');
    expect(replay.statusCode).toBe(201);
    expect(replay.json().digest).toBe(digest);
    const second = await elect(operatorToken, 'panel-rice');
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('panel_exists');
  });

  it('refuses a published election that is not what the rule gives, and elections by anyone but the operator', async () => {
    const tester = await candidate('panel-forged');
    const backer = await holder(1_000n);
    expect((await nominate(backer, [tester.did], '1000')).statusCode).toBe(201);
    const cycle = cycleOf(new Date());
    const forged = {
      cycle,
      category: 'panel-forged',
      seats: 1,
      digest: '0'.repeat(64),
      elected: [tester.did],
    };
    const before = await tableCounts(t.ctx.database);
    const wrongDigest = await send(t, t.operator, 'consensus.panel.elected', forged);
    expect(wrongDigest.statusCode).toBe(422);
    expect(wrongDigest.json().error).toMatchObject({ code: 'digest_mismatch', field: 'body.digest' });
    const digest = resultDigest(
      seqPhragmen({
        candidates: [tester.did],
        voters: [{ id: backer.pair.did, stakeFen: 1_000n, votes: [tester.did] }],
        toElect: 1,
      }),
    );
    const wrongWinner = await send(t, t.operator, 'consensus.panel.elected', {
      ...forged,
      digest,
      elected: [backer.pair.did],
    });
    expect(wrongWinner.statusCode).toBe(422);
    expect(wrongWinner.json().error.code).toBe('elected_mismatch');
    const wrongCycle = await send(t, t.operator, 'consensus.panel.elected', { ...forged, digest, cycle: cycle + 1 });
    expect(wrongCycle.statusCode).toBe(422);
    expect(wrongCycle.json().error.code).toBe('wrong_cycle');
    expect(await tableCounts(t.ctx.database)).toEqual(before);

    const notOperator = await elect(backer.token, 'panel-forged');
    expect(notOperator.statusCode).toBe(403);
    const unknown = await elect(operatorToken, 'no-such');
    expect(unknown.statusCode).toBe(404);
  });

  it('the job elects every due category once, and says which have no backed candidate', async () => {
    await candidate('panel-unbacked');
    const refused = await elect(operatorToken, 'panel-unbacked');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('no_backed_candidates');

    const run = await runPanelElections(t.ctx);
    expect(run.cycle).toBe(cycleOf(new Date()));
    expect(run.elected).toEqual(['panel-forged', 'stake-tea']);
    expect(run.unbacked).toEqual(['panel-unbacked']);
    expect(run.refused).toEqual([]);
    const again = await runPanelElections(t.ctx);
    expect(again.elected).toEqual([]);
    expect(again.unbacked).toEqual(['panel-unbacked']);
    const tea = await currentPanel(t.ctx.database.db, 'stake-tea', run.cycle);
    // The three testers backed by the nomination (the first candidate of stake-tea has none).
    expect(tea).toHaveLength(3);
    expect(tea.every((m) => m.backedPoints > 0n)).toBe(true);
  });

  it('keeps the POINTS ledger sound with stake locked', async () => {
    expect(await ledgerViolations(t.ctx.database.db)).toEqual([]);
    const summary = await pointsSummary(t.ctx.database.db);
    expect(summary.conserved).toBe(true);
    // 5000 (the first nominator) + 3 × 2000 (the panel's) + 1000 (the forged test's backer).
    expect(summary.stakedPoints).toBe(12_000n);
    expect(summary.stakers).toBe(5);
    expect(summary.otherPoints).toBe(0n);
    const shown = await t.app.inject({ method: 'GET', url: '/v1/points/summary', headers: bearer(operatorToken) });
    expect(shown.json()).toMatchObject({ stakedPoints: '12000', conserved: true });
  });
});
