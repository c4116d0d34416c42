import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalBytes, keyPairFromSecretKey, leafHash, toHex } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../keys.js';
import { createTestApp, newKeyPair, postEvent, sign, type TestApp } from '../../test-support/app.js';
import { type RunningWitness, startWitness as startLogWitness } from '../../test-support/witness.js';

const ORIGIN = 'explorer.test/log';
const logKey = keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));

const startWitness = (name: string, dir: string, secretKey: Uint8Array, port = 0) =>
  startLogWitness({ origin: ORIGIN, publicKey: logKey.publicKey }, name, dir, secretKey, port);

let t: TestApp;
let witnesses: RunningWitness[];

beforeAll(async () => {
  witnesses = await Promise.all(
    ['witness-a.explorer', 'witness-b.explorer'].map((name) =>
      startWitness(name, mkdtempSync(join(tmpdir(), 'concord-explorer-witness-')), nodeCrypto.randomBytes(32)),
    ),
  );
  t = await createTestApp({
    config: {
      logOrigin: ORIGIN,
      logSigningKeyHex: toHex(logKey.secretKey),
      witnesses: witnesses.map((w) => ({ url: w.url, verifierKey: w.verifierKey })),
      witnessQuorum: 2,
    },
  });
});

afterAll(async () => {
  await t?.close();
  for (const witness of witnesses ?? []) {
    await witness.app.close();
    rmSync(witness.dir, { recursive: true, force: true });
  }
});

interface EntrySummary {
  index: number;
  type: string;
  actor: string;
  ts: string;
  leafHash: string;
  integrated: boolean;
}

const get = (url: string) => t.app.inject({ method: 'GET', url });

async function entries(query = ''): Promise<{ items: EntrySummary[]; nextCursor: string | null }> {
  const response = await get(`/v1/log/entries${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Every page of a listing, following nextCursor. */
async function allPages(query: string): Promise<{ pages: number; items: EntrySummary[] }> {
  const items: EntrySummary[] = [];
  let pages = 0;
  let before: string | null = null;
  do {
    const page = await entries(`${query}${before === null ? '' : `&before=${before}`}`);
    pages++;
    items.push(...page.items);
    before = page.nextCursor;
  } while (before !== null);
  return { pages, items };
}

async function submit(pair: KeyPair, type: string, body: Record<string, unknown>): Promise<number> {
  const response = await postEvent(t, sign(pair, type, body));
  expect(response.statusCode, response.body).toBe(201);
  return Number(response.json().logIndex);
}

const alice = newKeyPair();
const bob = newKeyPair();
const carol = newKeyPair();

describe('the log explorer API', () => {
  it('is empty before anything is logged, and has no checkpoints yet', async () => {
    expect(await entries()).toEqual({ items: [], nextCursor: null });
    expect((await get('/v1/log/checkpoints')).json()).toEqual({ items: [], nextCursor: null });
    const status = (await get('/v1/log/witnesses')).json();
    expect(status).toMatchObject({ quorum: 2, latestSize: 0, publishedSize: 0 });
    expect(status.witnesses.map((w: { status: string; lag: number }) => [w.status, w.lag])).toEqual([
      ['in_step', 0],
      ['in_step', 0],
    ]);
  });

  it('lists entries newest first and filters them by type, by actor and by both', async () => {
    for (const pair of [alice, bob, carol]) await submit(pair, 'identity.account.registered', {});
    for (const role of ['producer', 'expert', 'tester']) await submit(alice, 'identity.role.applied', { role });
    await submit(bob, 'identity.role.applied', { role: 'promoter' });
    await t.integrate();

    const all = await entries();
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((e) => e.index)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect(all.items.every((e) => e.integrated)).toBe(true);
    expect(all.items[0]).toMatchObject({ type: 'identity.role.applied', actor: bob.did });
    expect(all.items[0]?.ts).toMatch(/^\d{4}-\d\d-\d\dT/);

    // The summary's leaf hash is the entry's: the hash of the envelope it serves.
    const served = (await get('/v1/log/entries/3')).json();
    expect(all.items.find((e) => e.index === 3)?.leafHash).toBe(served.leafHash);
    expect(toHex(leafHash(nodeCrypto, canonicalBytes(served.envelope)))).toBe(served.leafHash);

    const applied = await entries('?type=identity.role.applied');
    expect(applied.items.map((e) => e.index)).toEqual([6, 5, 4, 3]);
    expect(applied.items.every((e) => e.type === 'identity.role.applied')).toBe(true);

    const ofAlice = await entries(`?actor=${alice.did}`);
    expect(ofAlice.items.map((e) => [e.index, e.type])).toEqual([
      [5, 'identity.role.applied'],
      [4, 'identity.role.applied'],
      [3, 'identity.role.applied'],
      [0, 'identity.account.registered'],
    ]);

    const both = await entries(`?type=identity.account.registered&actor=${encodeURIComponent(carol.did)}`);
    expect(both.items.map((e) => e.index)).toEqual([2]);

    expect(await entries('?type=orders.order.placed')).toEqual({ items: [], nextCursor: null });
    expect(await entries(`?actor=${newKeyPair().did}`)).toEqual({ items: [], nextCursor: null });
  });

  it('pages backwards by log index, and the pages add up to the whole list', async () => {
    const first = await entries(`?actor=${alice.did}&limit=2`);
    expect(first.items.map((e) => e.index)).toEqual([5, 4]);
    expect(first.nextCursor).toBe('4');
    const second = await entries(`?actor=${alice.did}&limit=2&before=4`);
    expect(second.items.map((e) => e.index)).toEqual([3, 0]);
    expect(second.nextCursor).toBeNull();

    const paged = await allPages('?limit=3');
    expect(paged.pages).toBe(3);
    expect(paged.items.map((e) => e.index)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect((await entries('?before=0')).items).toEqual([]);
  });

  it('answers bad input with 400, its code and the field at fault', async () => {
    const cases: [string, string][] = [
      ['/v1/log/entries?before=abc', 'querystring.before'],
      ['/v1/log/entries?before=-1', 'querystring.before'],
      ['/v1/log/entries?before=99999999999999999999', 'querystring.before'],
      ['/v1/log/entries?limit=101', 'querystring.limit'],
      ['/v1/log/entries?limit=0', 'querystring.limit'],
      ['/v1/log/entries?actor=did:web:example.com', 'querystring.actor'],
      ['/v1/log/entries?actor=alice', 'querystring.actor'],
      ['/v1/log/entries?type=Not%20A%20Type', 'querystring.type'],
      ['/v1/log/checkpoints?before=x', 'querystring.before'],
      ['/v1/log/checkpoints?limit=1000', 'querystring.limit'],
    ];
    for (const [url, field] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error, url).toMatchObject({ code: 'invalid_request', field });
    }
  });

  it('lists the signed checkpoints newest first with the witnesses that cosigned them', async () => {
    await submit(carol, 'identity.role.applied', { role: 'tester' });
    await t.integrate();
    const response = await get('/v1/log/checkpoints');
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = response.json();
    expect(nextCursor).toBeNull();
    expect(items.map((c: { size: number }) => c.size)).toEqual([8, 7]);
    for (const checkpoint of items) {
      expect(checkpoint.published).toBe(true);
      expect(checkpoint.cosignatures.map((c: { witness: string }) => c.witness)).toEqual([
        'witness-a.explorer',
        'witness-b.explorer',
      ]);
      expect(Date.parse(checkpoint.cosignatures[0].at)).not.toBeNaN();
      expect(Date.parse(checkpoint.createdAt)).not.toBeNaN();
    }
    // The root is the one the log serves in its checkpoint note.
    const served = (await get('/v1/log/entries/7')).json();
    expect(items[0].rootHash).toBe(served.checkpoint.rootHash);

    const page = (await get('/v1/log/checkpoints?limit=1')).json();
    expect(page.items.map((c: { size: number }) => c.size)).toEqual([8]);
    expect(page.nextCursor).toBe('8');
    const next = (await get('/v1/log/checkpoints?limit=1&before=8')).json();
    expect(next.items.map((c: { size: number }) => c.size)).toEqual([7]);
    expect(next.nextCursor).toBeNull();
  });

  it("shows each witness's progress: in step, lagging while one is down, silent when it stays away", async () => {
    const status = (await get('/v1/log/witnesses')).json();
    expect(status).toMatchObject({ quorum: 2, latestSize: 8, publishedSize: 8 });
    expect(status.witnesses).toEqual(
      witnesses.map((w) => ({
        name: w.name,
        verifierKey: w.verifierKey,
        url: w.url,
        lastCosignedSize: 8,
        lastCosignedAt: expect.any(String),
        lag: 0,
        behindSince: null,
        status: 'in_step',
      })),
    );

    const down = witnesses[1] as RunningWitness;
    await down.app.close();
    await submit(bob, 'identity.role.applied', { role: 'expert' });
    await submit(carol, 'identity.role.applied', { role: 'expert' });
    await t.integrate();

    const lagging = (await get('/v1/log/witnesses')).json();
    expect(lagging).toMatchObject({ latestSize: 10, publishedSize: 8 });
    expect(lagging.witnesses.map((w: { status: string; lag: number }) => [w.status, w.lag])).toEqual([
      ['in_step', 0],
      ['lagging', 2],
    ]);
    expect(lagging.witnesses[1].lastCosignedSize).toBe(8);
    expect(lagging.witnesses[1].behindSince).not.toBeNull();

    // The new entries are sequenced but not in a published checkpoint; the checkpoint lacks a quorum.
    const newest = await entries('?limit=3');
    expect(newest.items.map((e) => [e.index, e.integrated])).toEqual([
      [9, false],
      [8, false],
      [7, true],
    ]);
    const checkpoints = (await get('/v1/log/checkpoints?limit=1')).json();
    expect(checkpoints.items[0]).toMatchObject({ size: 10, published: false });
    expect(checkpoints.items[0].cosignatures.map((c: { witness: string }) => c.witness)).toEqual([
      'witness-a.explorer',
    ]);

    // The checkpoint it has not cosigned has waited for minutes: the witness has gone silent.
    await t.ctx.database.db.execute(
      sql`update log_checkpoints set created_at = now() - interval '5 minutes' where size > 8`,
    );
    const silent = (await get('/v1/log/witnesses')).json();
    expect(silent.witnesses[1]).toMatchObject({ status: 'silent', lag: 2 });

    // Back, it catches up with the next checkpoint and is in step again.
    witnesses[1] = await startWitness(down.name, down.dir, down.secretKey, down.port);
    await submit(alice, 'identity.role.applied', { role: 'promoter' });
    await t.integrate();
    const back = (await get('/v1/log/witnesses')).json();
    expect(back).toMatchObject({ latestSize: 11, publishedSize: 11 });
    expect(back.witnesses.map((w: { status: string; lag: number }) => [w.status, w.lag])).toEqual([
      ['in_step', 0],
      ['in_step', 0],
    ]);
    expect((await entries('?limit=1')).items[0]).toMatchObject({ index: 10, integrated: true });
  });

  it('walks the index of the filter on PostgreSQL instead of scanning the events', async () => {
    if (t.ctx.database.kind !== 'postgres') return;
    // Enough rows that the planner has a real choice to make.
    await t.ctx.database.db.execute(sql`
      insert into events (type, actor, nonce, ts, envelope, canonical, leaf_hash, log_index)
      select 'bench.synthetic.entry', 'did:key:zSynthetic' || (g % 500), 'n' || g, now(), '{}'::jsonb,
             '\\x00'::bytea, '\\x00'::bytea, 1000000 + g
      from generate_series(1, 20000) g`);
    await t.ctx.database.db.execute(sql`analyze events`);
    const plan = async (where: string) => {
      const result = (await t.ctx.database.db.execute(
        sql.raw(
          `explain select log_index, type, actor, ts, leaf_hash from events where log_index is not null and ${where} order by log_index desc limit 21`,
        ),
      )) as unknown as { rows: { 'QUERY PLAN': string }[] };
      return result.rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const byActor = await plan(`actor = '${alice.did}'`);
    expect(byActor).toContain('events_actor_log_index_idx');
    expect(byActor).not.toMatch(/Seq Scan|Sort/);
    const byType = await plan(`type = 'identity.role.applied' and log_index < 1005000`);
    expect(byType).toContain('events_type_log_index_idx');
    expect(byType).not.toMatch(/Seq Scan|Sort/);
    const unfiltered = await plan('log_index < 1010000');
    expect(unfiltered).toContain('events_log_index_key');
    expect(unfiltered).not.toMatch(/Seq Scan/);
  });
});
