import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  DidKeyError,
  didKeyFromPublicKey,
  fromBase58,
  keyPairFromSecretKey,
  publicKeyFromDidKey,
  toBase58,
} from './index.js';

describe('base58btc', () => {
  it('matches the draft-msporny-base58 examples', () => {
    expect(toBase58(new TextEncoder().encode('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(toBase58(new TextEncoder().encode('The quick brown fox jumps over the lazy dog.'))).toBe(
      'USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z',
    );
    expect(toBase58(fromHex('0000287fb4cd'))).toBe('11233QC4');
    expect(toHex(fromBase58('11233QC4'))).toBe('0000287fb4cd');
  });

  it('round-trips any bytes, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(toHex(fromBase58(toBase58(bytes)))).toBe(toHex(bytes));
      }),
    );
  });

  it('refuses characters outside the alphabet', () => {
    for (const bad of ['0', 'O', 'I', 'l', '+']) expect(() => fromBase58(`abc${bad}`)).toThrow(SyntaxError);
  });
});

describe('did:key for Ed25519', () => {
  // Ed25519 examples from the did:key spec (w3c-ccg did-method-key); each must decode to a key
  // and encode back to the same text.
  const specExamples = [
    'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
    'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG',
    'did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf',
    'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH',
  ];

  it('names the key of the all-zero seed as the spec test vectors do', () => {
    for (const crypto of [nodeCrypto, nobleCrypto]) {
      const pair = keyPairFromSecretKey(crypto, new Uint8Array(32));
      expect(toHex(pair.publicKey)).toBe('3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29');
      expect(pair.did).toBe('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
    }
  });

  it.each(specExamples)('decodes %s and encodes it back', (did) => {
    const key = publicKeyFromDidKey(did);
    expect(key).toHaveLength(32);
    expect(didKeyFromPublicKey(key)).toBe(did);
  });

  it('round-trips every public key and always starts z6Mk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const did = didKeyFromPublicKey(key);
        expect(did.startsWith('did:key:z6Mk')).toBe(true);
        expect(did).toHaveLength(56);
        expect(toHex(publicKeyFromDidKey(did))).toBe(toHex(key));
      }),
    );
  });

  it.each([
    ['not a did', 'alice'],
    ['another method', 'did:web:example.com'],
    ['base64 multibase', 'did:key:m7QFAQ'],
    ['an X25519 key', 'did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F'],
    ['a secp256k1 key', 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'],
    ['a short key', 'did:key:zTjsVPtY'],
    ['a bad character', 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0'],
  ])('refuses %s', (_name, did) => {
    expect(() => publicKeyFromDidKey(did)).toThrow(DidKeyError);
  });
});
