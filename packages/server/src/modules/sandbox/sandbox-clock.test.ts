import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type ResolvedConfig } from '../../bootstrap.js';
import { createTestApp, newKeyPair, postEvent, register, sign, signIn, type TestApp } from '../../test-support/app.js';
import { bearer } from '../../test-support/commerce.js';

const DAY_MS = 86_400_000;

describe('the sandbox clock, off (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('reports the real time and refuses to move', async () => {
    const clock = await t.app.inject({ method: 'GET', url: '/v1/clock' });
    expect(clock.json()).toMatchObject({ sandbox: false, aheadMs: 0, now: t.clock.now.toISOString() });
    await register(t, t.operator);
    const token = await signIn(t, t.operator);
    const moved = await t.app.inject({
      method: 'POST',
      url: '/v1/sandbox/clock',
      headers: bearer(token),
      payload: { to: new Date(t.clock.now.getTime() + DAY_MS).toISOString() },
    });
    expect(moved.statusCode).toBe(404);
    expect(moved.json().error.code).toBe('sandbox_clock_off');
    expect(t.ctx.clock().getTime()).toBe(t.clock.now.getTime());
  });
});

describe('the sandbox clock, on', () => {
  let t: TestApp;
  let operatorToken: string;
  const move = (to: Date | string, token = operatorToken) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/sandbox/clock',
      headers: token === '' ? {} : bearer(token),
      payload: { to: typeof to === 'string' ? to : to.toISOString() },
    });

  beforeAll(async () => {
    t = await createTestApp({ config: { sandboxClock: true } });
    await register(t, t.operator);
    operatorToken = await signIn(t, t.operator);
  });
  afterAll(() => t.close());

  it('is moved by an operator only', async () => {
    const buyer = newKeyPair();
    await register(t, buyer);
    const later = new Date(t.ctx.clock().getTime() + DAY_MS);
    expect((await move(later, '')).statusCode).toBe(401);
    const refused = await move(later, await signIn(t, buyer));
    expect(refused.statusCode).toBe(403);
    expect(t.ctx.clock().getTime()).toBe(t.clock.now.getTime());
  });

  it('moves forward; the Date header and the envelopes follow it', async () => {
    const to = new Date(t.clock.now.getTime() + 15 * DAY_MS);
    const moved = await move(to);
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toEqual({ now: to.toISOString(), sandbox: true, aheadMs: 15 * DAY_MS });
    expect(t.ctx.clock().toISOString()).toBe(to.toISOString());
    expect(new Date(moved.headers.date as string).getTime()).toBe(Math.floor(to.getTime() / 1000) * 1000);

    // An envelope signed at the real time is now 15 days stale; one signed at the platform's time is taken.
    const late = newKeyPair();
    const stale = await postEvent(t, sign(late, 'identity.account.registered', {}, { ts: t.clock.now }));
    expect(stale.statusCode).toBe(400);
    expect(stale.json().error.code).toBe('stale_timestamp');
    const fresh = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { envelope: sign(late, 'identity.account.registered', {}, { ts: t.ctx.clock() }) },
    });
    expect(fresh.statusCode).toBe(201);
  });

  it('never goes back, and one move goes at most a year ahead', async () => {
    const before = t.ctx.clock().getTime();
    // The operator's session (12 hours) moved with the 15 days: it still signs the requests.
    const back = await move(new Date(before - 2 * DAY_MS));
    expect(back.statusCode).toBe(200);
    expect(back.json().aheadMs).toBe(15 * DAY_MS);
    expect(t.ctx.clock().getTime()).toBe(before);

    const far = await move(new Date(before + 400 * DAY_MS));
    expect(far.statusCode).toBe(422);
    expect(far.json().error).toMatchObject({ code: 'move_too_far', field: 'body.to' });
    const bad = await move('next tuesday');
    expect(bad.statusCode).toBe(400);
    expect(t.ctx.clock().getTime()).toBe(before);
  });

  it('keeps its time across a restart', async () => {
    const restarted = createContext(t.ctx.config as ResolvedConfig, t.testDatabase.database, {
      clock: () => t.clock.now,
      platformSigner: t.operator,
    });
    expect(restarted.clock().getTime()).toBe(t.clock.now.getTime());
    await restarted.sandboxClock?.restore(t.testDatabase.database.db);
    expect(restarted.clock().getTime()).toBe(t.clock.now.getTime() + 15 * DAY_MS);
  });
});
