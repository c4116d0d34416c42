import { type QualityModelDefinition, RICE_CLAIMS_EXAMPLE, riceModelExample } from '@concord/protocol';
import type { KeyPair } from '../keys.js';
import { SandboxWebhookDelivery } from '../modules/payments/sandbox.js';
import { newKeyPair, register, sign, type TestApp } from './app.js';

/** Helpers for the commerce tests: catalogue set-up by signed events, images, sandbox webhooks. */

/** Signs an envelope at the test clock's time. */
export const signAs = (t: TestApp, pair: KeyPair, type: string, body: Record<string, unknown>) =>
  sign(pair, type, body, { ts: t.clock.now });

/** Signs and posts an event; returns the HTTP response. */
export const send = (t: TestApp, pair: KeyPair, type: string, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/events', payload: signAs(t, pair, type, body) as object });

/** Signs and posts an event that must be accepted; returns its result. */
export async function accepted(t: TestApp, pair: KeyPair, type: string, body: Record<string, unknown>) {
  const response = await send(t, pair, type, body);
  if (response.statusCode !== 201) throw new Error(`${type} refused: ${response.statusCode} ${response.body}`);
  return response.json().result as Record<string, unknown>;
}

/** A registered account holding `role` (applied for and approved by the operator). */
type ApplicableRole = 'producer' | 'expert' | 'tester' | 'promoter';

/** A registered account applies for `role` and the operator approves it. */
export async function grantRole(t: TestApp, pair: KeyPair, role: ApplicableRole): Promise<void> {
  await accepted(t, pair, 'identity.role.applied', { role });
  await accepted(t, t.operator, 'identity.role.approved', { account: pair.did, role });
}

export async function accountWithRole(t: TestApp, role: ApplicableRole): Promise<KeyPair> {
  const pair = newKeyPair();
  await register(t, pair);
  await grantRole(t, pair, role);
  return pair;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Bytes that start like a PNG file, different for each seed. */
export const pngBytes = (seed: string, size = 64): Buffer =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size, seed)]);

export async function uploadImage(t: TestApp, token: string, bytes: Buffer, type = 'image/png') {
  return t.app.inject({
    method: 'POST',
    url: '/v1/catalog/images',
    headers: { ...bearer(token), 'content-type': type },
    payload: bytes,
  });
}

/**
 * The sandbox's webhook delivery, sending to this app (what the webhook job does in a server).
 * `receiverDown`, when it answers true, makes the receiver look down for that attempt (503).
 */
export function webhookDelivery(t: TestApp, receiverDown: () => boolean = () => false): SandboxWebhookDelivery {
  return new SandboxWebhookDelivery(
    t.ctx.database.db,
    t.ctx.sandboxWebhookSecret,
    async (body, signature) =>
      receiverDown()
        ? 503
        : (
            await t.app.inject({
              method: 'POST',
              url: '/v1/payments/webhooks/sandbox',
              headers: { 'content-type': 'application/json', 'x-sandbox-signature': signature },
              payload: body,
            })
          ).statusCode,
    () => t.clock.now,
  );
}

/** Delivers the sandbox's queued webhooks to this app; returns how many were delivered. */
export const deliverWebhooks = (t: TestApp): Promise<number> => webhookDelivery(t).deliverDue();

export async function defineCategory(
  t: TestApp,
  slug: string,
  name: { zh: string; en: string },
  extra: { parent?: string; depositFen?: string; splitPolicy?: Record<string, unknown> } = {},
) {
  return accepted(t, t.operator, 'catalog.category.defined', { slug, name, depositFen: '0', ...extra });
}

/** A rice quality model for `category`: numeric, boolean and grade attributes. */
export const riceModel = (category = 'rice'): QualityModelDefinition => riceModelExample(category);

export const riceClaims = () => ({ ...RICE_CLAIMS_EXAMPLE });

/** A valid catalog.product.published body; `overrides` replace top-level members. */
export const productBody = (productId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  productId,
  category: 'rice',
  title: { zh: '有机大米', en: 'Organic rice' },
  description: '东北五常有机稻花香大米，当季新米。',
  images: [],
  model: { id: 'rice-model', version: 1 },
  claims: riceClaims(),
  skus: [
    { code: '500g', options: { 规格: '500g' }, priceFen: '2990', stock: 10 },
    { code: '5kg', options: { 规格: '5kg' }, priceFen: '12800', stock: 3 },
  ],
  ...overrides,
});
