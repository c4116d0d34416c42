import { type SQL, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/connection.js';
import { ancestorChain, subtreeSlugs } from './category-tree.js';
import { documentTokens, queryTokens, tsqueryText } from './search-tokens.js';

/**
 * A product's search vector: the tokens of its own texts (titles, description, model name),
 * kept in `search_text`, plus the names of its category and the categories above it, so that
 * renaming a category only re-derives the vectors from stored text.
 */

export interface ProductTexts {
  titleZh: string;
  titleEn: string | null;
  description: string;
  modelName: { zh: string; en: string };
}

export function productSearchText(texts: ProductTexts): string {
  return documentTokens(
    [texts.titleZh, texts.titleEn ?? '', texts.description, texts.modelName.zh, texts.modelName.en].join('\n'),
  ).join(' ');
}

export async function categorySearchText(executor: Executor, slug: string): Promise<string> {
  const chain = await ancestorChain(executor, slug);
  return documentTokens(chain.map((c) => `${c.nameZh} ${c.nameEn}`).join('\n')).join(' ');
}

/** The tsvector of a product: its own tokens and its category tokens, each a 'simple' lexeme. */
export const searchVector = (ownText: SQL | string, categoryText: string): SQL =>
  sql`to_tsvector('simple', ${ownText} || ' ' || ${categoryText})`;

/** After a category is renamed or moved: re-derive the vectors of the products below it. */
export async function refreshCategorySearch(tx: Tx, slug: string): Promise<void> {
  for (const each of await subtreeSlugs(tx, slug)) {
    const categoryText = await categorySearchText(tx, each);
    await tx.execute(
      sql`update catalog_products set search = ${searchVector(sql`search_text`, categoryText)} where category = ${each}`,
    );
  }
}

/** The tsquery of a search, or undefined when the query has no tokens at all. */
export function searchQuery(query: string): SQL | undefined {
  const tokens = queryTokens(query);
  if (tokens.length === 0) return undefined;
  return sql`to_tsquery('simple', ${tsqueryText(tokens)})`;
}
