import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createTestApp, type TestApp } from '../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the HTTP surface', () => {
  it('answers health and readiness with the database kind', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', database: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
  });

  it('publishes an OpenAPI 3.1 document of every route, and a docs page with local assets', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/accounts',
        '/v1/auth/challenges',
        '/v1/auth/sessions',
        '/healthz',
        '/readyz',
      ]),
    );
    expect(spec.paths['/v1/events'].post.responses['400']).toBeDefined();
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect(docs.body).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\/[^"']*\.(js|css)/);
  });

  it('echoes a request id and answers unknown routes with the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'req-123' } });
    expect(response.headers['x-request-id']).toBe('req-123');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'route_not_found', message: 'No route for GET /v1/nowhere.' } });
  });

  it('lists the event types with their body schemas', async () => {
    const types = (await t.app.inject({ method: 'GET', url: '/v1/events/types' })).json();
    const registered = types.items.find((item: { type: string }) => item.type === 'identity.role.applied');
    expect(registered).toMatchObject({ allowed: 'registered', bodySchema: { type: 'object' } });
  });
});

describe('configuration', () => {
  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL .*postgres/);
    expect(() => loadConfig({ CONCORD_OPERATOR_DIDS: 'did:web:example.com' })).toThrow(/CONCORD_OPERATOR_DIDS/);
    // The experience pool's shares must divide all of it, no more and no less.
    expect(() => loadConfig({ CONCORD_EXPERIENCE_POOL_SHARES: '1000,5000,3000' })).toThrow(
      /CONCORD_EXPERIENCE_POOL_SHARES .*9000 bps; they must add up to exactly 10000/,
    );
    expect(() => loadConfig({ CONCORD_EXPERIENCE_POOL_SHARES: '10%,50%,40%' })).toThrow(
      /CONCORD_EXPERIENCE_POOL_SHARES/,
    );
    expect(loadConfig({ CONCORD_EXPERIENCE_POOL_SHARES: '2000,5000,3000' }).settlementPolicy).toEqual({
      experiencePool: { expertsBps: 2000, testersBps: 5000, platformBps: 3000 },
    });
    expect(() => loadConfig({ CONCORD_WITNESSES: 'http://w.example vkey did:web:x' })).toThrow(/CONCORD_WITNESSES/);
    expect(() => loadConfig({ CONCORD_CYCLE_DAYS: '0' })).toThrow(/CONCORD_CYCLE_DAYS/);
  });

  it('defaults to the embedded database on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, clockSkewMs: 300_000 });
    expect(config.dataDir).toMatch(/data$/);
  });
});
