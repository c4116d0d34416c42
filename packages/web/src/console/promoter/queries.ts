import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type Commission = Json<'/v1/distribution/commissions'>['items'][number];
export type Withdrawal = Json<'/v1/distribution/withdrawals'>['items'][number];
export type ShareLinkView = Json<'/v1/distribution/me'>['links'][number];
export type Customer = Json<'/v1/distribution/me/customers'>['items'][number];
export type TeamMember = Json<'/v1/distribution/me/team'>['items'][number];

/** Query keys: the API path and the account, as the shopper's pages use them (one shared answer). */
export const promoterKeys = {
  withdrawals: (did: string) => ['/v1/distribution/withdrawals', did] as const,
  products: ['/v1/catalog/products', 'promoter-links'] as const,
  customers: (did: string) => ['/v1/distribution/me/customers', did] as const,
  team: (did: string) => ['/v1/distribution/me/team', did] as const,
};

/** A commission's amount after what refunds cancelled or clawed back. */
export const netFen = (c: Commission): bigint => BigInt(c.amountFen) - BigInt(c.cancelledFen) - BigInt(c.clawedBackFen);

const PAGE = 20;

/** The customers bound to me, newest first, a page at a time. */
export const useCustomers = (did: string) =>
  useInfiniteQuery({
    queryKey: promoterKeys.customers(did),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/distribution/me/customers', {
          params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** The promoters I brought in, newest first, a page at a time. */
export const useTeamMembers = (did: string) =>
  useInfiniteQuery({
    queryKey: promoterKeys.team(did),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/distribution/me/team', {
          params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
