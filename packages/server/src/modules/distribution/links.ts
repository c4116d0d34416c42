import { toBase58 } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rows } from '../../db/connection.js';
import { conflict, forbidden, notFound } from '../../errors.js';
import { defineEvent } from '../events/registry.js';
import { DID_SCHEMA } from '../identity/schema.js';
import { appOf } from '../orders/transitions.js';
import { isPromoter } from './promoters.js';

export type LinkKind = 'invite' | 'product' | 'shop';

export interface ShareLink {
  code: string;
  ownerDid: string;
  kind: LinkKind;
  productId: string | null;
  producerDid: string | null;
  createdAt: Date;
}

export const LINK_CODE = z.string().regex(/^[A-Za-z0-9]{6,16}$/, 'a share code: 6–16 letters and digits');

export const LINK_CREATED_BODY = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('invite') }).strict(),
    z.object({ kind: z.literal('product'), productId: z.string().min(1).max(100) }).strict(),
    z.object({ kind: z.literal('shop'), producer: DID_SCHEMA }).strict(),
  ])
  .describe('invite: any account invites friends; product or shop: a promoter shares what they sell.');

/**
 * A link's short code is derived from what it points at, so anyone can check it and sharing the
 * same thing twice gives the same code: 10 base58 characters of SHA-256 (58^10 ≈ 4·10^17).
 */
export function linkCode(
  sha256: (data: Uint8Array) => Uint8Array,
  owner: string,
  target: { kind: LinkKind; productId?: string; producer?: string },
): string {
  const what = `concord/link\n${owner}\n${target.kind}\n${target.productId ?? target.producer ?? ''}`;
  return toBase58(sha256(new TextEncoder().encode(what)).subarray(0, 12)).slice(0, 10);
}

export const linkCreated = defineEvent({
  type: 'distribution.link.created',
  summary:
    'Make a share link: an invitation (anyone), or a product or shop link (promoters). Its short code is in the result.',
  body: LINK_CREATED_BODY,
  allowed: 'registered',
  async handle(event, body) {
    const { tx, actor, eventId, now } = event;
    let productId: string | null = null;
    let producerDid: string | null = null;
    if (body.kind !== 'invite') {
      if (!(await isPromoter(tx, actor)))
        throw forbidden('not_a_promoter', 'Product and shop links are for approved promoters; anyone may invite.');
      if (body.kind === 'product') {
        const [product] = await rows<{ status: string }>(
          tx,
          sql`select status from catalog_products where id = ${body.productId}`,
        );
        if (product === undefined) throw notFound(`Product ${body.productId}`, 'body.productId');
        if (product.status !== 'listed')
          throw conflict('not_for_sale', `Product ${body.productId} is not on sale.`, 'body.productId');
        productId = body.productId;
      } else {
        const [producer] = await rows<{ did: string }>(
          tx,
          sql`select did from account_roles where did = ${body.producer} and role = 'producer'`,
        );
        if (producer === undefined) throw notFound(`Producer ${body.producer}`, 'body.producer');
        producerDid = body.producer;
      }
    }
    const code = linkCode(appOf(event).crypto.sha256, actor, {
      kind: body.kind,
      ...(productId === null ? {} : { productId }),
      ...(producerDid === null ? {} : { producer: producerDid }),
    });
    await tx.execute(
      sql`insert into distribution_links (code, owner_did, kind, product_id, producer_did, event_id, created_at)
          values (${code}, ${actor}, ${body.kind}, ${productId}, ${producerDid}, ${eventId.toString()}::int8, ${now.toISOString()}::timestamptz)
          on conflict do nothing`,
    );
    return { code, kind: body.kind, productId, producer: producerDid };
  },
});

interface LinkRow {
  code: string;
  owner_did: string;
  kind: LinkKind;
  product_id: string | null;
  producer_did: string | null;
  created_at: Date | string;
}

const toLink = (row: LinkRow): ShareLink => ({
  code: row.code,
  ownerDid: row.owner_did,
  kind: row.kind,
  productId: row.product_id,
  producerDid: row.producer_did,
  createdAt: new Date(row.created_at),
});

export async function findLink(executor: Executor, code: string): Promise<ShareLink | undefined> {
  const [row] = await rows<LinkRow>(executor, sql`select * from distribution_links where code = ${code}`);
  return row && toLink(row);
}

/** An account's links, newest first. */
export async function linksOf(executor: Executor, owner: string, limit: number): Promise<ShareLink[]> {
  const found = await rows<LinkRow>(
    executor,
    sql`select * from distribution_links where owner_did = ${owner} order by created_at desc limit ${limit}`,
  );
  return found.map(toLink);
}
