import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalBytes,
  cosignCheckpoint,
  formatCosignatureVerifierKey,
  formatVerifierKey,
  leafHash,
  parseCheckpoint,
  parseNote,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { createTestApp, newKeyPair, postEvent, sign, type TestApp } from '@concord/server/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

let t: TestApp;
let baseUrl: string;
let dir: string;
let trustFile: string;

beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'concord-verify-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(
    trustFile,
    JSON.stringify({ log: formatVerifierKey(nodeCrypto, t.ctx.logSigner), witnesses: [], quorum: 0 }),
  );
  // 300 entries: more than one tile, so the verifier walks full and partial tiles.
  for (let batch = 0; batch < 6; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, () => postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}))),
    );
  }
  await t.integrate();
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = (...args: string[]) => runCli(['verify', baseUrl, '--trust', trustFile, ...args], {});

/** `concord verify` with its own trust file and state directory. */
async function verifyTrusting(name: string, trust: { log: string; witnesses: string[]; quorum: number }) {
  const file = join(dir, `trust-${name}.json`);
  writeFileSync(file, JSON.stringify(trust));
  return runCli(['verify', baseUrl, '--trust', file, '--state', join(dir, `state-${name}`)], {});
}

const newWitness = (name: string) => {
  const secretKey = nodeCrypto.randomBytes(32);
  const key = { name, publicKey: nodeCrypto.ed25519.publicKey(secretKey) };
  return { name, secretKey, verifierKey: formatCosignatureVerifierKey(nodeCrypto, key) };
};

/** Re-signs entry `index` as a different, validly signed envelope, in the database only. */
async function replaceEntry(index: number) {
  const forged = sign(newKeyPair(), 'identity.account.registered', {});
  const canonical = canonicalBytes(forged);
  await t.ctx.database.db.execute(
    sql`update events set envelope = ${JSON.stringify(forged)}::jsonb, canonical = ${Buffer.from(canonical)},
        leaf_hash = ${Buffer.from(leafHash(nodeCrypto, canonical))} where log_index = ${index}`,
  );
}

describe('concord verify', () => {
  it('checks the whole log and exits 0; a second run resumes from its state and checks consistency', async () => {
    const state = join(dir, 'state-ok');
    const first = await verify('--state', state);
    expect(first.output).toContain('300 entries');
    expect(first.output).toContain('OK: everything holds.');
    expect(first.code).toBe(0);

    await postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}));
    await t.integrate();
    const second = await verify('--state', state);
    expect(second.output).toContain('301 entries');
    expect(second.output).toContain('consistent with the checkpoint of size 300');
    expect(second.code).toBe(0);
  });

  it('proves one entry with --entry', async () => {
    const result = await verify('--entry', '7');
    expect(result.output).toContain('entry 7: identity.account.registered');
    expect(result.output).toContain('OK: everything holds.');
    expect(result.code).toBe(0);
  });

  it('names the index of an entry edited in the database, and exits 1', async () => {
    const before = await t.ctx.database.db.execute(
      sql`select canonical, leaf_hash, envelope from events where log_index = 42`,
    );
    const original = (
      before as unknown as { rows: { canonical: Uint8Array; leaf_hash: Uint8Array; envelope: unknown }[] }
    ).rows[0];
    const edited = new TextDecoder().decode(original?.canonical).replace('"v":1', '"v":1 ');
    await t.ctx.database.db.execute(sql`update events set canonical = ${Buffer.from(edited)} where log_index = 42`);
    const result = await verify('--state', join(dir, 'state-edit'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('entry 42: the entry does not match its leaf hash in the tree');
    await t.ctx.database.db.execute(
      sql`update events set canonical = ${Buffer.from(original?.canonical as Uint8Array)} where log_index = 42`,
    );
    // The run kept none of the tiles it judged: the same state directory now sees the entry as served.
    const again = await verify('--state', join(dir, 'state-edit'));
    expect(again.output).toContain('OK: everything holds.');
    expect(again.code).toBe(0);
  });

  it('names the index whose stored tree hash was changed', async () => {
    await t.ctx.database.db.execute(sql`update log_hashes set hash = decode(repeat('ab', 32), 'hex') where idx = 0`);
    const result = await verify('--state', join(dir, 'state-hash'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('entry 0: the entry does not match its leaf hash in the tree');
    expect(result.output).toContain('entry 0: hash tile tile/0/000 (entries from 0) does not match the tile above it');
  });

  it('reports rewritten history against the checkpoint it saw last time', async () => {
    const state = join(dir, 'state-fork');
    // Start from an intact tree: rebuild it from the entries.
    const rebuild = async () => {
      await t.ctx.database.db.execute(sql`delete from log_cosignatures`);
      await t.ctx.database.db.execute(sql`delete from log_checkpoints`);
      await t.ctx.database.db.execute(sql`delete from log_hashes`);
      await t.ctx.database.db.execute(sql`update log_integration set integrated_size = 0`);
      await t.integrate();
    };
    await rebuild();
    expect((await verify('--state', state)).code).toBe(0);
    // The operator rewrites entry 10 and re-signs a fresh, internally consistent tree.
    await replaceEntry(10);
    await rebuild();
    const fresh = await verify('--state', join(dir, 'state-fresh'));
    expect(fresh.code).toBe(0);
    const result = await verify('--state', state);
    expect(result.code).toBe(1);
    expect(result.output).toContain('history was rewritten');
  });

  it('fails when the trusted witnesses that cosigned the checkpoint fall short of the quorum', async () => {
    const trustedA = newWitness('a.witness.test');
    const trustedB = newWitness('b.witness.test');
    const stranger = newWitness('c.witness.test');
    // The served checkpoint carries a valid cosignature by one trusted witness and one by a stranger.
    const { text } = parseNote(await (await fetch(`${baseUrl}/log/checkpoint`)).text());
    const { size } = parseCheckpoint(text);
    for (const witness of [trustedA, stranger]) {
      const line = cosignCheckpoint(nodeCrypto, witness, text, Math.floor(Date.now() / 1000));
      await t.ctx.database.db.execute(
        sql`insert into log_cosignatures (size, witness, line) values (${size}, ${witness.name}, ${line})`,
      );
    }
    t.ctx.logHead.version++;
    const log = formatVerifierKey(nodeCrypto, t.ctx.logSigner);
    const witnesses = [trustedA.verifierKey, trustedB.verifierKey];

    const enough = await verifyTrusting('quorum-1', { log, witnesses, quorum: 1 });
    expect(enough.output).toContain('1 trusted cosignatures (quorum 1)');
    expect(enough.code).toBe(0);

    const short = await verifyTrusting('quorum-2', { log, witnesses, quorum: 2 });
    expect(short.code).toBe(1);
    expect(short.output).toContain('DIVERGENCE');
    expect(short.output).toContain('the checkpoint has 1 trusted cosignatures; the quorum is 2');
  });

  it('fails when the checkpoint is not signed by the trusted log key', async () => {
    // A trust file naming another key for the same origin: the checkpoint's signature is not its.
    const other = newKeyPair();
    const log = formatVerifierKey(nodeCrypto, { name: t.ctx.logSigner.name, publicKey: other.publicKey });
    const result = await verifyTrusting('other-key', { log, witnesses: [], quorum: 0 });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`checkpoint: not signed by the trusted log key ${t.ctx.logSigner.name}`);
    expect(result.output).not.toContain('OK: everything holds.');
  });

  it('exits 2 on usage and network errors', async () => {
    expect((await runCli(['verify', 'not a url'], {})).code).toBe(2);
    expect((await runCli(['verify', 'http://127.0.0.1:9', '--trust', trustFile], {})).code).toBe(2);
    expect((await verify('--entry', 'seven')).code).toBe(2);
  });
});
