import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';

/** Categories form a tree by `parent_slug`; at most this many levels. */
export const CATEGORY_DEPTH_MAX = 8;

export interface CategoryNode {
  slug: string;
  nameZh: string;
  nameEn: string;
  parentSlug: string | null;
}

/** The category and its ancestors, the category first; empty when it does not exist. */
export async function ancestorChain(executor: Executor, slug: string): Promise<CategoryNode[]> {
  const found = await rows<{ slug: string; name_zh: string; name_en: string; parent_slug: string | null }>(
    executor,
    sql`with recursive chain (slug, name_zh, name_en, parent_slug, depth) as (
          select slug, name_zh, name_en, parent_slug, 1 from catalog_categories where slug = ${slug}
          union all
          select c.slug, c.name_zh, c.name_en, c.parent_slug, chain.depth + 1
          from catalog_categories c join chain on c.slug = chain.parent_slug
          where chain.depth <= ${CATEGORY_DEPTH_MAX}
        )
        select slug, name_zh, name_en, parent_slug from chain order by depth`,
  );
  return found.map((row) => ({
    slug: row.slug,
    nameZh: row.name_zh,
    nameEn: row.name_en,
    parentSlug: row.parent_slug,
  }));
}

/** The slugs of the category and of every category below it. */
export async function subtreeSlugs(executor: Executor, slug: string): Promise<string[]> {
  const found = await rows<{ slug: string }>(
    executor,
    sql`with recursive tree (slug, depth) as (
          select slug, 1 from catalog_categories where slug = ${slug}
          union all
          select c.slug, tree.depth + 1 from catalog_categories c join tree on c.parent_slug = tree.slug
          where tree.depth <= ${CATEGORY_DEPTH_MAX}
        )
        select distinct slug from tree order by slug`,
  );
  return found.map((row) => row.slug);
}

/** How deep the subtree below `slug` goes (1 for a leaf). */
export async function subtreeHeight(executor: Executor, slug: string): Promise<number> {
  const [row] = await rows<{ height: number | string | null }>(
    executor,
    sql`with recursive tree (slug, depth) as (
          select slug, 1 from catalog_categories where slug = ${slug}
          union all
          select c.slug, tree.depth + 1 from catalog_categories c join tree on c.parent_slug = tree.slug
          where tree.depth <= ${CATEGORY_DEPTH_MAX}
        )
        select max(depth) as height from tree`,
  );
  return Number(row?.height ?? 0);
}
