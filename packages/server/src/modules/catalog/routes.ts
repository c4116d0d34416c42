import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { imageRoutes } from './routes-images.js';
import { producerRoutes } from './routes-producer.js';
import { storefrontRoutes } from './routes-storefront.js';

/** Every HTTP route of the catalog; state changes go through POST /v1/events. */
export const catalogRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(storefrontRoutes(ctx));
    await app.register(producerRoutes(ctx));
    await app.register(imageRoutes(ctx));
  };
