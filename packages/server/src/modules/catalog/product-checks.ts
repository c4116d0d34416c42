import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/connection.js';
import { badRequest, unprocessable } from '../../errors.js';
import { images, modelVersions } from './tables.js';

/** Checks of a catalog.product.published body against the catalog's state. */

/** The model version a product newly references: it must be published and not deprecated (422). */
export async function currentModelVersion(tx: Tx, modelId: string, version: number) {
  const [found] = await tx
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.version, version)));
  if (found === undefined) {
    throw unprocessable(
      'model_version_unpublished',
      `Version ${version} of quality model ${modelId} is not published.`,
      'body.model',
    );
  }
  if (found.status === 'deprecated') {
    throw unprocessable(
      'model_version_deprecated',
      `Version ${version} of quality model ${modelId} is deprecated; use a current version.`,
      'body.model.version',
    );
  }
  return found;
}

/** Every image hash once, and uploaded (422 naming the first missing one). */
export async function checkImages(tx: Tx, hashes: readonly string[]): Promise<void> {
  const seen = new Set<string>();
  hashes.forEach((hash, i) => {
    if (seen.has(hash)) throw badRequest('duplicate_image', `Image ${hash} appears twice.`, `body.images[${i}]`);
    seen.add(hash);
  });
  if (hashes.length === 0) return;
  const found = new Set(
    (
      await tx
        .select({ sha256: images.sha256 })
        .from(images)
        .where(inArray(images.sha256, [...hashes]))
    ).map((row) => row.sha256),
  );
  const missing = hashes.findIndex((hash) => !found.has(hash));
  if (missing >= 0) {
    throw unprocessable(
      'unknown_image',
      `No image ${hashes[missing]} was uploaded; upload it with POST /v1/catalog/images first.`,
      `body.images[${missing}]`,
    );
  }
}

/** No SKU code twice within a product. */
export function checkSkuCodes(list: readonly { code: string }[]): void {
  const seen = new Set<string>();
  list.forEach((sku, i) => {
    if (seen.has(sku.code))
      throw badRequest('duplicate_sku_code', `SKU code ${sku.code} appears twice.`, `body.skus[${i}].code`);
    seen.add(sku.code);
  });
}
