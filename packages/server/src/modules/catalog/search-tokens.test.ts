import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentTokens, QUERY_TOKENS_MAX, queryTokens, tsqueryText, WORD_CHARS_MAX } from './search-tokens.js';

describe('search tokens', () => {
  it('index a CJK run as its characters and overlapping bigrams', () => {
    expect(documentTokens('有机大米')).toEqual(['有', '机', '大', '米', '有机', '机大', '大米']);
    expect(documentTokens('米')).toEqual(['米']);
  });

  it('cut Latin and digit runs into lower-case words, separated from CJK runs', () => {
    expect(documentTokens('Organic Rice, 5kg装 GB/T-1354')).toEqual([
      'organic',
      'rice',
      '5kg',
      '装',
      'gb',
      't',
      '1354',
    ]);
    expect(documentTokens('有机rice')).toEqual(['有', '机', '有机', 'rice']);
  });

  it('normalise with NFKC: full-width letters, digits and punctuation', () => {
    expect(documentTokens('ＲＩＣＥ　５００ｇ，大米')).toEqual(['rice', '500g', '大', '米', '大米']);
    expect(documentTokens('Ｃafé')).toEqual(['café']);
  });

  it('ask for bigrams of a CJK query, a unigram for a single character, words as they are', () => {
    expect(queryTokens('大米')).toEqual(['大米']);
    expect(queryTokens('有机大米')).toEqual(['有机', '机大', '大米']);
    expect(queryTokens('米')).toEqual(['米']);
    expect(queryTokens('Organic 大米 organic')).toEqual(['organic', '大米']);
    expect(queryTokens('  !!! ')).toEqual([]);
  });

  it('keep every query token inside the document tokens of the same text (a text finds itself)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('大', '米', '有', '机', 'a', 'B', '1', ' ', '-', '，', 'ｘ') }),
        (text) => {
          const indexed = new Set(documentTokens(text));
          for (const token of queryTokens(text)) expect(indexed.has(token)).toBe(true);
        },
      ),
    );
  });

  it('bound words and queries', () => {
    expect(documentTokens('a'.repeat(500))).toEqual(['a'.repeat(WORD_CHARS_MAX)]);
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(queryTokens(many)).toHaveLength(QUERY_TOKENS_MAX);
  });

  it('quote each token as one lexeme of an AND query', () => {
    expect(tsqueryText(['大米', 'rice'])).toBe("'大米' & 'rice'");
    expect(tsqueryText(["o'k\\"])).toBe("'o''k\\\\'");
  });
});
