import { createEnvelope, type Envelope, signEnvelope, signInMessage, toBase64Url } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { KeyPair } from '@concord/server';
import type { FastifyInstance } from 'fastify';
import type { Prng } from './prng.js';

/** The simulated time: what the server's clock reads and what envelopes are signed with. */
export class SimClock {
  constructor(private current: Date) {}

  readonly now = (): Date => this.current;

  /** Moves on to `at`; never back. */
  advanceTo(at: Date): void {
    if (at.getTime() > this.current.getTime()) this.current = new Date(at.getTime());
  }
}

type Method = 'GET' | 'POST' | 'PUT';
type RequestOptions = { as?: KeyPair; payload?: object; headers?: Record<string, string> };

export interface SimResponse<T> {
  status: number;
  body: T;
}

/**
 * The city's way into the server: the requests a client sends (signed envelopes, sessions,
 * Idempotency-Keys), injected into the app without a socket. Envelopes are signed at the
 * simulated time, with nonces from the city's PRNG.
 */
export class SimClient {
  private readonly sessions = new Map<string, string>();
  private keys = 0;

  constructor(
    private readonly app: FastifyInstance,
    readonly clock: SimClock,
    private readonly prng: Prng,
  ) {}

  async request<T = unknown>(method: Method, url: string, options: RequestOptions = {}): Promise<SimResponse<T>> {
    const send = async () => {
      const headers = { ...options.headers };
      if (options.as !== undefined) headers.authorization = `Bearer ${await this.session(options.as)}`;
      return this.app.inject({
        method,
        url,
        headers,
        ...(options.payload === undefined ? {} : { payload: options.payload }),
      });
    };
    let response = await send();
    if (response.statusCode === 401 && options.as !== undefined) {
      // The session expired while the simulated clock moved on: sign in again, once.
      this.sessions.delete(options.as.did);
      response = await send();
    }
    const text = response.body;
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.statusCode, body: body as T };
  }

  /** A request that must answer one of `expected`; anything else stops the simulation, saying what failed. */
  async expect<T = unknown>(
    expected: number[],
    method: Method,
    url: string,
    options: RequestOptions = {},
  ): Promise<SimResponse<T>> {
    const response = await this.request<T>(method, url, options);
    if (!expected.includes(response.status)) {
      throw new Error(`simulate: ${method} ${url} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }

  sign(pair: KeyPair, type: string, body: Record<string, unknown>): Envelope {
    return signEnvelope(
      createEnvelope({ type, actor: pair.did, body, ts: this.clock.now(), nonce: toBase64Url(this.prng.bytes(16)) }),
      pair.secretKey,
      nodeCrypto,
    );
  }

  /** Signs and submits an event; returns its result when the status is one of `expected`. */
  async submit<T = Record<string, unknown>>(
    pair: KeyPair,
    type: string,
    body: Record<string, unknown>,
    expected: number[] = [201],
  ): Promise<SimResponse<{ result: T }>> {
    const response = await this.request<{ result: T }>('POST', '/v1/events', { payload: this.sign(pair, type, body) });
    if (!expected.includes(response.status)) {
      throw new Error(`simulate: ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }

  /** A fresh Idempotency-Key. */
  idempotencyKey(prefix: string): string {
    return `sim-${prefix}-${this.keys++}`;
  }

  private async session(pair: KeyPair): Promise<string> {
    const known = this.sessions.get(pair.did);
    if (known !== undefined) return known;
    const issued = await this.app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: pair.did } });
    const { challenge } = issued.json() as { challenge: string };
    const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
    const session = await this.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { did: pair.did, challenge, signature },
    });
    if (session.statusCode !== 201) {
      throw new Error(`simulate: signing in as ${pair.did} answered ${session.statusCode}: ${session.body}`);
    }
    const token = (session.json() as { token: string }).token;
    this.sessions.set(pair.did, token);
    return token;
  }
}
