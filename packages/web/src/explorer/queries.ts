import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../api/client';

/** A did:key as the server accepts it (checked here first, to say so before asking). */
export const DID_PATTERN = /^did:key:z[1-9A-HJ-NP-Za-km-z]+$/;

export interface EntryFilter {
  type?: string | undefined;
  actor?: string | undefined;
}

const PAGE = 20;

/** Log entries, newest first, a page at a time ("load more" follows nextCursor). */
export function useEntries(filter: EntryFilter) {
  return useInfiniteQuery({
    queryKey: ['log', 'entries', filter.type ?? '', filter.actor ?? ''],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/log/entries', {
          params: {
            query: {
              limit: PAGE,
              ...(filter.type ? { type: filter.type } : {}),
              ...(filter.actor ? { actor: filter.actor } : {}),
              ...(pageParam === undefined ? {} : { before: pageParam }),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The newest entry's index (for "next entry" on an entry page). */
export function useNewestIndex() {
  return useQuery({
    queryKey: ['log', 'entries', 'newest'],
    queryFn: async () => {
      const page = await unwrap(api.GET('/v1/log/entries', { params: { query: { limit: 1 } } }));
      return page.items[0]?.index ?? -1;
    },
  });
}

export function useCheckpoints() {
  return useInfiniteQuery({
    queryKey: ['log', 'checkpoints'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/log/checkpoints', {
          params: { query: { limit: 10, ...(pageParam === undefined ? {} : { before: pageParam }) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useWitnesses() {
  return useQuery({
    queryKey: ['log', 'witnesses'],
    queryFn: () => unwrap(api.GET('/v1/log/witnesses')),
    refetchInterval: 15_000,
  });
}

export function useEventTypes() {
  return useQuery({
    queryKey: ['events', 'types'],
    queryFn: () => unwrap(api.GET('/v1/events/types')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useLogEntry(index: number) {
  return useQuery({
    queryKey: ['log', 'entry', index],
    queryFn: () => unwrap(api.GET('/v1/log/entries/{index}', { params: { path: { index } } })),
    // Not yet in a published checkpoint: it will be within a moment.
    refetchInterval: (query) => (query.state.data?.integrated === false ? 2_000 : false),
  });
}

/** The published checkpoint as served at /log/checkpoint (a signed note, verbatim); null before the first. */
export function useServedCheckpoint() {
  return useQuery({
    queryKey: ['log', 'served-checkpoint'],
    queryFn: async (): Promise<string | null> => {
      let response: Response;
      try {
        response = await fetch('/log/checkpoint', { cache: 'no-store' });
      } catch (error) {
        throw new ApiError(0, 'network_error', (error as Error).message);
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new ApiError(response.status, 'http_error', response.statusText);
      return response.text();
    },
  });
}
