import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { authenticate } from '../identity/service.js';
import { CURSOR_QUERY, LIMIT_QUERY } from './cursor.js';
import { readImage } from './images.js';
import { describeModel, listCategories, listModels } from './queries-models.js';
import { describeProduct, searchProducts } from './queries-products.js';
import { CATEGORY_SLUG, ENTITY_ID, FEN, SHA256_HEX } from './schema.js';
import {
  CATEGORY_VIEW,
  MODEL_SUMMARY_VIEW,
  MODEL_VIEW,
  PRODUCT_SUMMARY_VIEW,
  PRODUCT_VIEW,
  page,
} from './schema-views.js';

/** The public storefront: no sign-in needed. */
export const storefrontRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    app.get(
      '/v1/catalog/categories',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Product categories, with the deposit each needs and its split policy override',
          querystring: z.object({ cursor: CURSOR_QUERY, limit: LIMIT_QUERY(100) }),
          response: { 200: page(CATEGORY_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => listCategories(db, request.query),
    );

    app.get(
      '/v1/catalog/models',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Quality models with their latest version; `category` includes the categories below it',
          querystring: z.object({
            category: CATEGORY_SLUG.optional(),
            owner: DID_SCHEMA.optional().describe('only the models of this expert'),
            cursor: CURSOR_QUERY,
            limit: LIMIT_QUERY(20),
          }),
          response: { 200: page(MODEL_SUMMARY_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => listModels(db, request.query),
    );

    app.get(
      '/v1/catalog/models/:id',
      {
        schema: {
          tags: ['catalog'],
          summary: 'A quality model with every version',
          params: z.object({ id: ENTITY_ID }),
          response: { 200: MODEL_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => describeModel(db, request.params.id),
    );

    app.get(
      '/v1/catalog/products',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Search listed products',
          description:
            '`q` matches Chinese and English (every query word, and every pair of adjacent Chinese characters, must occur); results by relevance then id. `category` includes the categories below it; `minPrice`/`maxPrice` (fen) keep products with a SKU price in the range.',
          querystring: z.object({
            q: z.string().max(200).optional(),
            category: CATEGORY_SLUG.optional(),
            minPrice: FEN.optional(),
            maxPrice: FEN.optional(),
            verdict: z.enum(['untested', 'testing', 'passed', 'failed']).optional(),
            cursor: CURSOR_QUERY,
            limit: LIMIT_QUERY(20),
          }),
          response: { 200: page(PRODUCT_SUMMARY_VIEW), ...ERROR_RESPONSES },
        },
      },
      async (request) => searchProducts(db, request.query),
    );

    app.get(
      '/v1/catalog/products/:id',
      {
        schema: {
          tags: ['catalog'],
          summary:
            'A product: SKUs with stock, lots, the quality model version, each claim beside its attribute, the verdict',
          description: 'Drafts are shown only to their producer (send the session token).',
          params: z.object({ id: ENTITY_ID }),
          response: { 200: PRODUCT_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const viewer = request.headers.authorization === undefined ? undefined : await authenticate(ctx, request);
        return describeProduct(db, request.params.id, viewer);
      },
    );

    app.get(
      '/v1/blobs/:sha256',
      {
        schema: {
          tags: ['catalog'],
          summary: 'An uploaded image by its SHA-256 (immutable, cacheable)',
          params: z.object({ sha256: SHA256_HEX }),
          response: { 200: z.any().describe('The image bytes, served with their image/* type'), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const blob = await readImage(ctx, request.params.sha256);
        return reply
          .header('content-type', blob.mime)
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('etag', `"${request.params.sha256}"`)
          .header('x-content-type-options', 'nosniff')
          .send(blob.bytes);
      },
    );
  };
