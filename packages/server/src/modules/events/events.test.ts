import {
  canonicalBytes,
  createEnvelope,
  ed25519NoteVerifier,
  fromBase64,
  fromHex,
  openCheckpoint,
  signEnvelope,
  toBase64,
  toBase64Url,
  verifyInclusion,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, newKeyPair, postEvent, register, sign, type TestApp } from '../../test-support/app.js';
import { tableCounts } from '../../test-support/database.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const errorOf = (response: { json(): unknown }) =>
  (response.json() as { error: { code: string; field?: string } }).error;

const logSize = async () =>
  Number((await rows<{ n: string }>(t.testDatabase.database.db, sql`select next_index as n from log_sequencer`))[0]?.n);

/**
 * A validly shaped, signed envelope whose canonical bytes are exactly `bytes` long: a settlement
 * result, whose totals take any number of parties (one party's name pads it to the length).
 */
function envelopeOfSize(bytes: number, nonce: string) {
  const pair = newKeyPair();
  const ts = new Date();
  const totals = Object.fromEntries(Array.from({ length: 3_800 }, (_, i) => [`party-${i}`, '1']));
  const body = (pad: number) => ({
    cycle: 0,
    startsAt: ts.toISOString(),
    endsAt: ts.toISOString(),
    orders: 0,
    paidFen: '0',
    leaves: 0,
    root: '0'.repeat(64),
    inputsDigest: '0'.repeat(64),
    totals: { ...totals, ['p'.repeat(pad)]: '0' },
  });
  const probe = canonicalBytes(sign(pair, 'settlement.cycle.closed', body(1), { ts, nonce })).length;
  const envelope = sign(pair, 'settlement.cycle.closed', body(1 + bytes - probe), { ts, nonce });
  expect(canonicalBytes(envelope).length).toBe(bytes);
  return envelope;
}

describe('POST /v1/events', () => {
  it('applies a registration once and answers a replay with the original result', async () => {
    const alice = newKeyPair();
    const envelope = sign(alice, 'identity.account.registered', {});
    const first = await postEvent(t, envelope);
    expect(first.statusCode).toBe(201);
    const receipt = first.json();
    expect(receipt).toMatchObject({ type: 'identity.account.registered', actor: alice.did, replayed: false });
    expect(receipt.leafHash).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt.logIndex).toMatch(/^[0-9]+$/);

    const before = await tableCounts(t.testDatabase.database);
    const again = await postEvent(t, envelope);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...receipt, replayed: true });
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
  });

  it('answers a replay with the original result after its timestamp has gone stale', async () => {
    const dan = newKeyPair();
    const envelope = sign(dan, 'identity.account.registered', {}, { ts: t.clock.now });
    const first = await postEvent(t, envelope);
    expect(first.statusCode).toBe(201);
    const saved = t.clock.now;
    t.clock.now = new Date(saved.getTime() + 60 * 60_000);
    try {
      const again = await postEvent(t, envelope);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ ...first.json(), replayed: true });
      // A new envelope signed at the old time is still refused for its clock.
      const late = await postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}, { ts: saved }));
      expect(errorOf(late)).toMatchObject({ code: 'stale_timestamp', field: 'ts' });
    } finally {
      t.clock.now = saved;
    }
  });

  it('refuses a nonce reused for a different envelope', async () => {
    const bob = newKeyPair();
    await register(t, bob);
    const first = await postEvent(
      t,
      sign(bob, 'identity.role.applied', { role: 'tester' }, { nonce: 'bob-nonce-000000001' }),
    );
    expect(first.statusCode).toBe(201);
    const second = await postEvent(
      t,
      sign(bob, 'identity.role.applied', { role: 'expert' }, { nonce: 'bob-nonce-000000001' }),
    );
    expect(second.statusCode).toBe(409);
    expect(errorOf(second)).toMatchObject({ code: 'nonce_reused', field: 'nonce' });
  });

  it('applies concurrent copies of one envelope exactly once', async () => {
    const carol = newKeyPair();
    const envelope = sign(carol, 'identity.account.registered', {});
    const responses = await Promise.all(Array.from({ length: 8 }, () => postEvent(t, envelope)));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.json().eventId)).size).toBe(1);
    expect(new Set(responses.map((r) => r.json().logIndex)).size).toBe(1);
  });

  it('numbers accepted envelopes in the log without gaps or duplicates under concurrency', async () => {
    const pairs = Array.from({ length: 30 }, () => newKeyPair());
    const envelopes = pairs.map((pair) => sign(pair, 'identity.account.registered', {}));
    // Some fail (a bad signature) amid the others: they must not take a log index.
    envelopes[5] = { ...envelopes[5]!, sig: envelopes[6]!.sig };
    envelopes[17] = { ...envelopes[17]!, body: { admin: true } };
    const responses = await Promise.all(envelopes.map((envelope) => postEvent(t, envelope)));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(28);
    const all = await rows<{ log_index: string | null }>(
      t.testDatabase.database.db,
      sql`select log_index from events order by log_index`,
    );
    const indexes = all.map((r) => Number(r.log_index));
    expect(indexes).toEqual(indexes.map((_, i) => i));
  });

  it.each([
    [
      'a bad signature',
      () => ({ ...sign(newKeyPair(), 'identity.account.registered', {}), sig: toBase64Url(new Uint8Array(64)) }),
      401,
      'invalid_signature',
    ],
    [
      'a stale timestamp',
      () => sign(newKeyPair(), 'identity.account.registered', {}, { ts: new Date(Date.now() - 6 * 60_000) }),
      400,
      'stale_timestamp',
    ],
    [
      'a future timestamp',
      () => sign(newKeyPair(), 'identity.account.registered', {}, { ts: new Date(Date.now() + 6 * 60_000) }),
      400,
      'stale_timestamp',
    ],
    ['an unknown type', () => sign(newKeyPair(), 'identity.account.exploded', {}), 400, 'unknown_event_type'],
    [
      'a body field of the wrong type',
      () => sign(newKeyPair(), 'identity.role.applied', { role: 7 }),
      400,
      'invalid_body',
    ],
    [
      'an extra body field',
      () => sign(newKeyPair(), 'identity.account.registered', { admin: true }),
      400,
      'invalid_body',
    ],
    [
      'an unregistered actor',
      () => sign(newKeyPair(), 'identity.role.applied', { role: 'tester' }),
      403,
      'not_registered',
    ],
    [
      'a custody claim by a self-held key',
      () => {
        const pair = newKeyPair();
        return signEnvelope(
          createEnvelope({
            type: 'identity.account.registered',
            actor: pair.did,
            body: {},
            ts: new Date(),
            nonce: 'custody-claim-00001',
            custody: 'platform',
          }),
          pair.secretKey,
          nodeCrypto,
        );
      },
      400,
      'custody_mismatch',
    ],
  ])('refuses %s and writes nothing', async (_name, make, status, code) => {
    const before = await tableCounts(t.testDatabase.database);
    const response = await postEvent(t, make());
    expect(response.statusCode).toBe(status);
    expect(errorOf(response).code).toBe(code);
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
  });

  it('refuses an envelope longer than a log entry may be (65,535 bytes) with 413 and stores nothing', async () => {
    const before = await tableCounts(t.testDatabase.database);
    const size = await logSize();
    const tooLarge = await postEvent(t, envelopeOfSize(65_536, 'entry-limit-00001'));
    expect(tooLarge.statusCode).toBe(413);
    expect(errorOf(tooLarge).code).toBe('entry_too_large');
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
    expect(await logSize()).toBe(size);
    // One byte less fits a log entry: the envelope goes on to the next check (its actor's account).
    const fits = await postEvent(t, envelopeOfSize(65_535, 'entry-limit-00002'));
    expect(fits.statusCode).toBe(403);
    expect(errorOf(fits).code).toBe('not_registered');
    expect(await logSize()).toBe(size);
  });

  it('answers with where its inclusion proof is served, which proves it against the served checkpoint', async () => {
    const response = await postEvent(t, sign(newKeyPair(), 'identity.account.registered', {}));
    expect(response.statusCode).toBe(201);
    const receipt = response.json() as { logIndex: string; leafHash: string; proofUrl: string };
    expect(receipt.proofUrl).toBe(`/v1/log/entries/${receipt.logIndex}`);
    const pending = await t.app.inject({ method: 'GET', url: receipt.proofUrl });
    expect(pending.json()).toMatchObject({ integrated: false, proof: null });

    await t.integrate();
    const entry = (await t.app.inject({ method: 'GET', url: receipt.proofUrl })).json();
    expect(entry.integrated).toBe(true);
    const note = (await t.app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
    const served = openCheckpoint(nodeCrypto, note, [ed25519NoteVerifier(nodeCrypto, t.ctx.logSigner)]).checkpoint;
    expect(entry.checkpoint).toMatchObject({ size: served.size, rootHash: toBase64(served.rootHash) });
    const proof = (entry.proof as string[]).map(fromBase64);
    const leaf = fromHex(receipt.leafHash);
    const index = Number(receipt.logIndex);
    expect(verifyInclusion(nodeCrypto, leaf, index, served.size, proof, served.rootHash)).toBe(true);
    // The proof is for this entry only.
    expect(verifyInclusion(nodeCrypto, leaf, index + 1, served.size, proof, served.rootHash)).toBe(false);
  });

  it('refuses an actor without the role the type needs', async () => {
    const dave = newKeyPair();
    const erin = newKeyPair();
    await register(t, dave);
    await register(t, erin);
    await postEvent(t, sign(erin, 'identity.role.applied', { role: 'producer' }));
    const before = await tableCounts(t.testDatabase.database);
    const response = await postEvent(t, sign(dave, 'identity.role.approved', { account: erin.did, role: 'producer' }));
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('role_required');
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
  });

  it('answers malformed JSON, wrong media types and oversized bodies with 4xx codes', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json' },
      payload: '{"v":1,',
    });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).code).toBe('invalid_json');

    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);

    const big = sign(newKeyPair(), 'identity.account.registered', { pad: 'x'.repeat(t.ctx.config.bodyLimitBytes) });
    const oversized = await postEvent(t, big);
    expect(oversized.statusCode).toBe(413);
    expect(errorOf(oversized).code).toBe('body_too_large');

    const poisoned = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"x":1}}',
    });
    expect(poisoned.statusCode).toBe(400);
  });

  it('never answers random malformed envelopes with a 5xx and never writes a row', async () => {
    const pair = newKeyPair();
    const valid = sign(pair, 'identity.account.registered', {});
    const before = await tableCounts(t.testDatabase.database);
    const field = fc.constantFrom('v', 'type', 'actor', 'ts', 'nonce', 'body', 'custody', 'sig', 'extra');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), field, value: fc.jsonValue() }),
      fc.record({ kind: fc.constant('delete' as const), field }),
      fc.record({ kind: fc.constant('replace' as const), value: fc.jsonValue() }),
      fc.record({
        kind: fc.constant('flip' as const),
        field: fc.constantFrom('type', 'actor', 'ts', 'nonce', 'sig'),
        at: fc.nat(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let candidate: unknown = structuredClone(valid);
        for (const m of mutations) {
          if (m.kind === 'replace') candidate = m.value;
          else if (candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate)) {
            const object = candidate as Record<string, unknown>;
            if (m.kind === 'set') object[m.field] = m.value;
            else if (m.kind === 'delete') delete object[m.field];
            else {
              const value = object[m.field];
              if (typeof value === 'string' && value.length > 0) {
                const i = m.at % value.length;
                object[m.field] = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
              }
            }
          }
        }
        // A mutation that leaves the envelope as it was (deleting an absent field) proves nothing.
        fc.pre(JSON.stringify(candidate) !== JSON.stringify(valid));
        const response = await t.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(candidate) ?? 'null',
        });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(errorOf(response).code).toMatch(/^[a-z_]+$/);
      }),
      { numRuns: 200 },
    );
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
  });
});
