import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

type Json<P extends keyof paths, M extends 'get'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ModelSummary = Json<'/v1/catalog/models', 'get'>['items'][number];
export type ModelDetail = Json<'/v1/catalog/models/{id}', 'get'>;
export type ModelVersion = ModelDetail['versions'][number];
export type ProductSummary = Json<'/v1/catalog/products', 'get'>['items'][number];

const PAGES_MAX = 10;

/** Every quality model whose owner is `did`, page by page. */
export function useMyModels(did: string) {
  return useQuery({
    queryKey: ['expert', 'models', did],
    queryFn: async () => {
      const mine: ModelSummary[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < PAGES_MAX; page += 1) {
        const answer = await unwrap(
          api.GET('/v1/catalog/models', { params: { query: { owner: did, limit: 100, cursor } } }),
        );
        mine.push(...answer.items);
        if (answer.nextCursor === null) break;
        cursor = answer.nextCursor;
      }
      return mine;
    },
  });
}

export function useModel(id: string | null) {
  return useQuery({
    queryKey: ['expert', 'model', id],
    queryFn: () => unwrap(api.GET('/v1/catalog/models/{id}', { params: { path: { id: id as string } } })),
    enabled: id !== null,
  });
}

/** The listed products that reference a model (any of its versions), from its category's listing. */
export function useModelUsage(modelId: string, category: string) {
  return useQuery({
    queryKey: ['expert', 'usage', modelId, category],
    queryFn: async () => {
      const using: ProductSummary[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < PAGES_MAX; page += 1) {
        const answer = await unwrap(
          api.GET('/v1/catalog/products', { params: { query: { category, limit: 100, cursor } } }),
        );
        using.push(...answer.items.filter((p) => p.model.id === modelId));
        if (answer.nextCursor === null) break;
        cursor = answer.nextCursor;
      }
      return using;
    },
  });
}

export function useCategories() {
  return useQuery({
    queryKey: ['expert', 'categories'],
    queryFn: () => unwrap(api.GET('/v1/catalog/categories')),
    staleTime: 300_000,
  });
}
