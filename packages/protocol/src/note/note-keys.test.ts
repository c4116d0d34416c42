import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { toHex } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  COSIGNATURE_V1_SIGNATURE_TYPE,
  computeKeyId,
  ED25519_SIGNATURE_TYPE,
  formatKeyId,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKeys,
  isValidKeyName,
  NoteError,
  parseSignerKey,
  parseVerifierKey,
} from './index.js';

// Go's golang.org/x/mod/sumdb/note documentation and tests: the reference key pair.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
// transparency-dev/formats note tests: a plain Ed25519 key and a native cosignature/v1 (0x04) key.
const TEST_VKEY = 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6';
const REMORA_COSIGNER_VKEY = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

const expectKeyError = (fn: () => unknown) => {
  expect(fn).toThrow(NoteError);
  try {
    fn();
  } catch (error) {
    expect((error as NoteError).code).toBe('invalid_key');
  }
};

describe('key names', () => {
  it('are non-empty, without Unicode spaces or plus', () => {
    for (const name of ['example.com/log42', 'PeterNeumann', 'oid/1.3.6.1', 'quasimodo.example/salvatore', 'é']) {
      expect(isValidKeyName(name)).toBe(true);
    }
    for (const name of [
      '',
      'a b',
      'a+b',
      'a\tb',
      'a\nb',
      'a\u00a0b',
      'a\u2003b',
      'a\u3000b',
      'a\u0085b',
      'a\u0001b',
      '\ud800',
    ]) {
      expect(isValidKeyName(name)).toBe(false);
    }
  });
});

describe.each([nodeCrypto, nobleCrypto])('key IDs and key strings ($name)', (crypto) => {
  it('reproduces the key IDs of Go note keys: SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]', () => {
    const peter = parseVerifierKey(crypto, PETER_VKEY);
    expect(formatKeyId(peter.keyId)).toBe('c74f20a3');
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(peter.signatureType).toBe(ED25519_SIGNATURE_TYPE);
    expect(computeKeyId(crypto, 'PeterNeumann', 0x01, peter.publicKey)).toBe(0xc74f20a3);
    expect(formatKeyId(parseVerifierKey(crypto, ENOCH_VKEY).keyId)).toBe('af0cfe78');
    expect(formatKeyId(parseVerifierKey(crypto, TEST_VKEY).keyId)).toBe('7997405c');
    // The same key under type 0x04 has another ID: signature types are domain separated.
    expect(computeKeyId(crypto, 'PeterNeumann', 0x04, peter.publicKey)).not.toBe(0xc74f20a3);
  });

  it('reproduces a cosignature/v1 (type 0x04) key ID', () => {
    const remora = parseVerifierKey(crypto, REMORA_COSIGNER_VKEY, COSIGNATURE_V1_SIGNATURE_TYPE);
    expect(formatKeyId(remora.keyId)).toBe('da77ade7');
    expect(formatVerifierKey(crypto, remora, COSIGNATURE_V1_SIGNATURE_TYPE)).toBe(REMORA_COSIGNER_VKEY);
    // A 0x04 key is not an Ed25519 note key, and the other way round.
    expectKeyError(() => parseVerifierKey(crypto, REMORA_COSIGNER_VKEY));
    expectKeyError(() => parseVerifierKey(crypto, PETER_VKEY, COSIGNATURE_V1_SIGNATURE_TYPE));
  });

  it('parses the Go signer key, derives the matching public key and formats both back byte for byte', () => {
    const signer = parseSignerKey(crypto, PETER_SKEY);
    const verifier = parseVerifierKey(crypto, PETER_VKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(toHex(signer.publicKey)).toBe(toHex(verifier.publicKey));
    expect(formatSignerKey(crypto, signer)).toBe(PETER_SKEY);
    expect(formatVerifierKey(crypto, verifier)).toBe(PETER_VKEY);
  });

  it('generates key pairs that parse and agree', () => {
    const { signerKey, verifierKey } = generateNoteKeys(crypto, 'example.com/log42');
    const signer = parseSignerKey(crypto, signerKey);
    const verifier = parseVerifierKey(crypto, verifierKey);
    expect(signer.keyId).toBe(verifier.keyId);
    expect(toHex(signer.publicKey)).toBe(toHex(verifier.publicKey));
    const cosigner = generateNoteKeys(crypto, 'witness.example/w1', COSIGNATURE_V1_SIGNATURE_TYPE);
    expect(parseSignerKey(crypto, cosigner.signerKey, 0x04).keyId).toBe(
      parseVerifierKey(crypto, cosigner.verifierKey, 0x04).keyId,
    );
  });
});

describe('strict key string parsing', () => {
  const crypto = nodeCrypto;

  it('refuses every substring and every one-byte change of a verifier key (as Go tests)', () => {
    const bytes = [...PETER_VKEY];
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i + 1; j <= bytes.length; j++) {
        if (i !== 0 || j !== bytes.length) expectKeyError(() => parseVerifierKey(crypto, PETER_VKEY.slice(i, j)));
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed =
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expectKeyError(() => parseVerifierKey(crypto, changed));
    }
    // Wrong key length with a matching key ID; unknown algorithm with a matching key ID.
    expectKeyError(() =>
      parseVerifierKey(crypto, 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    );
    expectKeyError(() =>
      parseVerifierKey(crypto, 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    );
  });

  it('refuses every substring and every one-byte change of a signer key', () => {
    for (let i = 0; i <= PETER_SKEY.length; i++) {
      for (let j = i + 1; j <= PETER_SKEY.length; j++) {
        if (i !== 0 || j !== PETER_SKEY.length) expectKeyError(() => parseSignerKey(crypto, PETER_SKEY.slice(i, j)));
      }
    }
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const changed =
        PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      expectKeyError(() => parseSignerKey(crypto, changed));
    }
  });

  it('refuses uppercase hex, a wrong key ID, unpadded base64 and extra fields', () => {
    expectKeyError(() => parseVerifierKey(crypto, PETER_VKEY.replace('c74f20a3', 'C74F20A3')));
    expectKeyError(() => parseVerifierKey(crypto, PETER_VKEY.replace('c74f20a3', 'c74f20a4')));
    expectKeyError(() => parseVerifierKey(crypto, `${PETER_VKEY}+`));
    expectKeyError(() => parseVerifierKey(crypto, `${PETER_VKEY} `));
    expectKeyError(() =>
      parseVerifierKey(crypto, `Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`),
    );
    expectKeyError(() => parseVerifierKey(crypto, `+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`));
    expectKeyError(() => parseSignerKey(crypto, PETER_VKEY));
    expectKeyError(() => parseVerifierKey(crypto, PETER_SKEY));
  });

  it('never repeats signer key material in its errors', () => {
    const changed = PETER_SKEY.replace('c74f20a3', 'c74f20a4');
    expect(() => parseSignerKey(crypto, changed)).toThrow(/does not match/);
    try {
      parseSignerKey(crypto, changed);
    } catch (error) {
      expect((error as Error).message).not.toContain('AYEKFALV');
    }
  });

  it('refuses to format keys with bad names or sizes', () => {
    expectKeyError(() => formatVerifierKey(crypto, { name: 'a+b', publicKey: new Uint8Array(32) }));
    expectKeyError(() => formatVerifierKey(crypto, { name: 'ab', publicKey: new Uint8Array(31) }));
    expectKeyError(() => formatVerifierKey(crypto, { name: 'ab', publicKey: new Uint8Array(32) }, 0x02));
    expectKeyError(() => formatSignerKey(crypto, { name: 'a b', secretKey: new Uint8Array(32) }));
  });
});
