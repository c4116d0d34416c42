import type { paths } from '../../api/schema';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type JuryItem = Json<'/v1/consensus/me/jury'>['items'][number];
export type AppealCase = Json<'/v1/consensus/appeals/{caseId}'>;
export type AppealInstance = AppealCase['instances'][number];
export type Round = Json<'/v1/consensus/rounds/{id}'>;
export type Tally = Json<'/v1/consensus/rounds/{id}/tally'>;

export const jurorKeys = {
  mine: (did: string) => ['/v1/consensus/me/jury', did] as const,
  appeal: (caseId: string) => ['/v1/consensus/appeals', caseId] as const,
  round: (id: string) => ['/v1/consensus/rounds', id] as const,
  tally: (id: string) => ['/v1/consensus/rounds', id, 'tally'] as const,
};

/** One attribute of a tally result: the claim, the testers' consensus, and whether it conforms. */
export interface TalliedAttribute {
  key: string;
  kind: string;
  mandatory: boolean;
  claimed: string | number | boolean | null;
  consensus: string | number | boolean | null;
  conforms: boolean | null;
  reported: number;
}
