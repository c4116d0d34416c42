import { eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { bytesParameter, type Executor, preparedRows } from '../../db/connection.js';
import { ROLES, type Role } from './roles.js';
import { accountProfiles, accounts } from './tables.js';

export interface ActorStatus {
  registered: boolean;
  custodial: boolean;
  roles: Set<Role>;
}

/** Configuration grants operator and custodian; the table holds every other role. */
export function configuredRoles(config: Config, did: string): Role[] {
  const roles: Role[] = [];
  if (config.operatorDids?.includes(did)) roles.push('operator');
  if (config.custodianDids?.includes(did)) roles.push('custodian');
  return roles;
}

/**
 * The columns `custodial` (null when there is no account) and `roles` of the account `$n`, as
 * one select list, so that other statements can read the status in the same round trip.
 */
export const actorStatusColumns = (n: number) =>
  `(select custodial from accounts where did = $${n}) as custodial, array(select role from account_roles where did = $${n}) as roles`;

export interface ActorStatusRow {
  custodial: boolean | null;
  roles: string[];
}

export function actorStatusOf(config: Config, did: string, row: ActorStatusRow | undefined): ActorStatus {
  const roles = new Set<Role>(configuredRoles(config, did));
  for (const role of row?.roles ?? []) if ((ROLES as readonly string[]).includes(role)) roles.add(role as Role);
  const custodial = row?.custodial ?? null;
  return { registered: custodial !== null, custodial: custodial ?? false, roles };
}

const ACTOR_STATUS = `select ${actorStatusColumns(1)}`;

export async function actorStatus(executor: Executor, config: Config, did: string): Promise<ActorStatus> {
  const [row] = await preparedRows<ActorStatusRow>(executor, 'actor_status', ACTOR_STATUS, [did]);
  return actorStatusOf(config, did, row);
}

export async function findAccount(executor: Executor, did: string) {
  const [row] = await executor
    .select({
      did: accounts.did,
      custodial: accounts.custodial,
      createdAt: accounts.createdAt,
      displayName: accountProfiles.displayName,
    })
    .from(accounts)
    .leftJoin(accountProfiles, eq(accountProfiles.did, accounts.did))
    .where(eq(accounts.did, did))
    .limit(1);
  return row;
}

// Prepared: every signed-in request runs it.
const SESSION_DID = `select did from sessions where token_hash = $1 and expires_at > $2 and revoked_at is null limit 1`;

export async function sessionDid(executor: Executor, tokenHash: Uint8Array, now: Date): Promise<string | undefined> {
  const [row] = await preparedRows<{ did: string }>(executor, 'session_did', SESSION_DID, [
    bytesParameter(tokenHash),
    now.toISOString(),
  ]);
  return row?.did;
}
