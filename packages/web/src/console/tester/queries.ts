import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

type Json<P extends keyof paths> = paths[P]['get'] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ConsensusMe = Json<'/v1/consensus/me'>;
export type MyRound = Json<'/v1/consensus/me/rounds'>['items'][number];
export type RoundDetail = Json<'/v1/consensus/rounds/{id}'>;
export type ModelDetail = Json<'/v1/catalog/models/{id}'>;
export type Attribute = ModelDetail['versions'][number]['definition']['attributes'][number];

export function useConsensusMe(did: string) {
  return useQuery({
    queryKey: ['tester', 'me', did],
    queryFn: () => unwrap(api.GET('/v1/consensus/me')),
  });
}

export function useMyRounds(did: string) {
  return useQuery({
    queryKey: ['tester', 'rounds', did],
    queryFn: () => unwrap(api.GET('/v1/consensus/me/rounds', { params: { query: { limit: 100 } } })),
  });
}

export function useRound(id: string) {
  return useQuery({
    queryKey: ['tester', 'round', id],
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds/{id}', { params: { path: { id } } })),
  });
}

/** The attributes of one version of a model: what a report measures. */
export function useModelAttributes(id: string, version: number) {
  return useQuery({
    queryKey: ['tester', 'model', id, version],
    queryFn: async () => {
      const model = await unwrap(api.GET('/v1/catalog/models/{id}', { params: { path: { id } } }));
      const found = model.versions.find((v) => v.version === version);
      if (found === undefined) throw new Error(`${id} v${version}`);
      return found.definition;
    },
    staleTime: 600_000,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: ['tester', 'categories'],
    queryFn: () => unwrap(api.GET('/v1/catalog/categories')),
    staleTime: 300_000,
  });
}
