import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Envelope, formatVerifierKey } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { closeSettlementCycle, cycleWindow, seedCompletedOrders, settlementCycleAt } from '@concord/server';
import {
  type ConsensusJourney,
  consensusJourney,
  createTestApp,
  FAILING_MEASUREMENTS,
  sign,
  type TestApp,
} from '@concord/server/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consensusResults } from '../src/verify/consensus-results.js';
import { LeafPrefix } from '../src/verify/log-prefix.js';
import { runCli } from './run-cli.js';

/**
 * `concord verify` recomputes every consensus result from the log (issue 7): two whole rounds run
 * through the API and the platform's jobs — one passed, one failed and appealed to a jury that
 * overturned it — and then the verifier rebuilds the panel election, both draws, both tallies
 * with their rewards and the jury draw from the entries alone, and catches a result the operator
 * signed that the rules do not give.
 */

let t: TestApp;
let passed: ConsensusJourney;
let failed: ConsensusJourney;
let dir: string;
let trustFile: string;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp();
  passed = await consensusJourney(t, { category: 'rice' });
  failed = await consensusJourney(t, {
    category: 'grain',
    measurements: FAILING_MEASUREMENTS,
    // Backed jurors, one of whom votes against the others: the ruling slashes and rewards stake.
    appeal: { votes: (_juror, i) => (i === 0 ? 'uphold' : 'overturn'), jurorBacking: 100n },
    otherJurors: [...passed.experts, passed.modelExpert, ...passed.testers.map((tester) => tester.member.pair)],
  });
  t.clock.now = new Date();
  await t.integrate();
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'concord-consensus-verify-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(
    trustFile,
    JSON.stringify({ log: formatVerifierKey(nodeCrypto, t.ctx.logSigner), witnesses: [], quorum: 0 }),
  );
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Logged {
  envelope: Envelope;
  leaf: Uint8Array;
}

/** The log's envelopes and leaf hashes in log order, as `concord verify` reads them. */
async function logged(): Promise<Logged[]> {
  const result = (await t.ctx.database.db.execute(
    sql`select envelope, leaf_hash from events where log_index is not null order by log_index`,
  )) as unknown as { rows: { envelope: Envelope; leaf_hash: Uint8Array }[] };
  return result.rows.map((row) => ({ envelope: row.envelope, leaf: new Uint8Array(row.leaf_hash) }));
}

/** The divergences the consensus replay finds in `entries`, by index. */
function replay(entries: readonly Logged[]): { index: number; reason: string }[] {
  const check = consensusResults();
  const prefix = new LeafPrefix(
    nodeCrypto,
    entries.map((entry) => entry.leaf),
  );
  return entries.flatMap(({ envelope }, index) => {
    const reason = check.entry(index, envelope, prefix);
    return reason === undefined ? [] : [{ index, reason }];
  });
}

/** `entries` with the first entry of `type` (for `roundId`, if given) replaced by a re-signed `change` of it. */
function forge(
  entries: readonly Logged[],
  type: string,
  change: (body: Record<string, unknown>) => Record<string, unknown>,
  roundId?: string,
) {
  const at = entries.findIndex(
    ({ envelope }) =>
      envelope.type === type && (roundId === undefined || (envelope.body as { roundId?: string }).roundId === roundId),
  );
  expect(at).toBeGreaterThanOrEqual(0);
  const original = entries[at] as Logged;
  // Signed at the same time as the original: only the result differs.
  const forged = sign(t.operator, type, change(original.envelope.body as Record<string, unknown>), {
    ts: new Date(original.envelope.ts),
  });
  return { at, entries: entries.map((entry, i) => (i === at ? { ...entry, envelope: forged } : entry)) };
}

describe('replaying the consensus results from the log', () => {
  it('the journeys published what the rules give: a pass, and a fail overturned on appeal', () => {
    expect([passed.decision, passed.verdict]).toEqual(['decided', 'pass']);
    expect([failed.decision, failed.verdict, failed.ruling]).toEqual(['decided', 'fail', 'overturn']);
    // The jurors served with stake: the one outvoted loses some of its backing, the others' backers gain it.
    const jurors = failed.steps.appeal?.ruled.jurors ?? [];
    const sum = (values: (string | null)[]) => values.reduce((total, value) => total + BigInt(value ?? 0), 0n);
    const outvoted = jurors.filter((j) => j.coherent === false);
    expect(outvoted).toHaveLength(1);
    expect(BigInt(outvoted[0]?.stakePoints ?? 0)).toBeGreaterThanOrEqual(100n);
    const slashed = sum(outvoted.map((j) => j.slashPoints));
    expect(slashed).toBeGreaterThanOrEqual(10n);
    expect(sum(jurors.filter((j) => j.coherent === true).map((j) => j.rewardPoints))).toBe(slashed);
  });

  it('recomputes every election, draw, tally, rewards and jury draw, and finds nothing', async () => {
    const entries = await logged();
    const types = entries.map(({ envelope }) => envelope.type);
    for (const type of [
      'consensus.panel.elected',
      'consensus.round.opened',
      'consensus.round.tallied',
      'consensus.jury.drawn',
    ])
      expect(types).toContain(type);
    const tallies = entries.filter(({ envelope }) => envelope.type === 'consensus.round.tallied');
    for (const { envelope } of tallies)
      expect((envelope.body as { rewardsDigest?: string }).rewardsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(replay(entries)).toEqual([]);
  });

  it('concord verify checks the whole log with the consensus replay and exits 0', async () => {
    const run = await runCli(['verify', baseUrl, '--trust', trustFile, '--state', join(dir, 'state')], {});
    expect(run.output).toContain('OK: everything holds.');
    expect(run.code).toBe(0);
  });

  it('flags a tally whose verdict the reveals do not give', async () => {
    const { at, entries } = forge(
      await logged(),
      'consensus.round.tallied',
      (body) => ({ ...body, verdict: 'pass' }),
      failed.roundId,
    );
    const found = replay(entries);
    expect(found[0]).toMatchObject({ index: at });
    expect(found[0]?.reason).toContain('decided / fail');
  });

  it('flags rewards the tally does not give', async () => {
    const { at, entries } = forge(
      await logged(),
      'consensus.round.tallied',
      (body) => ({ ...body, rewardsDigest: '0'.repeat(64) }),
      passed.roundId,
    );
    expect(replay(entries)[0]).toMatchObject({ index: at, reason: expect.stringContaining('rewards of round') });
  });

  it('flags a draw seeded by another checkpoint than the one it names, and a panel the nominations do not elect', async () => {
    const draw = forge(
      await logged(),
      'consensus.round.opened',
      (body) => ({ ...body, checkpointSize: Number(body.checkpointSize) - 1 }),
      passed.roundId,
    );
    expect(replay(draw.entries)[0]).toMatchObject({
      index: draw.at,
      reason: expect.stringContaining('the draw of round'),
    });

    const election = forge(await logged(), 'consensus.panel.elected', (body) => ({
      ...body,
      elected: [...(body.elected as string[])].reverse(),
    }));
    expect(replay(election.entries)[0]).toMatchObject({
      index: election.at,
      reason: expect.stringContaining('the election of'),
    });
  });

  it('flags a jury the draw does not give', async () => {
    const { at, entries } = forge(await logged(), 'consensus.jury.drawn', (body) => ({
      ...body,
      jurors: [...(body.jurors as string[])].reverse(),
    }));
    expect(replay(entries)[0]).toMatchObject({ index: at, reason: expect.stringContaining('the jury of') });
  });

  it('flags jurors’ stakes the nominations do not give', async () => {
    const { at, entries } = forge(await logged(), 'consensus.jury.drawn', (body) => ({
      ...body,
      stakesDigest: '0'.repeat(64),
    }));
    expect(replay(entries)[0]).toMatchObject({ index: at, reason: expect.stringContaining('serve with stakes') });
  });
});

describe('a settlement cycle paying the rounds', () => {
  it('is recomputed with the rounds’ reward inputs replayed from the log; inputs the tally did not use are flagged', async () => {
    const [decided] = (
      (await t.ctx.database.db.execute(
        sql`select max(created_at)::text as at from consensus_results where kind = 'rewards'`,
      )) as unknown as { rows: { at: string }[] }
    ).rows;
    const decidedAt = new Date(decided?.at as string);
    const cycle = settlementCycleAt(t.ctx.config, decidedAt);
    // Sales in the cycle fill its experience pool (a cycle with none pays no round: they wait for one
    // that has). Written straight into the tables, they were never placed on the log — so the
    // verifier must flag each of them too: an operator cannot settle sales nobody signed.
    await seedCompletedOrders(t.ctx.database, {
      count: 20,
      prefix: 'replay-sale',
      products: [{ productId: passed.productId, producer: passed.producer.pair.did }],
      buyers: 4,
      completedAt: decidedAt,
    });
    // The operator pays the failed round as if its first tester had been more accurate than the tally found.
    await t.ctx.database.db.execute(
      sql`update consensus_results set result = jsonb_set(result, '{inputs,testers,0,accuracy}', '0.999')
           where kind = 'rewards' and subject = ${failed.roundId}`,
    );
    t.clock.now = new Date(cycleWindow(t.ctx.config, cycle).endsAt.getTime() + 1_000);
    const closed = await closeSettlementCycle(t.ctx, cycle);
    t.clock.now = new Date();
    expect(closed).toMatchObject({ status: 'closed', orders: 20 });
    expect(BigInt(closed.totals?.testersFen ?? 0)).toBeGreaterThan(0n);
    await t.integrate();
    const run = await runCli(['verify', baseUrl, '--trust', trustFile, '--state', join(dir, 'state-cycle')], {});
    expect(run.output).toContain('1 settlement cycle(s) recomputed from their inputs and the log');
    expect(run.output).toContain(
      `cycle ${cycle}: round ${failed.roundId}'s reward inputs are not those its tally on the log decided with`,
    );
    expect(run.output).not.toContain(`round ${passed.roundId}'s`);
    expect(run.output).toContain(`cycle ${cycle}: order replay-sale-0 was never placed`);
    expect(run.output).toContain('DIVERGENCE: 21 problem(s)');
    expect(run.code).toBe(1);
  }, 120_000);
});
