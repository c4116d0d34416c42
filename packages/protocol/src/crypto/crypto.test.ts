import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import { nobleCrypto } from './noble.js';

// RFC 8032 §7.1, tests 1–3 (secret key, public key, message, signature).
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe.each([nodeCrypto, nobleCrypto])('crypto provider $name', (crypto) => {
  it.each(RFC8032)('passes RFC 8032 vector with public key $public', (vector) => {
    const secret = fromHex(vector.secret);
    const message = fromHex(vector.message);
    expect(toHex(crypto.ed25519.publicKey(secret))).toBe(vector.public);
    expect(toHex(crypto.ed25519.sign(message, secret))).toBe(vector.signature);
    expect(crypto.ed25519.verify(fromHex(vector.signature), message, fromHex(vector.public))).toBe(true);
    const tampered = fromHex(vector.signature);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(crypto.ed25519.verify(tampered, message, fromHex(vector.public))).toBe(false);
  });

  it('answers false, never throws, for malformed signatures and keys', () => {
    const message = utf8Encode('m');
    expect(crypto.ed25519.verify(new Uint8Array(63), message, new Uint8Array(32))).toBe(false);
    expect(crypto.ed25519.verify(new Uint8Array(64), message, new Uint8Array(31))).toBe(false);
    expect(crypto.ed25519.verify(new Uint8Array(64).fill(255), message, new Uint8Array(32).fill(255))).toBe(false);
  });

  it('hashes with SHA-256 (FIPS 180-2 "abc" and the empty string)', () => {
    expect(toHex(crypto.sha256(utf8Encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(crypto.sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('gives fresh random bytes of the asked length', () => {
    expect(crypto.randomBytes(32)).toHaveLength(32);
    expect(toHex(crypto.randomBytes(16))).not.toBe(toHex(crypto.randomBytes(16)));
  });
});

it('the Node and noble providers agree on every key, signature and hash', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 200 }),
      (secret, message) => {
        const publicKey = nodeCrypto.ed25519.publicKey(secret);
        expect(toHex(nobleCrypto.ed25519.publicKey(secret))).toBe(toHex(publicKey));
        const signature = nodeCrypto.ed25519.sign(message, secret);
        expect(toHex(nobleCrypto.ed25519.sign(message, secret))).toBe(toHex(signature));
        expect(nobleCrypto.ed25519.verify(signature, message, publicKey)).toBe(true);
        expect(toHex(nobleCrypto.sha256(message))).toBe(toHex(nodeCrypto.sha256(message)));
      },
    ),
    { numRuns: 50 },
  );
});
