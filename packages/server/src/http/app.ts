import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AppContext } from '../context.js';
import { accountingRoutes } from '../modules/accounting/routes.js';
import { custodianRoutes } from '../modules/accounting/routes-custodian.js';
import { catalogRoutes } from '../modules/catalog/routes.js';
import { appealRoutes } from '../modules/consensus/routes-appeals.js';
import { roundRoutes } from '../modules/consensus/routes-rounds.js';
import { consensusStakeRoutes } from '../modules/consensus/routes-stake.js';
import { verdictRoutes } from '../modules/consensus/routes-verdicts.js';
import { pointsRoutes } from '../modules/distribution/points-routes.js';
import { distributionRoutes } from '../modules/distribution/routes.js';
import { networkRoutes } from '../modules/distribution/routes-network.js';
import { reviewRoutes } from '../modules/distribution/routes-reviews.js';
import { withdrawalRoutes } from '../modules/distribution/routes-withdrawals.js';
import { supplierRoutes } from '../modules/distribution/supplier-routes.js';
import { eventRoutes } from '../modules/events/routes.js';
import { identityRoutes } from '../modules/identity/routes.js';
import { logRoutes } from '../modules/log/routes.js';
import { logExplorerRoutes } from '../modules/log/routes-explorer.js';
import { orderRoutes } from '../modules/orders/routes.js';
import { paymentRoutes } from '../modules/payments/routes.js';
import { sandboxRoutes } from '../modules/sandbox/routes.js';
import { settlementRoutes } from '../modules/settlement/routes.js';
import { installErrorHandling } from './error-handler.js';
import { healthRoutes } from './health.js';

export interface BuildAppOptions {
  logger?: Logger | false;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const API_PREFIXES = ['/v1/', '/log/', '/docs', '/openapi.json', '/healthz', '/readyz'];

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: ctx.config.bodyLimitBytes,
    // The client's address behind a reverse proxy (anti-abuse IP velocity); off unless configured.
    trustProxy: ctx.config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  // JSON only: anything else is refused with 415 before it reaches a route.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The platform's time, which envelopes must be signed within the skew of: a client whose clock
  // is off (or a sandbox whose clock was moved) signs by it.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('date', ctx.clock().toUTCString());
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Concord API',
        version: '0.1.0',
        description:
          'Trusted commerce: every state change that matters is a signed envelope (POST /v1/events). Errors are always {"error":{"code","message","field?"}}.',
      },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(identityRoutes(ctx));
  await app.register(logRoutes(ctx));
  await app.register(logExplorerRoutes(ctx));
  await app.register(accountingRoutes(ctx));
  await app.register(custodianRoutes(ctx));
  await app.register(paymentRoutes(ctx));
  await app.register(catalogRoutes(ctx));
  await app.register(orderRoutes(ctx));
  await app.register(distributionRoutes(ctx));
  await app.register(networkRoutes(ctx));
  await app.register(pointsRoutes(ctx));
  await app.register(supplierRoutes(ctx));
  await app.register(withdrawalRoutes(ctx));
  await app.register(reviewRoutes(ctx));
  await app.register(appealRoutes(ctx));
  await app.register(consensusStakeRoutes(ctx));
  await app.register(roundRoutes(ctx));
  await app.register(verdictRoutes(ctx));
  await app.register(settlementRoutes(ctx));
  await app.register(sandboxRoutes(ctx));

  const webDir = ctx.config.webDir;
  const serveWeb = webDir !== undefined && existsSync(join(webDir, 'index.html'));
  if (serveWeb)
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // The build writes .br and .gz beside each asset: served as is, never compressed per request.
      preCompressed: true,
      // Vite names assets by their content hash, so they never change; the page itself always may.
      setHeaders: (reply, path) => {
        reply.header(
          'cache-control',
          path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // Client-side routes of the single-page app: any other GET that is not an API path.
    if (serveWeb && request.method === 'GET' && !API_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .send({ error: { code: 'route_not_found', message: `No route for ${request.method} ${path}.` } });
  });
  return app;
}
