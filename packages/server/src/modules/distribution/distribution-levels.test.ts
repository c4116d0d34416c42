import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/connection.js';
import { createTestApp, register, signIn, type TestApp } from '../../test-support/app.js';
import { accepted, bearer, deliverWebhooks, grantRole, send } from '../../test-support/commerce.js';
import {
  buy as buyOne,
  shipAndDeliver as deliver,
  type Member,
  riceShop,
  signedInMember,
} from '../../test-support/shopping.js';
import { runOrderTimers } from '../orders/timers.js';
import { levelRunMonth, runLevelEvaluation } from './levels-job.js';

const DAY = 86_400_000;
let t: TestApp;
let producer: Member;

const member = () => signedInMember(t);
const buy = (buyer: Member, quantity: number) => buyOne(t, buyer, 'rice-l:bag', quantity);
const shipAndDeliver = (buyer: Member, orderId: string) => deliver(t, producer, buyer, orderId, '京东物流');

const levelOf = async (did: string) =>
  (
    await rows<{ level: string }>(t.ctx.database.db, sql`select level from distribution_promoters where did = ${did}`)
  )[0]?.level;

beforeAll(async () => {
  t = await createTestApp();
  await register(t, t.operator);
  producer = await riceShop(t, 'rice-l', 1000);
});
afterAll(async () => {
  await t?.close();
});

describe('monthly promoter levels', () => {
  it('names the month in Beijing time', () => {
    expect(levelRunMonth(new Date('2025-01-31T15:59:59Z'))).toBe('2025-01');
    expect(levelRunMonth(new Date('2025-01-31T16:00:00Z'))).toBe('2025-02');
    expect(levelRunMonth(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01');
  });

  it('moves a promoter whose figures reach the next rung, by a platform act, once per month', async () => {
    // A lead with ten direct members, ¥5,000 of own sales and ¥20,000 of team sales: 团队长.
    const lead = await member();
    await grantRole(t, lead.pair, 'promoter');
    const { code: invite } = await accepted(t, lead.pair, 'distribution.link.created', { kind: 'invite' });
    const team: Member[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await member();
      await accepted(t, m.pair, 'distribution.binding.created', { code: invite });
      await grantRole(t, m.pair, 'promoter');
      team.push(m);
    }
    const [first] = team as [Member];
    const { code: leadLink } = await accepted(t, lead.pair, 'distribution.link.created', {
      kind: 'product',
      productId: 'rice-l',
    });
    const { code: memberLink } = await accepted(t, first.pair, 'distribution.link.created', {
      kind: 'product',
      productId: 'rice-l',
    });
    const ownBuyer = await member();
    await accepted(t, ownBuyer.pair, 'distribution.binding.created', { code: leadLink });
    const teamBuyer = await member();
    await accepted(t, teamBuyer.pair, 'distribution.binding.created', { code: memberLink });
    const ownOrder = await buy(ownBuyer, 50);
    const teamOrder = await buy(teamBuyer, 200);
    await deliverWebhooks(t);
    await shipAndDeliver(ownBuyer, ownOrder);
    await shipAndDeliver(teamBuyer, teamOrder);

    const start = t.clock.now;
    try {
      t.clock.now = new Date(start.getTime() + 7 * DAY + 1_000);
      expect(await runOrderTimers(t.ctx)).toBe(2);
      expect(await levelOf(lead.pair.did)).toBe('promoter');

      const now = t.clock.now;
      const run = await runLevelEvaluation(t.ctx, now);
      expect(run).toEqual({ month: levelRunMonth(now), ran: true, evaluated: 11, changed: 1 });
      expect(await levelOf(lead.pair.did)).toBe('team_lead');
      // The member sold ¥20,000 themselves but leads no team: still a promoter.
      expect(await levelOf(first.pair.did)).toBe('promoter');
      lead.token = await signIn(t, lead.pair);
      const me = (
        await t.app.inject({ method: 'GET', url: '/v1/distribution/me', headers: bearer(lead.token) })
      ).json();
      expect(me.promoter.level).toBe('team_lead');

      // The change is on the log, signed by the platform, with the figures it used.
      const [event] = await rows<{ actor: string; envelope: { body: Record<string, unknown> } }>(
        t.ctx.database.db,
        sql`select actor, envelope from events where type = 'distribution.promoter.level_changed'`,
      );
      expect(event?.actor).toBe(t.ctx.platformSigner.did);
      expect(event?.envelope.body).toEqual({
        promoter: lead.pair.did,
        from: 'promoter',
        to: 'team_lead',
        month: levelRunMonth(now),
        stats: { ownSalesFen: '500000', teamSalesFen: '2000000', directMembers: 10 },
      });

      // Once per month: later in the same month it does nothing.
      t.clock.now = new Date(now.getTime() + 60_000);
      expect(await runLevelEvaluation(t.ctx, t.clock.now)).toMatchObject({ ran: false, changed: 0 });

      // Next month it runs again; a level the figures no longer hold is lost (here set by hand,
      // as an earlier month might have).
      await t.ctx.database.db.execute(
        sql`update distribution_promoters set level = 'regional_partner' where did = ${first.pair.did}`,
      );
      t.clock.now = new Date(now.getTime() + 32 * DAY);
      const next = await runLevelEvaluation(t.ctx, t.clock.now);
      expect(next).toMatchObject({ month: levelRunMonth(t.clock.now), ran: true, evaluated: 11, changed: 1 });
      expect(next.month).not.toBe(run.month);
      expect(await levelOf(first.pair.did)).toBe('promoter');
      expect(await levelOf(lead.pair.did)).toBe('team_lead');
      const [runs] = await rows<{ n: string }>(
        t.ctx.database.db,
        sql`select count(*)::text as n from distribution_level_runs where finished_at is not null`,
      );
      expect(runs?.n).toBe('2');
    } finally {
      t.clock.now = new Date();
    }
  });

  it('refuses a level change from anyone but the platform, or that its figures do not support', async () => {
    const p = await member();
    await grantRole(t, p.pair, 'promoter');
    const body = {
      promoter: p.pair.did,
      from: 'promoter',
      to: 'team_lead',
      month: levelRunMonth(t.clock.now),
      stats: { ownSalesFen: '500000', teamSalesFen: '2000000', directMembers: 10 },
    };
    expect((await send(t, p.pair, 'distribution.promoter.level_changed', body)).statusCode).toBe(403);
    const wrong = await send(t, t.operator, 'distribution.promoter.level_changed', {
      ...body,
      stats: { ...body.stats, directMembers: 9 },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.code).toBe('level_mismatch');
    const stale = await send(t, t.operator, 'distribution.promoter.level_changed', { ...body, from: 'city_agent' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('level_changed');
    expect(await levelOf(p.pair.did)).toBe('promoter');
  });
});
