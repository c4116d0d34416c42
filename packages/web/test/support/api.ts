import {
  createEnvelope,
  type Envelope,
  fromHex,
  keyPairFromSecretKey,
  newNonce,
  signEnvelope,
  signInMessage,
  toBase64Url,
  toHex,
} from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { learnPlatformTime, platformNow } from '../../src/api/server-time.js';
import type { DemoKey } from './demo-server.js';

/** A demo account's way into the API from the test (Node), beside what the browser does. */
export class ApiAs {
  private token: Promise<string> | undefined;

  constructor(
    private readonly origin: string,
    readonly key: DemoKey,
  ) {}

  get did(): string {
    return this.key.did;
  }

  sign(type: string, body: Record<string, unknown>): Envelope {
    const envelope = createEnvelope({
      type,
      actor: this.key.did,
      body,
      ts: platformNow(),
      nonce: newNonce(nodeCrypto),
    });
    return signEnvelope(envelope, fromHex(this.key.secretKeyHex), nodeCrypto);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.session()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // A demo whose sandbox clock moved refuses envelopes signed at the real time: sign by its clock.
    learnPlatformTime(response);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);

  /** Signs and submits an event; its receipt. */
  submit = <T = unknown>(type: string, body: Record<string, unknown>) =>
    this.request<T>('POST', '/v1/events', this.sign(type, body));

  private session(): Promise<string> {
    this.token ??= (async () => {
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${this.origin}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
        return response.json() as Promise<Record<string, string>>;
      };
      const { challenge } = await post('/v1/auth/challenges', { did: this.key.did });
      const signature = toBase64Url(
        nodeCrypto.ed25519.sign(signInMessage(challenge as string), fromHex(this.key.secretKeyHex)),
      );
      const session = await post('/v1/auth/sessions', { did: this.key.did, challenge, signature });
      return session.token as string;
    })();
    return this.token;
  }
}

/** A new account, registered with a self-held key (as the wallet does), not yet known to any browser. */
export async function registerNewAccount(origin: string, displayName = '新顾客'): Promise<DemoKey> {
  const secretKey = nodeCrypto.randomBytes(32);
  const { did } = keyPairFromSecretKey(nodeCrypto, secretKey);
  learnPlatformTime(await fetch(`${origin}/v1/clock`));
  const envelope = signEnvelope(
    createEnvelope({
      type: 'identity.account.registered',
      actor: did,
      body: {},
      ts: platformNow(),
      nonce: newNonce(nodeCrypto),
    }),
    secretKey,
    nodeCrypto,
  );
  const response = await fetch(`${origin}/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ envelope, profile: { displayName } }),
  });
  if (response.status !== 201) throw new Error(`registering answered ${response.status}: ${await response.text()}`);
  return { did, secretKeyHex: toHex(secretKey) };
}
