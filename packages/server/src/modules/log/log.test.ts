import {
  canonicalBytes,
  decodeEntryBundle,
  ed25519NoteVerifier,
  entriesTilePath,
  entryBundlesForSize,
  fromBase64,
  fromHex,
  leafHash,
  openCheckpoint,
  parseVerifierKey,
  rootFromLeafHashes,
  storedHashCount,
  tilePath,
  toHex,
  treeHashFromTiles,
  treeTiles,
  verifyConsistency,
  verifyInclusion,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newKeyPair, postEvent, sign, type TestApp } from '../../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Registers `count` new accounts concurrently; returns their receipts. */
async function append(count: number): Promise<{ logIndex: string; leafHash: string }[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, () => postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}))),
  );
  for (const response of responses) expect(response.statusCode).toBe(201);
  return responses.map((response) => response.json());
}

async function checkpoint() {
  const response = await t.app.inject({ method: 'GET', url: '/log/checkpoint' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  const verifier = ed25519NoteVerifier(nodeCrypto, t.ctx.logSigner);
  return openCheckpoint(nodeCrypto, response.body, [verifier]).checkpoint;
}

const bytes = async (url: string) => {
  const response = await t.app.inject({ method: 'GET', url });
  expect(response.statusCode, url).toBe(200);
  return { data: new Uint8Array(response.rawPayload), cache: response.headers['cache-control'] };
};

describe('the transparency log', () => {
  it('has no checkpoint before the first integration, then a signed empty-or-larger tree', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/log/checkpoint' });
    expect(none.statusCode).toBe(404);
  });

  it('integrates concurrent appends into a gapless tree whose signed root matches the receipts', async () => {
    const receipts = await append(40);
    const indexes = receipts.map((r) => Number(r.logIndex)).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await t.integrate();
    const head = await checkpoint();
    expect(head.origin).toBe(t.ctx.config.logOrigin);
    expect(head.size).toBe(40);
    const leaves = [...receipts]
      .sort((a, b) => Number(a.logIndex) - Number(b.logIndex))
      .map((r) => fromHex(r.leafHash));
    expect(toHex(head.rootHash)).toBe(toHex(rootFromLeafHashes(nodeCrypto, leaves)));
  });

  it('proves every receipt with an inclusion proof to the published checkpoint', async () => {
    const receipts = await append(9);
    const before = await t.app.inject({ method: 'GET', url: `/v1/log/entries/${receipts[0]?.logIndex}` });
    expect(before.json()).toMatchObject({ integrated: false, proof: null });
    await t.integrate();
    for (const receipt of receipts) {
      const response = await t.app.inject({ method: 'GET', url: `/v1/log/entries/${receipt.logIndex}` });
      expect(response.statusCode).toBe(200);
      const entry = response.json();
      expect(entry.integrated).toBe(true);
      expect(entry.leafHash).toBe(receipt.leafHash);
      // The leaf is the canonical envelope; anyone can recompute it from the entry.
      expect(toHex(leafHash(nodeCrypto, canonicalBytes(entry.envelope)))).toBe(receipt.leafHash);
      const proof = entry.proof.map(fromBase64);
      const root = fromBase64(entry.checkpoint.rootHash);
      expect(
        verifyInclusion(
          nodeCrypto,
          fromHex(receipt.leafHash),
          Number(receipt.logIndex),
          entry.checkpoint.size,
          proof,
          root,
        ),
      ).toBe(true);
      expect(
        verifyInclusion(
          nodeCrypto,
          fromHex(receipt.leafHash),
          Number(receipt.logIndex) + 1,
          entry.checkpoint.size,
          proof,
          root,
        ),
      ).toBe(false);
    }
    const missing = await t.app.inject({ method: 'GET', url: '/v1/log/entries/999999' });
    expect(missing.statusCode).toBe(404);
  });

  it('serves consistency proofs between any two checkpoints', async () => {
    const old = await checkpoint();
    await append(300);
    await t.integrate();
    const head = await checkpoint();
    const response = await t.app.inject({ method: 'GET', url: `/v1/log/consistency?from=${old.size}&to=${head.size}` });
    expect(response.statusCode).toBe(200);
    const proof = response.json().proof.map(fromBase64);
    expect(verifyConsistency(nodeCrypto, old.size, head.size, old.rootHash, head.rootHash, proof)).toBe(true);
    const forged = new Uint8Array(head.rootHash);
    forged[0] = (forged[0] ?? 0) ^ 1;
    expect(verifyConsistency(nodeCrypto, old.size, head.size, old.rootHash, forged, proof)).toBe(false);
    const beyond = await t.app.inject({ method: 'GET', url: `/v1/log/consistency?from=1&to=${head.size + 1}` });
    expect(beyond.statusCode).toBe(404);
    const backwards = await t.app.inject({ method: 'GET', url: '/v1/log/consistency?from=5&to=2' });
    expect(backwards.statusCode).toBe(400);
  });

  it('serves C2SP tiles that reproduce the root and entry bundles that hold the canonical envelopes', async () => {
    const head = await checkpoint();
    expect(head.size).toBeGreaterThan(256);
    const tiles = treeTiles(head.size);
    const data = [];
    for (const tile of tiles) data.push((await bytes(`/log/${tilePath(tile.level, tile.n, tile.width)}`)).data);
    expect(toHex(treeHashFromTiles(nodeCrypto, head.size, data))).toBe(toHex(head.rootHash));

    const full = await bytes(`/log/${tilePath(0, 0)}`);
    expect(full.cache).toContain('immutable');
    const leaves: Uint8Array[] = [];
    for (const bundle of entryBundlesForSize(head.size)) {
      const fetched = await bytes(`/log/${entriesTilePath(bundle.n, bundle.width)}`);
      expect(fetched.cache).toContain(bundle.width === 256 ? 'immutable' : 'max-age=1');
      for (const entry of decodeEntryBundle(fetched.data, bundle.width)) leaves.push(leafHash(nodeCrypto, entry));
    }
    expect(toHex(rootFromLeafHashes(nodeCrypto, leaves))).toBe(toHex(head.rootHash));

    const beyond = await t.app.inject({ method: 'GET', url: `/log/${tilePath(0, 5)}` });
    expect(beyond.statusCode).toBe(404);
    const malformed = await t.app.inject({ method: 'GET', url: '/log/tile/0/001' });
    expect(malformed.statusCode).toBe(404);
  });

  it('announces its origin and verifier key, which verify the checkpoints it serves', async () => {
    const info = (await t.app.inject({ method: 'GET', url: '/v1/log/info' })).json();
    expect(info).toMatchObject({ origin: t.ctx.config.logOrigin, witnesses: [], quorum: 0 });
    const key = parseVerifierKey(nodeCrypto, info.verifierKey);
    expect(toHex(key.publicKey)).toBe(toHex(t.ctx.logSigner.publicKey));
    const note = (await t.app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
    expect(openCheckpoint(nodeCrypto, note, [ed25519NoteVerifier(nodeCrypto, key)]).checkpoint.origin).toBe(
      info.origin,
    );
  });

  it('loses nothing when an integration fails half-way: the next one completes the tree', async () => {
    const head = await checkpoint();
    await append(5);
    // Make the hash insert fail: a row already sits where the integrator will write.
    const clash = storedHashCount(head.size);
    await t.ctx.database.db.execute(sql`insert into log_hashes (idx, hash) values (${clash}, decode('00', 'hex'))`);
    await t.integrate();
    expect((await checkpoint()).size).toBe(head.size);
    await t.ctx.database.db.execute(sql`delete from log_hashes where idx = ${clash}`);
    await t.integrate();
    const after = await checkpoint();
    expect(after.size).toBe(head.size + 5);
  });
});
