import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Session } from './session-store';

/** The key of the signed-in account's GET /v1/me: every page and console that asks shares one answer. */
export const meKey = (did: string) => ['/v1/me', did] as const;

/** The signed-in account (its roles and profile); nothing is asked while signed out. */
export function useMe(session: Session | null) {
  return useQuery({
    queryKey: meKey(session?.did ?? ''),
    queryFn: () => unwrap(api.GET('/v1/me')),
    enabled: session !== null,
  });
}
