import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalBytes,
  cosignatureNoteVerifier,
  ed25519NoteVerifier,
  formatAddCheckpointRequest,
  formatCheckpoint,
  keyPairFromSecretKey,
  leafHash,
  openCheckpoint,
  signNote,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rows } from '../db/connection.js';
import { nextRetryDelay, RETRY_FIRST_MS, RETRY_MAX_MS } from '../modules/log/witness-pusher.js';
import { createTestApp, newKeyPair, postEvent, sign, type TestApp } from '../test-support/app.js';
import { type RunningWitness, startWitness as startLogWitness } from '../test-support/witness.js';

const ORIGIN = 'concord.test/log';
const logKey = keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));
const logSigner = { name: ORIGIN, secretKey: logKey.secretKey, publicKey: logKey.publicKey };

const startWitness = (name: string, dir: string, secretKey: Uint8Array, port = 0) =>
  startLogWitness({ origin: ORIGIN, publicKey: logKey.publicKey }, name, dir, secretKey, port);

const witnessKeys = [nodeCrypto.randomBytes(32), nodeCrypto.randomBytes(32)];
let witnesses: RunningWitness[];
let t: TestApp;

beforeAll(async () => {
  witnesses = await Promise.all(
    ['witness-a.test', 'witness-b.test'].map((name, i) =>
      startWitness(name, mkdtempSync(join(tmpdir(), 'concord-witness-')), witnessKeys[i] as Uint8Array),
    ),
  );
  t = await createTestApp({
    config: {
      logOrigin: ORIGIN,
      logSigningKeyHex: Buffer.from(logKey.secretKey).toString('hex'),
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

async function append(count: number) {
  for (let i = 0; i < count; i++) {
    expect((await postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}))).statusCode).toBe(201);
  }
}

async function published() {
  const response = await t.app.inject({ method: 'GET', url: '/log/checkpoint' });
  if (response.statusCode === 404) return undefined;
  const verifiers = [
    ed25519NoteVerifier(nodeCrypto, logSigner),
    ...witnesses.map((w) => cosignatureNoteVerifier(nodeCrypto, { name: w.name, publicKey: w.publicKey })),
  ];
  return openCheckpoint(nodeCrypto, response.body, verifiers);
}

const post = (witness: RunningWitness, body: string) =>
  fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body }).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type'),
    body: await r.text(),
  }));

describe('witnesses', () => {
  it('publish a checkpoint only once a quorum has cosigned it, with the cosignatures in the note', async () => {
    await append(3);
    await t.integrate();
    const head = await published();
    expect(head?.checkpoint.size).toBe(3);
    expect(head?.verified.map((s) => s.name).sort()).toEqual([ORIGIN, 'witness-a.test', 'witness-b.test']);
  });

  it('a witness that is down delays publication; once back it catches up with a consistency proof', async () => {
    const down = witnesses[1] as RunningWitness;
    await down.app.close();
    await append(4);
    await t.integrate();
    expect((await published())?.checkpoint.size).toBe(3);
    // The log itself kept going: the tree has 7 entries.
    const entry = await t.app.inject({ method: 'GET', url: '/v1/log/consistency?from=3&to=7' });
    expect(entry.statusCode).toBe(200);

    witnesses[1] = await startWitness(down.name, down.dir, witnessKeys[1] as Uint8Array, down.port);
    await append(1);
    await t.integrate();
    const head = await published();
    expect(head?.checkpoint.size).toBe(8);
    expect(head?.verified).toHaveLength(3);
  });

  it('answer as C2SP tlog-witness specifies: 409 with the size, 409 for a fork, 422 for a bad proof, 403, 404, 400', async () => {
    const witness = witnesses[0] as RunningWitness;
    const status = (await (await fetch(`${witness.url}/`)).json()) as { logs: { size: number }[] };
    const size = status.logs[0]?.size as number;
    expect(size).toBe(8);
    const forkRoot = nodeCrypto.sha256(new TextEncoder().encode('another history'));
    const signed = (s: number, root: Uint8Array, signer = logSigner, origin = ORIGIN) =>
      signNote(nodeCrypto, formatCheckpoint({ origin, size: s, rootHash: root }), [{ ...signer, name: origin }]);

    const stale = await post(
      witness,
      formatAddCheckpointRequest({ oldSize: 3, proof: [forkRoot], checkpoint: signed(20, forkRoot) }),
    );
    expect(stale).toMatchObject({ status: 409, type: 'text/x.tlog.size', body: '8\n' });

    const fork = await post(
      witness,
      formatAddCheckpointRequest({ oldSize: 8, proof: [], checkpoint: signed(8, forkRoot) }),
    );
    expect(fork.status).toBe(409);

    const badProof = await post(
      witness,
      formatAddCheckpointRequest({ oldSize: 8, proof: [forkRoot, forkRoot], checkpoint: signed(20, forkRoot) }),
    );
    expect(badProof.status).toBe(422);

    const impostor = keyPairFromSecretKey(nodeCrypto, nodeCrypto.randomBytes(32));
    const untrusted = await post(
      witness,
      formatAddCheckpointRequest({
        oldSize: 8,
        proof: [],
        checkpoint: signed(8, forkRoot, { ...logSigner, secretKey: impostor.secretKey }),
      }),
    );
    expect(untrusted.status).toBe(403);

    const unknown = await post(
      witness,
      formatAddCheckpointRequest({
        oldSize: 0,
        proof: [],
        checkpoint: signed(1, forkRoot, logSigner, 'other.test/log'),
      }),
    );
    expect(unknown.status).toBe(404);

    expect((await post(witness, 'old 8\nnot base64!\n\nnothing')).status).toBe(400);

    // None of this moved the witness.
    const after = (await (await fetch(`${witness.url}/`)).json()) as { logs: { size: number }[] };
    expect(after.logs[0]?.size).toBe(8);
  });

  it('keeps its state across restarts and never cosigns a different tree of a size it cosigned', async () => {
    const witness = witnesses[0] as RunningWitness;
    await witness.app.close();
    witnesses[0] = await startWitness(witness.name, witness.dir, witnessKeys[0] as Uint8Array, witness.port);
    const restarted = witnesses[0] as RunningWitness;
    const status = (await (await fetch(`${restarted.url}/`)).json()) as {
      verifierKey: string;
      logs: { size: number }[];
    };
    expect(status.logs[0]?.size).toBe(8);
    expect(status.verifierKey).toBe(restarted.verifierKey);
    // People get the same facts as a page.
    const page = await fetch(`${restarted.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(ORIGIN);
    expect(html).toContain('<td class="num" data-testid="size">8</td>');
    expect(html).toContain(restarted.verifierKey);
    const forkRoot = nodeCrypto.sha256(new TextEncoder().encode('rewritten history'));
    const fork = signNote(nodeCrypto, formatCheckpoint({ origin: ORIGIN, size: 8, rootHash: forkRoot }), [logSigner]);
    expect(
      (await post(restarted, formatAddCheckpointRequest({ oldSize: 8, proof: [], checkpoint: fork }))).status,
    ).toBe(409);
  });

  it('offers the newest checkpoint again while a witness lacks it, so a quiet log still reaches its quorum', async () => {
    const down = witnesses[1] as RunningWitness;
    await down.app.close();
    await append(2);
    await t.integrate();
    expect((await published())?.checkpoint.size).toBe(8);

    // The witness comes back and no entry follows: nothing but the server's catch-up offers it 10.
    witnesses[1] = await startWitness(down.name, down.dir, witnessKeys[1] as Uint8Array, down.port);
    const head = await vi.waitFor(
      async () => {
        const current = await published();
        expect(current?.checkpoint.size).toBe(10);
        return current;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(head?.verified.map((s) => s.name).sort()).toEqual([ORIGIN, 'witness-a.test', 'witness-b.test']);
    const status = (await (await fetch(`${witnesses[1]?.url}/`)).json()) as { logs: { size: number }[] };
    expect(status.logs[0]?.size).toBe(10);
  });

  it('refuse the server’s own rewritten history, so it is never published', async () => {
    const honest = await published();
    expect(honest?.checkpoint.size).toBe(10);
    // The operator replaces entry 2 with another validly signed envelope, then rebuilds and re-signs
    // the tree from the entries, hiding the checkpoints and cosignatures it had.
    const db = t.ctx.database.db;
    const forged = sign(newKeyPair(), 'identity.account.registered', {});
    const canonical = canonicalBytes(forged);
    await db.execute(
      sql`update events set envelope = ${JSON.stringify(forged)}::jsonb, canonical = ${Buffer.from(canonical)},
          leaf_hash = ${Buffer.from(leafHash(nodeCrypto, canonical))} where log_index = 2`,
    );
    for (const table of ['log_cosignatures', 'log_checkpoints', 'log_hashes']) {
      await db.execute(sql.raw(`delete from ${table}`));
    }
    await db.execute(sql`update log_integration set integrated_size = 0`);
    await t.integrate();
    await append(1);
    await t.integrate();

    // The server signed the forked trees, of 10 and 11 entries, and offered them: no witness cosigned.
    const signed = await rows<{ size: string; cosigned: string }>(
      db,
      sql`select c.size::text as size, (select count(*) from log_cosignatures s where s.size = c.size)::text as cosigned
            from log_checkpoints c order by c.size`,
    );
    expect(signed.at(-1)).toEqual({ size: '11', cosigned: '0' });
    expect(signed.every((row) => row.cosigned === '0')).toBe(true);
    expect(await published()).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: '/log/checkpoint' })).statusCode).toBe(404);
    // Each witness still holds the honest tree of 10 entries.
    for (const witness of witnesses) {
      const status = (await (await fetch(`${witness.url}/`)).json()) as { logs: { size: number }[] };
      expect(status.logs[0]?.size).toBe(10);
    }
  });

  it('backs off from 1 s, doubling, to at most 30 s between offers', () => {
    const delays = [RETRY_FIRST_MS];
    while (delays.length < 8) delays.push(nextRetryDelay(delays.at(-1) as number));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(RETRY_MAX_MS).toBe(30_000);
  });
});
