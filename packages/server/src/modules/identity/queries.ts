import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { type Executor, preparedRows } from '../../db/connection.js';
import { ROLES, type Role } from './roles.js';
import { accountProfiles, accountRoles, accounts, sessions } from './tables.js';

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

// One statement (it runs for every accepted envelope): custodial is null when there is no account.
const ACTOR_STATUS = `select (select custodial from accounts where did = $1) as custodial,
    array(select role from account_roles where did = $1) as roles`;

export async function actorStatus(executor: Executor, config: Config, did: string): Promise<ActorStatus> {
  const [row] = await preparedRows<{ custodial: boolean | null; roles: string[] }>(
    executor,
    'actor_status',
    ACTOR_STATUS,
    [did],
  );
  const roles = new Set<Role>(configuredRoles(config, did));
  for (const role of row?.roles ?? []) if ((ROLES as readonly string[]).includes(role)) roles.add(role as Role);
  const custodial = row?.custodial ?? null;
  return { registered: custodial !== null, custodial: custodial ?? false, roles };
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

export async function sessionDid(executor: Executor, tokenHash: Uint8Array, now: Date): Promise<string | undefined> {
  const [row] = await executor
    .select({ did: sessions.did })
    .from(sessions)
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(sessions.revokedAt)))
    .limit(1);
  return row?.did;
}
