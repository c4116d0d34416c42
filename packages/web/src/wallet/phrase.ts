import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as chinese } from '@scure/bip39/wordlists/simplified-chinese.js';
import { HAN, PHRASE_WORDS, splitPhrase } from './phrase-words';
import { WalletError } from './vault';

export { PHRASE_WORDS, splitPhrase };

/**
 * The recovery phrase: the 32-byte secret key itself is the entropy of a 24-word BIP-39 mnemonic
 * (no derivation), so the phrase and the key are one and the same thing, in English or in
 * simplified-Chinese words.
 */
export type PhraseLanguage = 'en' | 'zh';

const LISTS: Record<PhraseLanguage, string[]> = { en: english, zh: chinese };
const SETS: Record<PhraseLanguage, Set<string>> = { en: new Set(english), zh: new Set(chinese) };

/** The 24 words of a secret key. */
export function phraseOf(secretKey: Uint8Array, language: PhraseLanguage): string[] {
  return entropyToMnemonic(secretKey, LISTS[language]).split(' ');
}

/** The language most of the words belong to (Chinese when any word is written in Han characters and none match English). */
function languageOf(words: string[]): PhraseLanguage {
  const inEnglish = words.filter((word) => SETS.en.has(word)).length;
  const inChinese = words.filter((word) => SETS.zh.has(word)).length;
  if (inChinese !== inEnglish) return inChinese > inEnglish ? 'zh' : 'en';
  return words.some((word) => HAN.test(word)) ? 'zh' : 'en';
}

/**
 * The secret key a phrase stands for, and the phrase's language. Throws a WalletError: 'phrase_empty',
 * 'phrase_word_count' ({count}), 'phrase_unknown_words' ({words: "3: abandn, 17: 抱"}) or
 * 'phrase_checksum' (every word is a real one but one is wrong or out of place).
 */
export function keyFromPhrase(input: string): { secretKey: Uint8Array; language: PhraseLanguage } {
  const words = splitPhrase(input);
  if (words.length === 0) throw new WalletError('phrase_empty', 'Enter your 24-word recovery phrase.');
  if (words.length !== PHRASE_WORDS) {
    throw new WalletError('phrase_word_count', `A recovery phrase has 24 words; this one has ${words.length}.`, {
      count: words.length,
    });
  }
  const language = languageOf(words);
  const unknown = words
    .map((word, index) => ({ word, position: index + 1 }))
    .filter(({ word }) => !SETS[language].has(word));
  if (unknown.length > 0) {
    const list = unknown.map(({ word, position }) => `${position}: ${word}`).join(', ');
    throw new WalletError('phrase_unknown_words', `These words are not recovery-phrase words: ${list}.`, {
      words: list,
      count: unknown.length,
    });
  }
  let secretKey: Uint8Array;
  try {
    secretKey = mnemonicToEntropy(words.join(' '), LISTS[language]);
  } catch {
    throw new WalletError('phrase_checksum', 'The words do not add up: one is wrong or out of place.');
  }
  return { secretKey, language };
}
