import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';

export type ProductSearch = NonNullable<paths['/v1/catalog/products']['get']['parameters']['query']>;
export type ProductSummary =
  paths['/v1/catalog/products']['get']['responses'][200]['content']['application/json']['items'][number];
export type ProductDetail = paths['/v1/catalog/products/{id}']['get']['responses'][200]['content']['application/json'];
export type Category =
  paths['/v1/catalog/categories']['get']['responses'][200]['content']['application/json']['items'][number];
export type Cart = paths['/v1/cart']['get']['responses'][200]['content']['application/json'];

export const useCategories = () =>
  useQuery({
    queryKey: ['categories'],
    queryFn: () => unwrap(api.GET('/v1/catalog/categories', { params: { query: { limit: 100 } } })),
    staleTime: 5 * 60_000,
  });

/** Listed products matching `search`, page by page ("load more"). */
export const useProductSearch = (search: Omit<ProductSearch, 'cursor'>) =>
  useInfiniteQuery({
    queryKey: ['products', search],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/catalog/products', {
          params: { query: { ...search, ...(pageParam === undefined ? {} : { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });

export const useProduct = (id: string) =>
  useQuery({
    queryKey: ['product', id],
    queryFn: () => unwrap(api.GET('/v1/catalog/products/{id}', { params: { path: { id } } })),
  });

export const useCart = (enabled: boolean) =>
  useQuery({ queryKey: ['cart'], queryFn: () => unwrap(api.GET('/v1/cart')), enabled });

/** Sets a SKU's quantity in the cart (0 takes it out); the cart query is refreshed from the answer. */
export function useSetCartItem() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (item: { skuId: string; quantity: number }) => unwrap(api.PUT('/v1/cart/items', { body: item })),
    onSuccess: (cart) => client.setQueryData(['cart'], cart),
  });
}
