import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { ENVELOPE_SCHEMA } from './schema.js';
import { RECEIPT_SCHEMA, receiptView, submitEnvelope } from './service.js';

export const eventRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Submit a signed envelope',
          description:
            "Checks the schema of the envelope and of its type, the signature, the timestamp (±5 min), the nonce and the actor's role, then applies it in one transaction. 201 for a new event; 200 with `replayed: true` when the same envelope was accepted before. Nothing is written on any error.",
          body: ENVELOPE_SCHEMA,
          response: { 200: RECEIPT_SCHEMA, 201: RECEIPT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const receipt = await submitEnvelope(ctx, request.body);
        return reply.status(receipt.replayed ? 200 : 201).send(receiptView(receipt));
      },
    );

    app.get(
      '/v1/events/types',
      {
        schema: {
          tags: ['events'],
          summary: 'The event types this server accepts, with their body schemas and who may send them',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  type: z.string(),
                  summary: z.string(),
                  allowed: z.union([z.enum(['unregistered', 'registered']), z.array(z.string())]),
                  bodySchema: z.record(z.string(), z.unknown()),
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        items: ctx.registry.list().map((definition) => ({
          type: definition.type,
          summary: definition.summary,
          allowed: typeof definition.allowed === 'string' ? definition.allowed : [...definition.allowed],
          bodySchema: z.toJSONSchema(definition.body, { io: 'input', unrepresentable: 'any' }) as Record<
            string,
            unknown
          >,
        })),
      }),
    );
  };
