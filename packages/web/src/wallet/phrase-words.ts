/** The recovery phrase's length: 256 bits of key and 8 of checksum, 11 bits a word. */
export const PHRASE_WORDS = 24;

export const HAN = /^\p{Script=Han}+$/u;

/**
 * The words someone typed or pasted: any spaces, commas, full-width punctuation, numbering
 * ("1. abandon 2. ability") or none at all between Chinese characters (each Chinese word is one
 * character), in any case. Kept apart from the word lists, which load only when needed.
 */
export function splitPhrase(input: string): string[] {
  const words: string[] = [];
  const cleaned = input
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[,，、;；.。:：|/\\\-_'"“”‘’()（）[\]【】]/g, ' ');
  for (const token of cleaned.split(/\s+/)) {
    if (token === '' || /^\d+$/.test(token)) continue;
    const unnumbered = token.replace(/^\d+/, '');
    if (HAN.test(unnumbered)) words.push(...Array.from(unnumbered));
    else if (unnumbered !== '') words.push(unnumbered);
  }
  return words;
}
