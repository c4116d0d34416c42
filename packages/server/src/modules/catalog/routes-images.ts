import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { authenticate } from '../identity/service.js';
import { IMAGE_TYPES, type ImageType, storeImage } from './images.js';
import { IMAGE_VIEW } from './schema-views.js';

const tooLarge = (maxBytes: number) =>
  new AppError(413, 'image_too_large', `An image is at most ${maxBytes} bytes.`, 'body');

/** Reads the raw body, refusing it as soon as it passes `maxBytes`. */
async function readLimited(request: FastifyRequest, payload: NodeJS.ReadableStream, maxBytes: number) {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

/** Image upload: the body is the image itself, not JSON, so this scope has its own parser. */
export const imageRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const uploaders = new WeakMap<FastifyRequest, string>();
    const unsupported = () =>
      new AppError(415, 'unsupported_media_type', `Send the image as ${IMAGE_TYPES.join(', ')}.`, 'body');
    app.addContentTypeParser([...IMAGE_TYPES], async (request: FastifyRequest, payload: NodeJS.ReadableStream) =>
      readLimited(request, payload, ctx.config.imageMaxBytes),
    );
    app.addContentTypeParser('*', async () => {
      throw unsupported();
    });

    app.post(
      '/v1/catalog/images',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Upload a product image (signed-in accounts)',
          description: `The body is the image: Content-Type image/png, image/jpeg or image/webp, at most CONCORD_IMAGE_MAX_BYTES (default 2 MiB; 413 image_too_large); bytes that are not that type are refused (415 not_an_image). Stored by SHA-256: the same upload twice gives the same answer.`,
          security: [{ session: [] }],
          consumes: [...IMAGE_TYPES],
          body: z.any().describe('The image file itself (binary)'),
          response: { 201: IMAGE_VIEW, ...ERROR_RESPONSES, 415: ERROR_RESPONSES[400] },
        },
        // Signed in before a byte of the body is read.
        onRequest: async (request) => {
          uploaders.set(request, await authenticate(ctx, request));
        },
      },
      async (request, reply) => {
        const did = uploaders.get(request);
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() as ImageType;
        if (did === undefined) throw new AppError(401, 'unauthorized', 'Sign in first.');
        if (!Buffer.isBuffer(request.body) || !IMAGE_TYPES.includes(type)) throw unsupported();
        return reply.status(201).send(await storeImage(ctx, did, type, request.body));
      },
    );
  };
