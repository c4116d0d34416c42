import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { preparedRows } from '../../db/connection.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { defineEvent, type EventDefinition } from '../events/registry.js';
import { DEFAULT_ROLE } from './roles.js';
import type { Profile } from './schema.js';
import { APPLICABLE_ROLE_SCHEMA, DID_SCHEMA, PROFILE_SCHEMA } from './schema.js';
import { accountProfiles, accountRoles, custodialKeys, roleApplications } from './tables.js';

/** What registration stores beside the envelope: never on the log. */
export interface RegistrationPrivateData {
  profile?: Profile;
  custodialKey?: { secretCiphertext: Uint8Array; secretIv: Uint8Array; secretTag: Uint8Array; passphraseHash: string };
}

// The account and its default role in one round trip (every sign-up runs it).
const REGISTER_ACCOUNT = `with account as (
    insert into accounts (did, custodial, registered_event_id) values ($1, $2, $3) returning did)
  insert into account_roles (did, role, source, granted_event_id) select did, $4, 'default', $3 from account`;

/** A new account for the actor's DID. Profile data travels beside the envelope, never in it. */
export const accountRegistered = defineEvent({
  type: 'identity.account.registered',
  summary: 'Register the actor as an account (consumer role by default).',
  body: z.object({}).strict(),
  allowed: 'unregistered',
  async handle({ tx, actor, envelope, eventId, privateData }) {
    const { profile = {}, custodialKey } = (privateData ?? {}) as RegistrationPrivateData;
    const custodial = envelope.custody === 'platform';
    if (custodial !== (custodialKey !== undefined)) {
      throw badRequest(
        'custody_mismatch',
        'Custodial accounts are created through POST /v1/accounts/custodial.',
        'custody',
      );
    }
    await preparedRows(tx, 'register_account', REGISTER_ACCOUNT, [actor, custodial, eventId.toString(), DEFAULT_ROLE]);
    if (custodialKey !== undefined) await tx.insert(custodialKeys).values({ did: actor, ...custodialKey });
    const cleanProfile = PROFILE_SCHEMA.parse(profile);
    if (Object.keys(cleanProfile).length > 0) await tx.insert(accountProfiles).values({ did: actor, ...cleanProfile });
    return { did: actor, roles: [DEFAULT_ROLE] };
  },
});

export const roleApplied = defineEvent({
  type: 'identity.role.applied',
  summary: 'Apply for a role that an operator approves (producer, expert, tester, promoter).',
  body: z.object({ role: APPLICABLE_ROLE_SCHEMA }).strict(),
  allowed: 'registered',
  async handle({ tx, actor, actorRoles, eventId }, { role }) {
    if (actorRoles.has(role))
      throw conflict('role_already_held', `The account already holds the role ${role}.`, 'body.role');
    const [row] = await tx
      .insert(roleApplications)
      .values({ did: actor, role, status: 'pending', appliedEventId: eventId })
      .onConflictDoNothing()
      .returning({ id: roleApplications.id });
    if (row === undefined)
      throw conflict('application_pending', `An application for ${role} is already pending.`, 'body.role');
    return { applicationId: row.id.toString(), role, status: 'pending' };
  },
});

const DECISION_BODY = z.object({ account: DID_SCHEMA, role: APPLICABLE_ROLE_SCHEMA }).strict();

export const roleApproved = defineEvent({
  type: 'identity.role.approved',
  summary: "Operator approves an account's pending role application.",
  body: DECISION_BODY,
  allowed: ['operator'],
  async handle({ tx, actor, eventId, now, deps, envelope }, { account, role }) {
    const applicationId = await decide(tx, account, role, 'approved', actor, eventId, now);
    await tx
      .insert(accountRoles)
      .values({ did: account, role, source: 'event', grantedEventId: eventId })
      .onConflictDoNothing();
    const ctx = deps as AppContext;
    // The role's consequences date from the signed approval, so a replay of the log dates them alike.
    await ctx.roleGranted?.get(role)?.(ctx, tx, account, new Date(envelope.ts));
    return { applicationId, account, role, status: 'approved' };
  },
});

export const roleRejected = defineEvent({
  type: 'identity.role.rejected',
  summary: "Operator rejects an account's pending role application.",
  body: DECISION_BODY,
  allowed: ['operator'],
  async handle({ tx, actor, eventId, now }, { account, role }) {
    const applicationId = await decide(tx, account, role, 'rejected', actor, eventId, now);
    return { applicationId, account, role, status: 'rejected' };
  },
});

export const roleRevoked = defineEvent({
  type: 'identity.role.revoked',
  summary: 'Operator takes back a role it approved earlier.',
  body: DECISION_BODY,
  allowed: ['operator'],
  async handle({ tx }, { account, role }) {
    const removed = await tx
      .delete(accountRoles)
      .where(and(eq(accountRoles.did, account), eq(accountRoles.role, role), eq(accountRoles.source, 'event')))
      .returning({ role: accountRoles.role });
    if (removed.length === 0) throw notFound(`Role ${role} of ${account}`, 'body.role');
    return { account, role, status: 'revoked' };
  },
});

async function decide(
  tx: Parameters<EventDefinition['handle']>[0]['tx'],
  did: string,
  role: string,
  status: 'approved' | 'rejected',
  operator: string,
  eventId: bigint,
  now: Date,
): Promise<string> {
  const [row] = await tx
    .update(roleApplications)
    .set({ status, decidedBy: operator, decidedEventId: eventId, decidedAt: now })
    .where(and(eq(roleApplications.did, did), eq(roleApplications.role, role), eq(roleApplications.status, 'pending')))
    .returning({ id: roleApplications.id });
  if (row === undefined) throw notFound(`A pending ${role} application of ${did}`, 'body.account');
  return row.id.toString();
}

export const IDENTITY_EVENTS = [accountRegistered, roleApplied, roleApproved, roleRejected, roleRevoked];
