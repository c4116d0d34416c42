import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { ERROR_SCHEMA } from './schemas.js';

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      {
        logLevel: 'warn',
        schema: {
          tags: ['health'],
          summary: 'Liveness: the process answers',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        logLevel: 'warn',
        schema: {
          tags: ['health'],
          summary: 'Readiness: the database answers',
          response: {
            200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }),
            503: ERROR_SCHEMA,
          },
        },
      },
      async (_request, reply) => {
        try {
          await Promise.race([
            ctx.database.ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS).unref()),
          ]);
          return reply.send({ status: 'ok' as const, database: ctx.database.kind });
        } catch (error) {
          return reply.status(503).send({
            error: {
              code: 'database_unavailable',
              message: `The database does not answer: ${(error as Error).message}`,
            },
          });
        }
      },
    );
  };
