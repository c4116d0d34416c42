import { validateQualityModel } from '@concord/protocol';
import { and, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/connection.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { ENTITY_ID, MODEL_VERSION, validated } from './schema.js';
import { categories, models, modelVersions } from './tables.js';

/** The model row, locked; 404 when it does not exist, 403 when another expert owns it. */
async function ownedModel(tx: Tx, modelId: string, actor: string) {
  const [model] = await tx.select().from(models).where(eq(models.id, modelId)).for('update');
  if (model === undefined) throw notFound(`Quality model ${modelId}`, 'body.modelId');
  if (model.ownerDid !== actor) {
    throw new AppError(403, 'not_owner', `Quality model ${modelId} belongs to another expert.`, 'body.modelId');
  }
  return model;
}

/**
 * An expert publishes a version of a quality model. The first version claims the model id for
 * its publisher; later ones come from the same expert, numbered one after the last.
 */
export const modelPublished = defineEvent({
  type: 'catalog.model.published',
  summary: 'Publish a version of a quality model (first version claims the id; later versions by its owner, last+1).',
  body: z
    .object({
      modelId: ENTITY_ID,
      version: MODEL_VERSION,
      definition: z
        .record(z.string(), z.unknown())
        .describe('QualityModelDefinition: name {zh,en}, category, standards, description?, attributes'),
    })
    .strict(),
  allowed: ['expert'],
  async handle({ tx, actor, eventId, now }, body) {
    const definition = validated(() => validateQualityModel(body.definition, 'definition'));
    const [category] = await tx
      .select({ slug: categories.slug })
      .from(categories)
      .where(eq(categories.slug, definition.category));
    if (category === undefined) {
      throw unprocessable(
        'unknown_category',
        `There is no category ${definition.category}.`,
        'body.definition.category',
      );
    }
    await tx
      .insert(models)
      .values({ id: body.modelId, ownerDid: actor, createdEventId: eventId, createdAt: now })
      .onConflictDoNothing();
    await ownedModel(tx, body.modelId, actor);
    const [last] = await tx
      .select({ version: max(modelVersions.version) })
      .from(modelVersions)
      .where(eq(modelVersions.modelId, body.modelId));
    const expected = (last?.version ?? 0) + 1;
    if (body.version !== expected) {
      throw conflict(
        'version_out_of_order',
        `The next version of ${body.modelId} is ${expected}; a published version never changes.`,
        'body.version',
      );
    }
    await tx.insert(modelVersions).values({
      modelId: body.modelId,
      version: body.version,
      expertDid: actor,
      category: definition.category,
      definition,
      status: 'published',
      publishedEventId: eventId,
      publishedAt: now,
    });
    return { modelId: body.modelId, version: body.version, status: 'published' };
  },
});

/** The owner retires a version: products keep it, but none may newly reference it. */
export const modelDeprecated = defineEvent({
  type: 'catalog.model.deprecated',
  summary: 'Deprecate a published version of your quality model; no product may newly reference it.',
  body: z.object({ modelId: ENTITY_ID, version: MODEL_VERSION }).strict(),
  allowed: ['expert'],
  async handle({ tx, actor, eventId, now }, body) {
    await ownedModel(tx, body.modelId, actor);
    const where = and(eq(modelVersions.modelId, body.modelId), eq(modelVersions.version, body.version));
    const [version] = await tx.select({ status: modelVersions.status }).from(modelVersions).where(where);
    if (version === undefined) throw notFound(`Version ${body.version} of ${body.modelId}`, 'body.version');
    if (version.status === 'deprecated') {
      throw conflict(
        'already_deprecated',
        `Version ${body.version} of ${body.modelId} is deprecated already.`,
        'body.version',
      );
    }
    await tx
      .update(modelVersions)
      .set({ status: 'deprecated', deprecatedEventId: eventId, deprecatedAt: now })
      .where(where);
    return { modelId: body.modelId, version: body.version, status: 'deprecated' };
  },
});
