import { createEnvelope, signEnvelope, toBase64Url } from '@concord/protocol';
import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/connection.js';
import { type EventReceipt, submitEnvelope } from '../events/service.js';
import { actorStatus } from '../identity/queries.js';

const registeredSeen = new WeakSet<AppContext>();

/**
 * The platform's own acts (an order paid by webhook, an unpaid order expired, a delivery
 * confirmed by timeout) are envelopes too, signed with the operator key and submitted in the
 * transaction of whatever caused them, so the log shows every step whoever took it.
 */
export async function platformAct(
  ctx: AppContext,
  tx: Tx,
  type: string,
  body: Record<string, unknown>,
): Promise<EventReceipt> {
  // An account never goes away, so once it is seen registered this process stops asking. (One
  // registered in this transaction is not remembered: the transaction may still roll back.)
  if (!registeredSeen.has(ctx)) {
    if ((await actorStatus(tx, ctx.config, ctx.platformSigner.did)).registered) registeredSeen.add(ctx);
    else await submitEnvelope(ctx, sign(ctx, 'identity.account.registered', {}), { tx });
  }
  return submitEnvelope(ctx, sign(ctx, type, body), { tx });
}

function sign(ctx: AppContext, type: string, body: Record<string, unknown>) {
  return signEnvelope(
    createEnvelope({
      type,
      actor: ctx.platformSigner.did,
      body,
      ts: ctx.clock(),
      nonce: toBase64Url(ctx.crypto.randomBytes(16)),
    }),
    ctx.platformSigner.secretKey,
    ctx.crypto,
  );
}
