import {
  createEnvelope,
  type Envelope,
  fromBase64Url,
  keyPairFromSecretKey,
  publicKeyFromDidKey,
  signEnvelope,
  signInMessage,
  toBase64Url,
  utf8Encode,
} from '@concord/protocol';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { type Executor, type Tx, transaction } from '../../db/connection.js';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../../errors.js';
import { type EventReceipt, submitEnvelope } from '../events/service.js';
import { events } from '../events/tables.js';
import { checkPassphrase, hashPassphrase, openSecret, sealSecret } from './custody.js';
import type { RegistrationPrivateData } from './events.js';
import { actorStatus, findAccount, sessionDid } from './queries.js';
import type { Profile } from './schema.js';
import { accountProfiles, authChallenges, custodialKeys, roleApplications, sessions } from './tables.js';

const CHALLENGE_TTL_MS = 5 * 60_000;

export async function registerAccount(ctx: AppContext, envelope: unknown, profile: Profile | undefined) {
  const privateData: RegistrationPrivateData = profile === undefined ? {} : { profile };
  return submitEnvelope(ctx, envelope, { privateData });
}

export async function createChallenge(ctx: AppContext, executor: Executor, did: string) {
  assertDidKey(did, 'did');
  const challenge = toBase64Url(ctx.crypto.randomBytes(24));
  const expiresAt = new Date(ctx.clock().getTime() + CHALLENGE_TTL_MS);
  await executor.insert(authChallenges).values({ challenge, did, expiresAt });
  return { challenge, message: new TextDecoder().decode(signInMessage(challenge)), expiresAt: expiresAt.toISOString() };
}

/** Exchanges a signed challenge for a session token; each challenge works once. */
/**
 * Checks the signature over a sign-in challenge. A wrong signature burns the challenge at once,
 * outside any request transaction, so a challenge gives one try, right or wrong.
 */
export async function checkSignInSignature(
  ctx: AppContext,
  input: { did: string; challenge: string; signature: string },
) {
  const publicKey = assertDidKey(input.did, 'did');
  let signature: Uint8Array | undefined;
  try {
    signature = fromBase64Url(input.signature);
  } catch {
    signature = undefined;
  }
  if (signature !== undefined && ctx.crypto.ed25519.verify(signature, signInMessage(input.challenge), publicKey))
    return;
  await ctx.database.db
    .update(authChallenges)
    .set({ usedAt: ctx.clock() })
    .where(and(eq(authChallenges.challenge, input.challenge), isNull(authChallenges.usedAt)));
  throw new AppError(401, 'invalid_signature', 'The signature does not match the challenge and the DID.', 'signature');
}

/**
 * Exchanges a challenge, whose signature `checkSignInSignature` accepted, for a session token;
 * each challenge works once. Runs in the caller's transaction, so a refusal leaves nothing.
 */
export async function openSession(ctx: AppContext, tx: Tx, input: { did: string; challenge: string }) {
  const now = ctx.clock();
  const [used] = await tx
    .update(authChallenges)
    .set({ usedAt: now })
    .where(
      and(
        eq(authChallenges.challenge, input.challenge),
        eq(authChallenges.did, input.did),
        isNull(authChallenges.usedAt),
        gt(authChallenges.expiresAt, now),
      ),
    )
    .returning({ challenge: authChallenges.challenge });
  if (used === undefined) {
    throw new AppError(
      401,
      'invalid_challenge',
      'Unknown, expired or already used challenge; ask for a new one.',
      'challenge',
    );
  }
  const status = await actorStatus(tx, ctx.config, input.did);
  if (!status.registered) throw notFound('Account', 'did');
  return issueSession(ctx, tx, input.did, now);
}

async function issueSession(ctx: AppContext, tx: Tx, did: string, now: Date) {
  const token = toBase64Url(ctx.crypto.randomBytes(32));
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMinutes * 60_000);
  await tx.insert(sessions).values({ tokenHash: ctx.crypto.sha256(utf8Encode(token)), did, expiresAt });
  return { token, did, expiresAt: expiresAt.toISOString() };
}

/** The DID of the request's session, or a 401. */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<string> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (match?.[1] === undefined) throw unauthorized();
  const did = await sessionDid(ctx.database.db, ctx.crypto.sha256(utf8Encode(match[1])), ctx.clock());
  if (did === undefined) throw unauthorized('The session token is unknown or expired; sign in again.');
  return did;
}

/** The DID of the request's session if it holds the operator role; else a 401 or a 403 saying `why`. */
export async function authenticateOperator(ctx: AppContext, request: FastifyRequest, why: string): Promise<string> {
  const did = await authenticate(ctx, request);
  if (!(ctx.config.operatorDids?.includes(did) ?? false)) throw forbidden('role_required', why);
  return did;
}

export async function closeSession(ctx: AppContext, request: FastifyRequest): Promise<void> {
  await authenticate(ctx, request);
  const token = (request.headers.authorization ?? '').slice('Bearer '.length);
  await ctx.database.db
    .update(sessions)
    .set({ revokedAt: ctx.clock() })
    .where(eq(sessions.tokenHash, ctx.crypto.sha256(utf8Encode(token))));
}

export async function describeAccount(ctx: AppContext, did: string) {
  const account = await findAccount(ctx.database.db, did);
  if (account === undefined) throw notFound('Account', 'did');
  const status = await actorStatus(ctx.database.db, ctx.config, did);
  return {
    did: account.did,
    custodial: account.custodial,
    roles: [...status.roles].sort(),
    registeredAt: account.createdAt.toISOString(),
  };
}

export async function describeMe(ctx: AppContext, did: string) {
  const account = await describeAccount(ctx, did);
  const [profile] = await ctx.database.db.select().from(accountProfiles).where(eq(accountProfiles.did, did)).limit(1);
  return {
    ...account,
    profile: {
      ...(profile?.displayName ? { displayName: profile.displayName } : {}),
      ...(profile?.phone ? { phone: profile.phone } : {}),
      ...(profile?.email ? { email: profile.email } : {}),
    },
  };
}

export async function updateProfile(ctx: AppContext, did: string, profile: Profile) {
  await ctx.database.db
    .insert(accountProfiles)
    .values({ did, ...profile, updatedAt: ctx.clock() })
    .onConflictDoUpdate({ target: accountProfiles.did, set: { ...profile, updatedAt: ctx.clock() } });
  return describeMe(ctx, did);
}

/** A custodial account: the platform makes and keeps the key, sealed under the server's key. */
export async function registerCustodialAccount(
  ctx: AppContext,
  tx: Tx,
  input: { passphrase: string; profile?: Profile | undefined },
) {
  const pair = keyPairFromSecretKey(ctx.crypto, ctx.crypto.randomBytes(32));
  const sealed = sealSecret(ctx.keyEncryptionKey, pair.did, pair.secretKey);
  const envelope = signEnvelope(
    createEnvelope({
      type: 'identity.account.registered',
      actor: pair.did,
      body: {},
      ts: ctx.clock(),
      nonce: toBase64Url(ctx.crypto.randomBytes(16)),
      custody: 'platform',
    }),
    pair.secretKey,
    ctx.crypto,
  );
  const privateData: RegistrationPrivateData = {
    ...(input.profile === undefined ? {} : { profile: input.profile }),
    custodialKey: {
      secretCiphertext: sealed.ciphertext,
      secretIv: sealed.iv,
      secretTag: sealed.tag,
      passphraseHash: await hashPassphrase(input.passphrase),
    },
  };
  const receipt = await submitEnvelope(ctx, envelope, { privateData, tx });
  const session = await issueSession(ctx, tx, pair.did, ctx.clock());
  return { receipt, session };
}

export async function openCustodialSession(ctx: AppContext, input: { did: string; passphrase: string }) {
  const [key] = await ctx.database.db.select().from(custodialKeys).where(eq(custodialKeys.did, input.did)).limit(1);
  // The same answer for an unknown DID and a wrong passphrase: no account enumeration.
  if (key === undefined || !(await checkPassphrase(input.passphrase, key.passphraseHash))) {
    throw new AppError(401, 'invalid_credentials', 'Unknown custodial account or wrong passphrase.');
  }
  return transaction(ctx.database.db, (tx) => issueSession(ctx, tx, input.did, ctx.clock()));
}

/**
 * Signs an event for a custodial account with its platform-held key (marked `custody:
 * "platform"`). With an idempotency key the nonce is derived from it, so a retry lands on the
 * first envelope through the events pipeline's own replay rule.
 */
/**
 * An envelope signed with a custodial account's platform-held key (custody "platform"). With an
 * Idempotency-Key the nonce follows from it, so a retry gets the envelope signed the first time
 * (once that was submitted) and a key reused for another event is refused.
 */
export async function signCustodialEnvelope(
  ctx: AppContext,
  did: string,
  input: { type: string; body: Record<string, unknown> },
  idempotencyKey: string | undefined,
): Promise<Envelope> {
  const [key] = await ctx.database.db.select().from(custodialKeys).where(eq(custodialKeys.did, did)).limit(1);
  if (key === undefined) throw conflict('not_custodial', 'This account holds its own key: sign envelopes yourself.');
  const secretKey = openSecret(ctx.keyEncryptionKey, did, {
    ciphertext: key.secretCiphertext,
    iv: key.secretIv,
    tag: key.secretTag,
  });
  const nonce =
    idempotencyKey === undefined
      ? toBase64Url(ctx.crypto.randomBytes(16))
      : toBase64Url(ctx.crypto.sha256(utf8Encode(`custodial-nonce\n${did}\n${idempotencyKey}`))).slice(0, 32);
  const earlier = await findEnvelopeByNonce(ctx, did, nonce);
  if (
    earlier !== undefined &&
    (earlier.type !== input.type || JSON.stringify(earlier.body) !== JSON.stringify(input.body))
  ) {
    throw conflict('idempotency_key_reused', 'This Idempotency-Key was used for a different event.', 'Idempotency-Key');
  }
  return (
    earlier ??
    signEnvelope(
      createEnvelope({ type: input.type, actor: did, body: input.body, ts: ctx.clock(), nonce, custody: 'platform' }),
      secretKey,
      ctx.crypto,
    )
  );
}

export async function submitCustodialEvent(
  ctx: AppContext,
  did: string,
  input: { type: string; body: Record<string, unknown> },
  idempotencyKey: string | undefined,
): Promise<EventReceipt> {
  return submitEnvelope(ctx, await signCustodialEnvelope(ctx, did, input, idempotencyKey));
}

async function findEnvelopeByNonce(ctx: AppContext, did: string, nonce: string): Promise<Envelope | undefined> {
  const [row] = await ctx.database.db
    .select({ envelope: events.envelope })
    .from(events)
    .where(and(eq(events.actor, did), eq(events.nonce, nonce)))
    .limit(1);
  return row?.envelope as Envelope | undefined;
}

export async function listApplications(
  ctx: AppContext,
  query: { status?: 'pending' | 'approved' | 'rejected' | undefined; after?: string | undefined; limit: number },
) {
  const conditions = [];
  if (query.status !== undefined) conditions.push(eq(roleApplications.status, query.status));
  if (query.after !== undefined) conditions.push(gt(roleApplications.id, BigInt(query.after)));
  const found = await ctx.database.db
    .select()
    .from(roleApplications)
    .where(and(...conditions))
    .orderBy(asc(roleApplications.id))
    .limit(query.limit + 1);
  const page = found.slice(0, query.limit);
  return {
    items: page.map((row) => ({
      id: row.id.toString(),
      did: row.did,
      role: row.role,
      status: row.status,
      appliedAt: row.createdAt.toISOString(),
      decidedAt: row.decidedAt?.toISOString() ?? null,
      decidedBy: row.decidedBy,
    })),
    nextCursor: found.length > query.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}

function assertDidKey(did: string, field: string): Uint8Array {
  try {
    return publicKeyFromDidKey(did);
  } catch (error) {
    throw badRequest('invalid_did', `${field}: ${(error as Error).message}`, field);
  }
}
