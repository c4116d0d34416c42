/**
 * Search tokens for Chinese and English text, the same for the indexed product and the query.
 *
 * Text is NFKC-normalised (full-width Ａ and １ become A and 1) and lower-cased, then cut into
 * runs: a run of CJK characters (Han, kana, Hangul) or a run of other letters and digits; any
 * other character separates runs. A letter/digit run is one word. Chinese has no spaces, so a
 * CJK run is indexed as its single characters plus its overlapping bigrams: 有机大米 → 有 机 大 米
 * 有机 机大 大米. A query's CJK run of two or more characters asks for all its bigrams (大米 → 大米,
 * which 小米 does not contain); a single character asks for that unigram (米).
 */

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** Longer words are cut to this many characters, alike in documents and queries. */
export const WORD_CHARS_MAX = 64;
/** Text beyond this many characters is not indexed (product texts are far shorter). */
export const TEXT_CHARS_MAX = 20_000;
/** A query asks for at most this many distinct tokens; the rest are ignored. */
export const QUERY_TOKENS_MAX = 16;

interface Run {
  cjk: boolean;
  chars: string[];
}

function runsOf(text: string): Run[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  const normalized = text.slice(0, TEXT_CHARS_MAX).normalize('NFKC').toLowerCase();
  for (const char of normalized) {
    const cjk = CJK_CHAR.test(char);
    if (!cjk && !WORD_CHAR.test(char)) {
      current = undefined;
      continue;
    }
    if (current === undefined || current.cjk !== cjk) {
      current = { cjk, chars: [] };
      runs.push(current);
    }
    current.chars.push(char);
  }
  return runs;
}

const wordOf = (run: Run) => run.chars.slice(0, WORD_CHARS_MAX).join('');

function bigramsOf(chars: readonly string[]): string[] {
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) bigrams.push(`${chars[i]}${chars[i + 1]}`);
  return bigrams;
}

/** The tokens to index for `text`, in order, repeats kept (they count in ranking). */
export function documentTokens(text: string): string[] {
  return runsOf(text).flatMap((run) => (run.cjk ? [...run.chars, ...bigramsOf(run.chars)] : [wordOf(run)]));
}

/** The distinct tokens a query asks for, all of which a match must contain (at most QUERY_TOKENS_MAX). */
export function queryTokens(query: string): string[] {
  const tokens = runsOf(query).flatMap((run) => {
    if (!run.cjk) return [wordOf(run)];
    return run.chars.length === 1 ? run.chars : bigramsOf(run.chars);
  });
  return [...new Set(tokens)].slice(0, QUERY_TOKENS_MAX);
}

/** A to_tsquery('simple', …) text that ANDs the tokens, each quoted as one lexeme. */
export function tsqueryText(tokens: readonly string[]): string {
  return tokens.map((token) => `'${token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' & ');
}
