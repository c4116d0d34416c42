import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '@concord/protocol';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { images } from './tables.js';

/**
 * Product images: content-addressed by SHA-256, the bytes on local disk at
 * `<dataDir>/blobs/<sha256>` (written to a temporary name, then renamed, so a reader never sees
 * half a file), the type and size in `catalog_images`. The same bytes uploaded twice are one image.
 */

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0) =>
  bytes.length >= offset + prefix.length && prefix.every((byte, i) => bytes[offset + i] === byte);

/** Whether the bytes begin as a file of `type` does (its magic number). */
export function looksLike(type: ImageType, bytes: Uint8Array): boolean {
  switch (type) {
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case 'image/webp':
      // "RIFF" <size> "WEBP"
      return startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8);
  }
}

export const blobDir = (dataDir: string) => join(dataDir, 'blobs');
export const blobUrl = (sha256: string) => `/v1/blobs/${sha256}`;

export interface StoredImage {
  sha256: string;
  url: string;
  mime: ImageType;
  size: number;
}

export async function storeImage(
  ctx: AppContext,
  did: string,
  type: ImageType,
  bytes: Uint8Array,
): Promise<StoredImage> {
  if (bytes.length === 0 || !looksLike(type, bytes)) {
    throw new AppError(415, 'not_an_image', `The body is not a ${type} image.`, 'body');
  }
  const sha256 = toHex(ctx.crypto.sha256(bytes));
  const dir = blobDir(ctx.config.dataDir);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, join(dir, sha256));
  } finally {
    await rm(temporary, { force: true });
  }
  await ctx.database.db
    .insert(images)
    .values({ sha256, mime: type, size: bytes.length, uploadedBy: did, createdAt: ctx.clock() })
    .onConflictDoNothing();
  return { sha256, url: blobUrl(sha256), mime: type, size: bytes.length };
}

export async function readImage(ctx: AppContext, sha256: string): Promise<{ mime: string; bytes: Buffer }> {
  const [row] = await ctx.database.db.select().from(images).where(eq(images.sha256, sha256));
  if (row === undefined) throw notFound('Blob', 'sha256');
  try {
    return { mime: row.mime, bytes: await readFile(join(blobDir(ctx.config.dataDir), sha256)) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('Blob', 'sha256');
    throw error;
  }
}
