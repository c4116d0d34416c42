import type { AppContext, KeyPair } from '@concord/server';
import { releaseDueCommissions } from '@concord/server';
import type { DemoClient } from './demo-client.js';

/**
 * The demo's channel: a team lead who brought in a promoter (her upline), the promoter's product
 * and shop links, and buyers who arrived by them — so the demo's completed orders carry a direct
 * commission and an override, one of them still frozen and one released — and one buyer who
 * invited another. Loaded before the orders, which are attributed at checkout.
 */

export const DISTRIBUTION_PERSONAS = { 'team-lead': '赵敏（团队长）', promoter: '周杰（推广员）' } as const;

export const DEMO_PRODUCT_LINK = { kind: 'product', productId: 'wuchang-daohuaxiang-rice' } as const;

const DAY_MS = 86_400_000;

interface Me {
  boundTo: string | null;
  invitedBy: string | null;
  links: { code: string; kind: string; productId: string | null; producer: string | null }[];
}

const me = async (client: DemoClient, pair: KeyPair) =>
  (await client.expect<Me>([200], 'GET', '/v1/distribution/me', { as: pair })).body;

// Loading the demo again finds the links and bindings made the first time and signs nothing new.
async function link(client: DemoClient, owner: KeyPair, body: Record<string, unknown>): Promise<string> {
  const found = (await me(client, owner)).links.find(
    (l) =>
      l.kind === body.kind &&
      (l.productId ?? undefined) === body.productId &&
      (l.producer ?? undefined) === body.producer,
  );
  if (found !== undefined) return found.code;
  const made = await client.submit<{ result: { code: string } }>(owner, 'distribution.link.created', body);
  return made.body.result.code;
}

async function arrive(client: DemoClient, consumer: KeyPair, owner: KeyPair, code: string): Promise<void> {
  const now = await me(client, consumer);
  if (now.boundTo === owner.did || now.invitedBy === owner.did) return;
  await client.submit(consumer, 'distribution.binding.created', { code }, [201]);
}

export interface ChannelParties {
  teamLead: KeyPair;
  promoter: KeyPair;
  /** Producer of the shop the promoter shares. */
  shopProducer: KeyPair;
  /** Bound by the product link, the shop link; the last one is invited by the first. */
  consumers: [KeyPair, KeyPair, KeyPair];
  approvePromoter: (pair: KeyPair) => Promise<void>;
}

export async function loadChannel(client: DemoClient, parties: ChannelParties): Promise<void> {
  const { teamLead, promoter, consumers } = parties;
  await arrive(client, promoter, teamLead, await link(client, teamLead, { kind: 'invite' }));
  await parties.approvePromoter(promoter);
  const product = await link(client, promoter, DEMO_PRODUCT_LINK);
  const shop = await link(client, promoter, { kind: 'shop', producer: parties.shopProducer.did });
  await arrive(client, consumers[0], promoter, shop);
  await arrive(client, consumers[1], promoter, product);
  await arrive(client, consumers[2], consumers[0], await link(client, consumers[0], { kind: 'invite' }));
}

/**
 * Releases the commissions of one completed demo order as the release job will 37 days after its
 * delivery, so the demo shows a released commission beside frozen ones without waiting a month.
 */
export async function releaseDemoCommissions(ctx: AppContext, orderId: string): Promise<void> {
  const later = new Date(Date.now() + 38 * DAY_MS);
  await releaseDueCommissions({ ...ctx, clock: () => later }, 200, orderId);
}
