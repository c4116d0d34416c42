import { keyPairFromSecretKey, nobleCrypto, toBase64Url } from '@concord/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromPhrase, phraseOf, splitPhrase } from './phrase';
import {
  checkRecord,
  newKey,
  openRecord,
  parseWalletFile,
  sealKey,
  WalletError,
  walletFileName,
  walletFileText,
} from './vault';

// Few PBKDF2 rounds keep the tests fast; new wallets use NEW_WALLET_ITERATIONS.
const FAST = { label: 'test', iterations: 1_000 };

const failsWith = async (work: Promise<unknown> | (() => unknown), code: string) => {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    expect(error).toBeInstanceOf(WalletError);
    expect((error as WalletError).code).toBe(code);
    return error as WalletError;
  }
  throw new Error(`expected a WalletError ${code}`);
};

describe('recovery phrase', () => {
  it('is the key itself: any 32-byte key → 24 words → the same key, in English and in Chinese', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom('en', 'zh'), (key, language) => {
        const words = phraseOf(key, language as 'en' | 'zh');
        expect(words).toHaveLength(24);
        const restored = keyFromPhrase(words.join(' '));
        expect(restored.language).toBe(language);
        expect(Array.from(restored.secretKey)).toEqual(Array.from(key));
      }),
      { numRuns: 200 },
    );
  });

  it('reads phrases as people type them: case, numbering, commas, Chinese without spaces', () => {
    const key = newKey().secretKey;
    const english = phraseOf(key, 'en');
    const chinese = phraseOf(key, 'zh');
    const same = (input: string) => expect(Array.from(keyFromPhrase(input).secretKey)).toEqual(Array.from(key));
    same(english.map((word, index) => `${index + 1}. ${word.toUpperCase()}`).join('\n'));
    same(english.join(', '));
    same(chinese.join(''));
    same(chinese.join('，'));
    same(`  ${chinese.join('\u3000')}  `);
    expect(splitPhrase('1.的 2.一')).toEqual(['的', '一']);
  });

  it('says what is wrong: no words, a wrong word count, unknown words, a bad checksum', async () => {
    const words = phraseOf(newKey().secretKey, 'en');
    await failsWith(() => keyFromPhrase('  '), 'phrase_empty');
    const short = await failsWith(() => keyFromPhrase(words.slice(0, 12).join(' ')), 'phrase_word_count');
    expect(short.details.count).toBe(12);
    const typo = [...words];
    typo[4] = 'notaword';
    const unknown = await failsWith(() => keyFromPhrase(typo.join(' ')), 'phrase_unknown_words');
    expect(unknown.details.words).toBe('5: notaword');
    // A known invalid phrase: 24 × "abandon" has a wrong checksum.
    await failsWith(() => keyFromPhrase(Array(24).fill('abandon').join(' ')), 'phrase_checksum');
    await failsWith(() => keyFromPhrase(Array(24).fill('的').join('')), 'phrase_checksum');
    // …whereas all-zero entropy with its right last word is fine.
    expect(keyFromPhraseOrError(`${Array(23).fill('abandon').join(' ')} art`)).toBe('ok');
  });
});

function keyFromPhraseOrError(phrase: string): string {
  try {
    keyFromPhrase(phrase);
    return 'ok';
  } catch (error) {
    return (error as WalletError).code;
  }
}

describe('encrypted key record', () => {
  it('round-trips: sealed with a passphrase, opened with it, the DID bound to the key', async () => {
    const key = newKey();
    const record = await sealKey(key.secretKey, 'correct horse battery', FAST);
    expect(record).toMatchObject({ did: key.did, kdf: 'PBKDF2-SHA256', iterations: 1_000, label: 'test' });
    expect(record.did).toBe(keyPairFromSecretKey(nobleCrypto, key.secretKey).did);
    expect(JSON.stringify(record)).not.toContain(toBase64Url(key.secretKey));
    const opened = await openRecord(record, 'correct horse battery');
    expect(opened.did).toBe(key.did);
    expect(Array.from(opened.secretKey)).toEqual(Array.from(key.secretKey));
  });

  it('uses 600000 PBKDF2 rounds for new wallets unless told otherwise', async () => {
    const record = await sealKey(newKey().secretKey, 'a passphrase', { label: 'x' });
    expect(record.iterations).toBe(600_000);
  });

  it('refuses a wrong passphrase', async () => {
    const record = await sealKey(newKey().secretKey, 'correct horse battery', FAST);
    await failsWith(openRecord(record, 'correct horse batterY'), 'wrong_passphrase');
  });

  it('refuses a record whose DID was changed (the DID is the additional data)', async () => {
    const record = await sealKey(newKey().secretKey, 'correct horse battery', FAST);
    const other = newKey().did;
    await failsWith(openRecord({ ...record, did: other }, 'correct horse battery'), 'wrong_passphrase');
  });

  it('refuses a tampered ciphertext', async () => {
    const record = await sealKey(newKey().secretKey, 'correct horse battery', FAST);
    const flipped = record.ciphertext.startsWith('A')
      ? `B${record.ciphertext.slice(1)}`
      : `A${record.ciphertext.slice(1)}`;
    await failsWith(openRecord({ ...record, ciphertext: flipped }, 'correct horse battery'), 'wrong_passphrase');
  });
});

describe('wallet file', () => {
  it('exports the record with its type and version, and imports it back', async () => {
    const record = await sealKey(newKey().secretKey, 'correct horse battery', FAST);
    const text = walletFileText(record);
    expect(JSON.parse(text)).toEqual({ type: 'concord-wallet', version: 1, ...record });
    expect(parseWalletFile(text)).toEqual(record);
    expect(walletFileName(record.did)).toMatch(/^concord-wallet-[1-9A-HJ-NP-Za-km-z]{8}\.json$/);
  });

  it('says what is wrong with a bad file', async () => {
    const record = await sealKey(newKey().secretKey, 'correct horse battery', FAST);
    await failsWith(() => parseWalletFile('not json'), 'bad_file');
    await failsWith(() => parseWalletFile('{"hello":"world"}'), 'not_a_wallet_file');
    await failsWith(
      () => parseWalletFile(JSON.stringify({ ...record, type: 'concord-wallet', version: 2 })),
      'unsupported_version',
    );
    const noSalt = await failsWith(
      () => parseWalletFile(JSON.stringify({ ...record, type: 'concord-wallet', version: 1, salt: 'abc' })),
      'corrupt_record',
    );
    expect(noSalt.details.field).toBe('salt');
    await failsWith(() => checkRecord({ ...record, iterations: 10 }), 'corrupt_record');
    await failsWith(() => checkRecord({ ...record, did: 'did:web:example.com' }), 'corrupt_record');
  });
});
