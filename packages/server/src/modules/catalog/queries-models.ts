import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { notFound } from '../../errors.js';
import { subtreeSlugs } from './category-tree.js';
import { decodeCursor, pageOf } from './cursor.js';
import { categories, models, modelVersions } from './tables.js';

/** Storefront reads of categories and quality models. */

export async function listCategories(executor: Executor, query: { cursor?: string | undefined; limit: number }) {
  const after = decodeCursor(query.cursor);
  const found = await executor
    .select()
    .from(categories)
    .where(after === undefined ? undefined : gt(categories.slug, after.id))
    .orderBy(asc(categories.slug))
    .limit(query.limit + 1);
  const page = pageOf(found, query.limit, (last) => ({ id: last.slug }));
  return {
    items: page.items.map((c) => ({
      slug: c.slug,
      name: { zh: c.nameZh, en: c.nameEn },
      parent: c.parentSlug,
      depositFen: c.depositFen.toString(),
      splitPolicy: c.splitOverride ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}

const versionView = (v: typeof modelVersions.$inferSelect) => ({
  version: v.version,
  status: v.status,
  expertDid: v.expertDid,
  category: v.category,
  definition: v.definition,
  publishedAt: v.publishedAt.toISOString(),
  deprecatedAt: v.deprecatedAt?.toISOString() ?? null,
});

/** Models with their latest version, by id; `category` keeps those whose latest version is in its subtree. */
export async function listModels(
  executor: Executor,
  query: { category?: string | undefined; owner?: string | undefined; cursor?: string | undefined; limit: number },
) {
  const after = decodeCursor(query.cursor);
  const latest = sql`(select max(v2.version) from catalog_model_versions v2 where v2.model_id = ${models.id})`;
  const conditions = [eq(modelVersions.version, latest)];
  if (after !== undefined) conditions.push(gt(models.id, after.id));
  if (query.owner !== undefined) conditions.push(eq(models.ownerDid, query.owner));
  if (query.category !== undefined) {
    const slugs = await subtreeSlugs(executor, query.category);
    if (slugs.length === 0) return { items: [], nextCursor: null };
    conditions.push(inArray(modelVersions.category, slugs));
  }
  const found = await executor
    .select({ model: models, latest: modelVersions })
    .from(models)
    .innerJoin(modelVersions, eq(modelVersions.modelId, models.id))
    .where(and(...conditions))
    .orderBy(asc(models.id))
    .limit(query.limit + 1);
  const page = pageOf(found, query.limit, (last) => ({ id: last.model.id }));
  return {
    items: page.items.map(({ model, latest: v }) => ({
      id: model.id,
      ownerDid: model.ownerDid,
      latestVersion: v.version,
      name: v.definition.name,
      category: v.category,
      status: v.status,
      standards: v.definition.standards,
    })),
    nextCursor: page.nextCursor,
  };
}

export async function describeModel(executor: Executor, id: string) {
  const [model] = await executor.select().from(models).where(eq(models.id, id));
  if (model === undefined) throw notFound(`Quality model ${id}`, 'id');
  const versions = await executor
    .select()
    .from(modelVersions)
    .where(eq(modelVersions.modelId, id))
    .orderBy(asc(modelVersions.version));
  return { id: model.id, ownerDid: model.ownerDid, versions: versions.map(versionView) };
}
