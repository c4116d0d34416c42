import { signInMessage, toBase64Url, utf8Decode, verifyEnvelope } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, newKeyPair, postEvent, register, sign, signIn, type TestApp } from '../../test-support/app.js';
import { tableCounts } from '../../test-support/database.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
});
afterAll(async () => {
  await t?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('accounts and sessions', () => {
  it('keeps the profile in the database and off the event journal', async () => {
    const alice = newKeyPair();
    await register(t, alice, { displayName: '王小明', phone: '+86 138 0013 8000' });
    const journal = await rows<{ canonical: Uint8Array }>(
      t.testDatabase.database.db,
      sql`select canonical from events where actor = ${alice.did}`,
    );
    expect(journal).toHaveLength(1);
    const text = utf8Decode(new Uint8Array(journal[0]!.canonical));
    expect(text).not.toContain('138');
    expect(text).not.toContain('王小明');

    const token = await signIn(t, alice);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      did: alice.did,
      roles: ['consumer'],
      profile: { displayName: '王小明', phone: '+86 138 0013 8000' },
    });

    const publicView = await t.app.inject({ method: 'GET', url: `/v1/accounts/${alice.did}` });
    expect(publicView.json()).toEqual({
      did: alice.did,
      custodial: false,
      roles: ['consumer'],
      registeredAt: expect.any(String),
    });
  });

  it('signs in only with a fresh challenge signed by the DID key', async () => {
    const bob = newKeyPair();
    const mallory = newKeyPair();
    await register(t, bob);
    const issued = await t.app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: bob.did } });
    const { challenge, message } = issued.json();
    expect(message).toBe(`concord/v1 sign-in\n${challenge}`);

    const forged = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), mallory.secretKey));
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { did: bob.did, challenge, signature: forged },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('invalid_signature');

    // The refused attempt burnt the challenge: it works once, right or wrong.
    const good = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), bob.secretKey));
    const reused = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { did: bob.did, challenge, signature: good },
    });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().error.code).toBe('invalid_challenge');

    const token = await signIn(t, bob);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(
      204,
    );
    const after = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');

    // A session also ends at its expiry.
    const later = await signIn(t, bob);
    const saved = t.clock.now;
    try {
      t.clock.now = new Date(saved.getTime() + t.ctx.config.sessionTtlMinutes * 60_000 - 1000);
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(later) })).statusCode).toBe(200);
      t.clock.now = new Date(saved.getTime() + t.ctx.config.sessionTtlMinutes * 60_000 + 1000);
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(later) })).statusCode).toBe(401);
    } finally {
      t.clock.now = saved;
    }
  });

  it('replays a challenge request by Idempotency-Key and refuses the key for another request', async () => {
    const carol = newKeyPair();
    const headers = { 'idempotency-key': 'challenge-key-0001' };
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/challenges',
      headers,
      payload: { did: carol.did },
    });
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/challenges',
      headers,
      payload: { did: carol.did },
    });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/challenges',
      headers,
      payload: { did: newKeyPair().did },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  });
});

describe('roles', () => {
  it('lets an account apply, and only an operator approve, by envelopes', async () => {
    const producer = newKeyPair();
    await register(t, producer);
    const applied = await postEvent(t, sign(producer, 'identity.role.applied', { role: 'producer' }));
    expect(applied.statusCode).toBe(201);
    const twice = await postEvent(t, sign(producer, 'identity.role.applied', { role: 'producer' }));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('application_pending');

    const operatorToken = await signIn(t, t.operator);
    const queue = await t.app.inject({
      method: 'GET',
      url: '/v1/roles/applications?status=pending',
      headers: bearer(operatorToken),
    });
    expect(queue.json().items.map((a: { did: string }) => a.did)).toContain(producer.did);
    const producerToken = await signIn(t, producer);
    const notOperator = await t.app.inject({
      method: 'GET',
      url: '/v1/roles/applications',
      headers: bearer(producerToken),
    });
    expect(notOperator.statusCode).toBe(403);

    const approved = await postEvent(
      t,
      sign(t.operator, 'identity.role.approved', { account: producer.did, role: 'producer' }),
    );
    expect(approved.statusCode).toBe(201);
    const account = await t.app.inject({ method: 'GET', url: `/v1/accounts/${producer.did}` });
    expect(account.json().roles).toEqual(['consumer', 'producer']);

    const again = await postEvent(
      t,
      sign(t.operator, 'identity.role.approved', { account: producer.did, role: 'producer' }),
    );
    expect(again.statusCode).toBe(404);

    const revoked = await postEvent(
      t,
      sign(t.operator, 'identity.role.revoked', { account: producer.did, role: 'producer' }),
    );
    expect(revoked.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/v1/accounts/${producer.did}` })).json().roles).toEqual([
      'consumer',
    ]);
  });

  it('takes operator and custodian from configuration, not from envelopes', async () => {
    const operatorView = await t.app.inject({ method: 'GET', url: `/v1/accounts/${t.operator.did}` });
    expect(operatorView.json().roles).toContain('operator');
    const someone = newKeyPair();
    await register(t, someone);
    const response = await postEvent(t, sign(someone, 'identity.role.applied', { role: 'operator' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_body', field: 'body.role' });
  });
});

describe('custodial keys', () => {
  it('creates an account whose envelopes the platform signs and marks', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts/custodial',
      headers: { 'idempotency-key': 'custodial-signup-01' },
      payload: { passphrase: 'correct horse battery', profile: { displayName: 'Lin' } },
    });
    expect(created.statusCode).toBe(201);
    const { receipt, session } = created.json();
    const did: string = receipt.actor;
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts/custodial',
      headers: { 'idempotency-key': 'custodial-signup-01' },
      payload: { passphrase: 'correct horse battery', profile: { displayName: 'Lin' } },
    });
    expect(replay.json().receipt.actor).toBe(did);

    const applied = await t.app.inject({
      method: 'POST',
      url: '/v1/custodial/events',
      headers: { ...bearer(session.token), 'idempotency-key': 'apply-tester-0001' },
      payload: { type: 'identity.role.applied', body: { role: 'tester' } },
    });
    expect(applied.statusCode).toBe(201);
    const retried = await t.app.inject({
      method: 'POST',
      url: '/v1/custodial/events',
      headers: { ...bearer(session.token), 'idempotency-key': 'apply-tester-0001' },
      payload: { type: 'identity.role.applied', body: { role: 'tester' } },
    });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ eventId: applied.json().eventId, replayed: true });

    // An envelope signed for a request that takes one (checkout): returned, nothing written; with
    // the same Idempotency-Key a retry gets the same nonce, and the platform's signature verifies.
    const countBefore = await tableCounts(t.testDatabase.database);
    const signFor = (key: string, body: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/custodial/envelopes',
        headers: { ...bearer(session.token), 'idempotency-key': key },
        payload: { type: 'identity.role.applied', body },
      });
    const signed = await signFor('sign-only-0001', { role: 'producer' });
    expect(signed.statusCode).toBe(200);
    const envelope = signed.json().envelope;
    expect(envelope).toMatchObject({ actor: did, custody: 'platform', body: { role: 'producer' } });
    expect(verifyEnvelope(envelope, nodeCrypto)).toEqual({ ok: true });
    expect((await signFor('sign-only-0001', { role: 'producer' })).json().envelope.nonce).toBe(envelope.nonce);
    expect(await tableCounts(t.testDatabase.database)).toEqual(countBefore);
    // The key of an event already submitted cannot sign a different one.
    const reused = await signFor('apply-tester-0001', { role: 'expert' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('idempotency_key_reused');
    // A self-held account signs its own envelopes.
    const selfHeld = newKeyPair();
    await register(t, selfHeld);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/custodial/envelopes',
      headers: bearer(await signIn(t, selfHeld)),
      payload: { type: 'identity.role.applied', body: { role: 'tester' } },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('not_custodial');

    const [stored] = await rows<{ envelope: { custody?: string }; custodial: boolean }>(
      t.testDatabase.database.db,
      sql`select envelope, custodial from events where actor = ${did} and type = 'identity.role.applied'`,
    );
    expect(stored).toMatchObject({ custodial: true, envelope: { custody: 'platform' } });

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/custodial-sessions',
      payload: { did, passphrase: 'wrong horse battery' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/custodial-sessions',
      payload: { did, passphrase: 'correct horse battery' },
    });
    expect(right.statusCode).toBe(201);
  });

  it('writes nothing when a custodial sign-up is refused', async () => {
    const before = await tableCounts(t.testDatabase.database);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts/custodial',
      payload: { passphrase: 'short' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_request', field: 'body.passphrase' });
    expect(await tableCounts(t.testDatabase.database)).toEqual(before);
  });
});
