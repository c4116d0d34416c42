import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { transaction } from '../../db/connection.js';
import { AppError, unprocessable } from '../../errors.js';
import { ERROR_RESPONSES } from '../../http/schemas.js';
import { authenticateOperator } from '../identity/service.js';

const DAY_MS = 86_400_000;
/** One move goes at most this far: enough for any deadline, cycle or return window. */
const MOVE_MAX_DAYS = 366;

const CLOCK_VIEW = z.object({
  now: z.string().describe("the platform's time (ISO 8601)"),
  sandbox: z.boolean().describe('whether the operator can move the time forward (CONCORD_SANDBOX_CLOCK)'),
  aheadMs: z.number().int().describe('how far the time runs ahead of the real time'),
});

/**
 * The platform's time, and in a sandbox the operator's way to move it forward: what waits for
 * days (a commit deadline, a return window, the end of a settlement cycle) can then be reached
 * in a demo or a test. Never back, so the times on the log only go forward.
 */
export const sandboxRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const view = () => ({
      now: ctx.clock().toISOString(),
      sandbox: ctx.sandboxClock !== undefined,
      aheadMs: Math.round(ctx.sandboxClock?.offset ?? 0),
    });

    app.get(
      '/v1/clock',
      {
        logLevel: 'warn',
        schema: {
          tags: ['sandbox'],
          summary: "The platform's time: envelopes must be signed within the clock skew of it",
          response: { 200: CLOCK_VIEW },
        },
      },
      async () => view(),
    );

    app.post(
      '/v1/sandbox/clock',
      {
        schema: {
          tags: ['sandbox'],
          summary: "Operator: move the sandbox's time forward to `to` (a time already passed changes nothing)",
          security: [{ session: [] }],
          body: z.object({ to: z.string().datetime({ offset: true }).describe('the time to move to') }).strict(),
          response: { 200: CLOCK_VIEW, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticateOperator(ctx, request, 'Only an operator moves the sandbox clock.');
        const clock = ctx.sandboxClock;
        if (clock === undefined) {
          throw new AppError(
            404,
            'sandbox_clock_off',
            'This server runs on the real time; start it with CONCORD_SANDBOX_CLOCK=true to move its clock.',
          );
        }
        const to = new Date(request.body.to);
        if (to.getTime() - ctx.clock().getTime() > MOVE_MAX_DAYS * DAY_MS) {
          throw unprocessable('move_too_far', `One move goes at most ${MOVE_MAX_DAYS} days ahead.`, 'body.to');
        }
        const from = ctx.clock();
        clock.moveTo(to);
        const movedMs = clock.now().getTime() - from.getTime();
        if (movedMs > 0) {
          await transaction(ctx.database.db, async (tx) => {
            await clock.save(tx, ctx.clock());
            // Moving the time signs nobody out: live sessions move with it.
            await tx.execute(
              sql`update sessions set expires_at = expires_at + make_interval(secs => ${movedMs / 1000})
                   where revoked_at is null and expires_at > ${from.toISOString()}::timestamptz`,
            );
          });
          request.log.warn({ aheadMs: clock.offset }, 'sandbox clock moved');
        }
        return view();
      },
    );
  };
