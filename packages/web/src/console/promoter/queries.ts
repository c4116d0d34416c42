import type { paths } from '../../api/schema';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type Commission = Json<'/v1/distribution/commissions'>['items'][number];
export type Withdrawal = Json<'/v1/distribution/withdrawals'>['items'][number];
export type ShareLinkView = Json<'/v1/distribution/me'>['links'][number];

/** Query keys: the API path and the account, as the shopper's pages use them (one shared answer). */
export const promoterKeys = {
  withdrawals: (did: string) => ['/v1/distribution/withdrawals', did] as const,
  products: ['/v1/catalog/products', 'promoter-links'] as const,
};

/** A commission's amount after what refunds cancelled or clawed back. */
export const netFen = (c: Commission): bigint => BigInt(c.amountFen) - BigInt(c.cancelledFen) - BigInt(c.clawedBackFen);
