import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { badRequest, forbidden } from '../../errors.js';
import { idempotent } from '../../http/idempotency.js';
import { ERROR_RESPONSES, pageQuery } from '../../http/schemas.js';
import { ENVELOPE_SCHEMA } from '../events/schema.js';
import { RECEIPT_SCHEMA } from '../events/service.js';
import { actorStatus } from './queries.js';
import { ACCOUNT_SCHEMA, APPLICATION_SCHEMA, DID_SCHEMA, ME_SCHEMA, PROFILE_SCHEMA, SESSION_SCHEMA } from './schema.js';
import * as identity from './service.js';

const PASSPHRASE = z.string().min(10, 'at least 10 characters').max(256);

export const identityRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/accounts',
      {
        schema: {
          tags: ['identity'],
          summary: 'Register an account with a self-held key',
          description:
            'Takes a signed identity.account.registered envelope; the optional profile (personal data) is kept in the database only, never on the log.',
          body: z.object({ envelope: ENVELOPE_SCHEMA, profile: PROFILE_SCHEMA.optional() }),
          response: { 200: RECEIPT_SCHEMA, 201: RECEIPT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        if (request.body.envelope.type !== 'identity.account.registered') {
          throw forbidden('wrong_event_type', 'POST /v1/accounts takes identity.account.registered envelopes only.');
        }
        const receipt = await identity.registerAccount(ctx, request.body.envelope, request.body.profile);
        return reply.status(receipt.replayed ? 200 : 201).send(receipt);
      },
    );

    app.post(
      '/v1/accounts/custodial',
      {
        schema: {
          tags: ['identity'],
          summary: 'Register an account whose key the platform holds',
          description:
            'The platform generates the key and keeps it encrypted at rest; every envelope signed with it carries custody "platform". Convenient, but the platform can act in your name: choose a self-held key to avoid that. Takes an Idempotency-Key header.',
          body: z.object({ passphrase: PASSPHRASE, profile: PROFILE_SCHEMA.optional() }),
          response: {
            201: z.object({ receipt: RECEIPT_SCHEMA, session: SESSION_SCHEMA }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const outcome = await idempotent(ctx.database, ctx.crypto, request, 'anonymous', async (tx) => ({
          status: 201 as const,
          body: await identity.registerCustodialAccount(ctx, tx, request.body),
        }));
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.get(
      '/v1/accounts/:did',
      {
        schema: {
          tags: ['identity'],
          summary: 'Public view of an account (no personal data)',
          params: z.object({ did: DID_SCHEMA }),
          response: { 200: ACCOUNT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => identity.describeAccount(ctx, request.params.did),
    );

    app.post(
      '/v1/auth/challenges',
      {
        schema: {
          tags: ['auth'],
          summary: 'Get a challenge to sign for sign-in',
          description: 'Sign the UTF-8 bytes of `message` with the DID key (Ed25519) and post it to /v1/auth/sessions.',
          body: z.object({ did: DID_SCHEMA }),
          response: {
            201: z.object({ challenge: z.string(), message: z.string(), expiresAt: z.string() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const outcome = await idempotent(ctx.database, ctx.crypto, request, 'anonymous', async (tx) => ({
          status: 201 as const,
          body: await identity.createChallenge(ctx, tx, request.body.did),
        }));
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.post(
      '/v1/auth/sessions',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with a signed challenge',
          body: z.object({
            did: DID_SCHEMA,
            challenge: z.string().min(1).max(64),
            signature: z.string().min(1).max(128).describe('base64url Ed25519 signature of the challenge message'),
          }),
          response: { 201: SESSION_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await identity.checkSignInSignature(ctx, request.body);
        const outcome = await idempotent(ctx.database, ctx.crypto, request, 'anonymous', async (tx) => ({
          status: 201 as const,
          body: await identity.openSession(ctx, tx, request.body),
        }));
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.post(
      '/v1/auth/custodial-sessions',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in to a custodial account with its passphrase',
          body: z.object({ did: DID_SCHEMA, passphrase: PASSPHRASE }),
          response: { 201: SESSION_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => reply.status(201).send(await identity.openCustodialSession(ctx, request.body)),
    );

    app.delete(
      '/v1/auth/session',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out (revoke this session token)',
          response: { 204: z.undefined(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await identity.closeSession(ctx, request);
        return reply.status(204).send();
      },
    );

    app.get(
      '/v1/me',
      {
        schema: {
          tags: ['identity'],
          summary: 'The signed-in account, with its own profile',
          response: { 200: ME_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => identity.describeMe(ctx, await identity.authenticate(ctx, request)),
    );

    app.put(
      '/v1/me/profile',
      {
        schema: {
          tags: ['identity'],
          summary: 'Update your profile (kept in the database only)',
          body: PROFILE_SCHEMA,
          response: { 200: ME_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request) => identity.updateProfile(ctx, await identity.authenticate(ctx, request), request.body),
    );

    const custodialInput = z.object({ type: z.string().min(1).max(64), body: z.record(z.string(), z.unknown()) });
    const idempotencyKeyOf = (request: { headers: Record<string, unknown> }): string | undefined => {
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      if (idempotencyKey !== undefined && !/^[A-Za-z0-9_.:-]{8,128}$/.test(idempotencyKey)) {
        throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 8–128 characters of A–Z a–z 0–9 _ . : -');
      }
      return idempotencyKey;
    };

    app.post(
      '/v1/custodial/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Submit an event signed by your platform-held key',
          description:
            'For custodial accounts: the platform signs the envelope (custody "platform") and submits it through the same pipeline as POST /v1/events. Send an Idempotency-Key to make retries safe.',
          body: custodialInput,
          response: { 200: RECEIPT_SCHEMA, 201: RECEIPT_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const did = await identity.authenticate(ctx, request);
        const receipt = await identity.submitCustodialEvent(ctx, did, request.body, idempotencyKeyOf(request));
        return reply.status(receipt.replayed ? 200 : 201).send(receipt);
      },
    );

    app.post(
      '/v1/custodial/envelopes',
      {
        schema: {
          tags: ['events'],
          summary: 'Sign an envelope with your platform-held key, without submitting it',
          description:
            'For custodial accounts and the requests that take a signed envelope (checkout, shipment, appeals): the platform signs it (custody "platform") and returns it; nothing is written. Send an Idempotency-Key so that a retry gets an envelope with the same nonce.',
          body: custodialInput,
          response: { 200: z.object({ envelope: ENVELOPE_SCHEMA }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const did = await identity.authenticate(ctx, request);
        return { envelope: await identity.signCustodialEnvelope(ctx, did, request.body, idempotencyKeyOf(request)) };
      },
    );

    app.get(
      '/v1/roles/applications',
      {
        schema: {
          tags: ['identity'],
          summary: 'Role applications (operators)',
          querystring: pageQuery.extend({ status: z.enum(['pending', 'approved', 'rejected']).optional() }),
          response: {
            200: z.object({ items: z.array(APPLICATION_SCHEMA), nextCursor: z.string().nullable() }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const did = await identity.authenticate(ctx, request);
        const status = await actorStatus(ctx.database.db, ctx.config, did);
        if (!status.roles.has('operator')) throw forbidden('role_required', 'Only operators see role applications.');
        return identity.listApplications(ctx, request.query);
      },
    );
  };
