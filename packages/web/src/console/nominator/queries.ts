import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type Candidate = Json<'/v1/consensus/candidates'>['items'][number];
export type ConsensusMe = Json<'/v1/consensus/me'>;
export type RoundSummary = Json<'/v1/consensus/rounds'>['items'][number];
export type Tally = Json<'/v1/consensus/rounds/{id}/tally'>;

export const nominatorKeys = {
  me: (did: string) => ['/v1/consensus/me', did] as const,
  candidates: (category: string) => ['/v1/consensus/candidates', category] as const,
  panel: (category: string) => ['/v1/consensus/panels', category] as const,
  decided: ['/v1/consensus/rounds', 'decided'] as const,
  tally: (id: string) => ['/v1/consensus/rounds', id, 'tally'] as const,
  points: (did: string) => ['/v1/points', did, 'nominator'] as const,
  categories: ['/v1/catalog/categories'] as const,
};

/** What a published rewards result says (protocol rewardRound, and the slashes applied). */
export interface RewardsResult {
  rewards?: { testers?: { tester: string; accuracy: number; outcome: string; penalised: boolean }[] };
  slashes?: { party: string; slashedPoints: string; amountPoints?: string }[];
}

export interface TallyResult {
  accuracies?: { tester: string; accuracy: number; weight: number }[];
}

/** The decided rounds and their tallies: each tester's latest accuracy, and the slashes applied. */
export function useDecidedTallies(enabled: boolean) {
  const rounds = useQuery({
    queryKey: nominatorKeys.decided,
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds', { params: { query: { status: 'decided', limit: 50 } } })),
    enabled,
  });
  const ids = (rounds.data?.items ?? []).map((round) => round.id);
  const tallies = useQuery({
    queryKey: [...nominatorKeys.decided, 'tallies', ids.join(',')],
    queryFn: () =>
      Promise.all(ids.map((id) => unwrap(api.GET('/v1/consensus/rounds/{id}/tally', { params: { path: { id } } })))),
    enabled: enabled && rounds.isSuccess,
  });
  return { rounds, tallies };
}
