import { DEFAULT_SPLIT_POLICY, type SplitPolicyOverride, validateSplitPolicy } from '@concord/protocol';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { unprocessable } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { ancestorChain, CATEGORY_DEPTH_MAX, subtreeHeight } from './category-tree.js';
import { BILINGUAL, CATEGORY_SLUG, FEN, validated } from './schema.js';
import { refreshCategorySearch } from './search.js';
import { categories } from './tables.js';

/** Operator defines (or redefines) a category: names, place in the tree, deposit, split override. */
export const categoryDefined = defineEvent({
  type: 'catalog.category.defined',
  summary: 'Define or update a product category: names, parent, the deposit to list in it, a split policy override.',
  body: z
    .object({
      slug: CATEGORY_SLUG,
      name: BILINGUAL,
      parent: CATEGORY_SLUG.optional(),
      depositFen: FEN.describe("The producer's deposit needed to list in this category (fen)"),
      splitPolicy: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('Partial split policy (basis points) overriding the platform default for this category'),
    })
    .strict(),
  allowed: ['operator'],
  async handle({ tx, eventId, now }, body) {
    const override = body.splitPolicy as SplitPolicyOverride | undefined;
    if (override !== undefined) {
      validated(() => validateSplitPolicy({ ...DEFAULT_SPLIT_POLICY, ...override }, 'splitPolicy'));
    }
    const parent = body.parent ?? null;
    if (parent !== null) {
      const chain = await ancestorChain(tx, parent);
      if (chain.length === 0) {
        throw unprocessable('unknown_category', `There is no category ${parent}; define it first.`, 'body.parent');
      }
      if (chain.some((c) => c.slug === body.slug)) {
        throw unprocessable('category_cycle', `${parent} is ${body.slug} or below it.`, 'body.parent');
      }
      if (chain.length + Math.max(1, await subtreeHeight(tx, body.slug)) > CATEGORY_DEPTH_MAX) {
        throw unprocessable(
          'category_too_deep',
          `Categories nest at most ${CATEGORY_DEPTH_MAX} levels deep.`,
          'body.parent',
        );
      }
    }
    const values = {
      nameZh: body.name.zh,
      nameEn: body.name.en,
      parentSlug: parent,
      depositFen: BigInt(body.depositFen),
      splitOverride: override ?? null,
      definedEventId: eventId,
      updatedAt: now,
    };
    const inserted = await tx
      .insert(categories)
      .values({ slug: body.slug, ...values, createdAt: now })
      .onConflictDoNothing()
      .returning({ slug: categories.slug });
    const created = inserted.length > 0;
    if (!created) {
      await tx.update(categories).set(values).where(eq(categories.slug, body.slug));
      await refreshCategorySearch(tx, body.slug);
    }
    return { slug: body.slug, created };
  },
});
