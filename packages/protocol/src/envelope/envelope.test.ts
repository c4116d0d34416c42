import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../canonical/index.js';
import { nobleCrypto } from '../crypto/noble.js';
import { toHex, utf8Decode } from '../encoding/bytes.js';
import { keyPairFromSecretKey } from '../identity/did-key.js';
import { nodeCrypto } from '../node.js';
import {
  checkEnvelopeShape,
  createEnvelope,
  type Envelope,
  EnvelopeShapeError,
  SIGNING_PREFIX,
  signEnvelope,
  signingBytes,
  signingBytesOfCanonical,
  verifyEnvelope,
} from './index.js';

// A fixed envelope signed with the all-zero seed: the shared vector both providers must reproduce.
const pair = keyPairFromSecretKey(nodeCrypto, new Uint8Array(32));
const unsigned = createEnvelope({
  type: 'identity.role.applied',
  actor: pair.did,
  body: { role: 'tester', note: '质量 ✓' },
  ts: new Date('2026-11-22T10:00:00.000Z'),
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
});
const VECTOR_SIGNING_TEXT =
  'concord/v1\n{"actor":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp","body":{"note":"质量 ✓","role":"tester"},"nonce":"AAAAAAAAAAAAAAAAAAAAAA","ts":"2026-11-22T10:00:00.000Z","type":"identity.role.applied","v":1}';

describe('envelopes', () => {
  it('signs "concord/v1\\n" + the RFC 8785 JSON of everything but sig', () => {
    expect(utf8Decode(signingBytes(unsigned))).toBe(VECTOR_SIGNING_TEXT);
    expect(SIGNING_PREFIX).toBe('concord/v1\n');
  });

  it('gives the same signature with Node crypto and with noble, and each verifies the other', () => {
    const byNode = signEnvelope(unsigned, pair.secretKey, nodeCrypto);
    const byNoble = signEnvelope(unsigned, pair.secretKey, nobleCrypto);
    expect(byNoble.sig).toBe(byNode.sig);
    expect(byNode.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyEnvelope(byNode, nobleCrypto)).toEqual({ ok: true });
    expect(verifyEnvelope(byNoble, nodeCrypto)).toEqual({ ok: true });
    // The signature over the vector's bytes is plain Ed25519, checkable without this library.
    expect(
      nodeCrypto.ed25519.verify(Buffer.from(byNode.sig, 'base64url'), signingBytes(unsigned), pair.publicKey),
    ).toBe(true);
  });

  it('does not depend on member order or on sig being present in the signing bytes', () => {
    const signed = signEnvelope(unsigned, pair.secretKey, nodeCrypto);
    const { sig, body, ...rest } = signed;
    const shuffled = JSON.parse(JSON.stringify({ sig, body, ...rest })) as Envelope;
    expect(verifyEnvelope(shuffled, nodeCrypto)).toEqual({ ok: true });
    expect(toHex(signingBytes(signed))).toBe(toHex(signingBytes(unsigned)));
  });

  it('marks custodial signatures, and the mark is signed', () => {
    const custodial = signEnvelope(createEnvelope({ ...unsigned, custody: 'platform' }), pair.secretKey, nodeCrypto);
    expect(custodial.custody).toBe('platform');
    const { custody: _dropped, ...stripped } = custodial;
    expect(verifyEnvelope(stripped as Envelope, nodeCrypto)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it.each([nodeCrypto, nobleCrypto])('refuses any change to a signed envelope ($name)', (crypto) => {
    const signed = signEnvelope(unsigned, pair.secretKey, crypto);
    const other = keyPairFromSecretKey(crypto, new Uint8Array(32).fill(7));
    const changes: Envelope[] = [
      { ...signed, type: 'identity.role.approved' },
      { ...signed, ts: '2026-11-22T10:00:00.001Z' },
      { ...signed, nonce: 'AAAAAAAAAAAAAAAAAAAAAB' },
      { ...signed, body: { role: 'expert', note: '质量 ✓' } },
      { ...signed, actor: other.did },
      { ...signed, sig: signEnvelope(unsigned, other.secretKey, crypto).sig },
    ];
    for (const changed of changes) {
      expect(verifyEnvelope(changed, crypto)).toMatchObject({ ok: false, code: 'bad_signature' });
    }
    expect(
      verifyEnvelope({ ...signed, actor: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme' }, crypto),
    ).toMatchObject({
      ok: false,
      code: 'bad_actor',
    });
    expect(verifyEnvelope({ ...signed, body: { n: 2 ** 60 } }, crypto)).toMatchObject({
      ok: false,
      code: 'not_canonical',
    });
  });

  it('verifies whatever it signed (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        // Any JSON body Concord accepts, i.e. without integers beyond ±(2^53−1).
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).filter((body) => {
          try {
            canonicalBytes(body);
            return true;
          } catch {
            return false;
          }
        }),
        (secret, body) => {
          const signer = keyPairFromSecretKey(nodeCrypto, secret);
          const envelope = signEnvelope(
            createEnvelope({ type: 'test.any', actor: signer.did, body, ts: new Date(0), nonce: 'nonce-nonce-nonce' }),
            secret,
            nodeCrypto,
          );
          const wire = JSON.parse(JSON.stringify(envelope));
          expect(verifyEnvelope(checkEnvelopeShape(wire), nobleCrypto)).toEqual({ ok: true });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('signing bytes cut from the canonical bytes', () => {
  it('are the signing bytes, whatever the body holds (property)', () => {
    const body = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).filter((value) => {
      try {
        canonicalBytes(value);
        return true;
      } catch {
        return false;
      }
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        body,
        fc.boolean(),
        fc.boolean(),
        (secret, anyBody, custodial, nestedSig) => {
          const signer = keyPairFromSecretKey(nodeCrypto, secret);
          const unsignedOne = createEnvelope({
            type: 'test.any',
            actor: signer.did,
            body: anyBody,
            ts: new Date(0),
            nonce: 'nonce-nonce-nonce',
            ...(custodial ? { custody: 'platform' as const } : {}),
          });
          const envelope = signEnvelope(unsignedOne, secret, nodeCrypto);
          // A body member named sig with the very same value must not be taken for the envelope's.
          const tricky = nestedSig ? { ...envelope, body: { ...anyBody, sig: envelope.sig } } : envelope;
          const cut = signingBytesOfCanonical(canonicalBytes(tricky), tricky.sig);
          expect(cut && toHex(cut)).toBe(toHex(signingBytes(tricky)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('are undefined when the text holds no such sig, and a wrong message fails verification', () => {
    const envelope = signEnvelope(unsigned, pair.secretKey, nodeCrypto);
    expect(signingBytesOfCanonical(canonicalBytes(unsigned), envelope.sig)).toBeUndefined();
    const other = signingBytesOfCanonical(
      canonicalBytes({ ...envelope, nonce: 'BBBBBBBBBBBBBBBBBBBBBB' }),
      envelope.sig,
    );
    expect(verifyEnvelope(envelope, nodeCrypto, other)).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(
      verifyEnvelope(envelope, nodeCrypto, signingBytesOfCanonical(canonicalBytes(envelope), envelope.sig)),
    ).toEqual({ ok: true });
  });
});

describe('envelope shape', () => {
  const signed = signEnvelope(unsigned, pair.secretKey, nodeCrypto);

  it('accepts a well-formed envelope as it is', () => {
    expect(checkEnvelopeShape(JSON.parse(JSON.stringify(signed)))).toEqual(signed);
  });

  it.each([
    ['not an object', [], ''],
    ['an unknown member', { ...signed, admin: true }, 'admin'],
    ['version 2', { ...signed, v: 2 }, 'v'],
    ['an upper-case type', { ...signed, type: 'Identity.Role' }, 'type'],
    ['a one-word type', { ...signed, type: 'identity' }, 'type'],
    ['a non-did actor', { ...signed, actor: 'alice' }, 'actor'],
    ['a local time', { ...signed, ts: '2026-11-22T10:00:00.000+08:00' }, 'ts'],
    ['an impossible date', { ...signed, ts: '2026-02-30T10:00:00.000Z' }, 'ts'],
    ['a short nonce', { ...signed, nonce: 'abc' }, 'nonce'],
    ['a nonce with spaces', { ...signed, nonce: 'a nonce with spaces' }, 'nonce'],
    ['an array body', { ...signed, body: [] }, 'body'],
    ['another custody', { ...signed, custody: 'bank' }, 'custody'],
    ['a short sig', { ...signed, sig: 'abc' }, 'sig'],
  ])('refuses %s, naming the field', (_name, value, field) => {
    try {
      checkEnvelopeShape(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvelopeShapeError);
      expect((error as EnvelopeShapeError).field).toBe(field);
    }
  });
});
