import { createEnvelope, type Envelope, signEnvelope, signInMessage, toBase64Url } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import { type KeyPair, MovableClock } from '@concord/server';
import type { FastifyInstance } from 'fastify';

export interface DemoResponse<T = unknown> {
  status: number;
  /** The parsed JSON answer, typed by the caller after it checked the status. */
  body: T;
}

type RequestOptions = { as?: KeyPair; payload?: object; headers?: Record<string, string> };

const DAY_MS = 86_400_000;

/**
 * The demo's clock, shared by the server it loads (its `clock` option) and the demo's signatures:
 * the real time shifted by an offset. The consensus story runs in the past (its deadlines are days
 * long), moving the offset forward to each step's time, and ends at the real time, so the times on
 * the log only go forward.
 */
export class DemoClock extends MovableClock {
  /** Sets the clock `days` before the real time (0: the real time). */
  daysAgo(days: number): void {
    this.offsetMs = -days * DAY_MS;
  }

  /** Moves the clock on to `at`; never back, and never past the real time. */
  advanceTo(at: Date): void {
    const offset = Math.min(at.getTime() - Date.now(), 0);
    if (offset > this.offsetMs) this.offsetMs = offset;
  }
}

/**
 * The demo's way into the server: the same requests a client sends (signed envelopes, sessions,
 * Idempotency-Keys), injected into the app without a socket. Envelopes are signed at the demo's
 * clock, which the server follows.
 */
export class DemoClient<Clock extends { now: () => Date } = DemoClock> {
  private readonly sessions = new Map<string, Promise<string>>();
  private readonly nonce: () => Uint8Array;
  /** Names the caller in its errors ('demo', 'simulate'). */
  private readonly label: string;

  constructor(
    private readonly app: FastifyInstance,
    readonly clock: Clock = new DemoClock() as unknown as Clock,
    options: { nonce?: () => Uint8Array; label?: string } = {},
  ) {
    this.nonce = options.nonce ?? (() => nodeCrypto.randomBytes(16));
    this.label = options.label ?? 'demo';
  }

  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options: RequestOptions = {},
  ): Promise<DemoResponse<T>> {
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
      // The session expired: the clock moved on by days. Sign in again, once.
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

  /** A request that must answer one of `expected`; anything else stops the demo, saying what failed. */
  async expect<T = unknown>(
    expected: number[],
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options: RequestOptions = {},
  ): Promise<DemoResponse<T>> {
    const response = await this.request<T>(method, url, options);
    if (!expected.includes(response.status)) {
      throw new Error(`${this.label}: ${method} ${url} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }

  sign(pair: KeyPair, type: string, body: Record<string, unknown>): Envelope {
    return signEnvelope(
      createEnvelope({
        type,
        actor: pair.did,
        body,
        ts: this.clock.now(),
        nonce: toBase64Url(this.nonce()),
      }),
      pair.secretKey,
      nodeCrypto,
    );
  }

  /** Signs and submits an event; returns the response when its status is one of `expected`. */
  async submit<T = unknown>(
    pair: KeyPair,
    type: string,
    body: Record<string, unknown>,
    expected: number[] = [201],
  ): Promise<DemoResponse<T>> {
    const response = await this.request<T>('POST', '/v1/events', { payload: this.sign(pair, type, body) });
    if (!expected.includes(response.status)) {
      throw new Error(
        `${this.label}: ${type} by ${pair.did} answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response;
  }

  /** A session token of `pair`, signed in once per run (again when it expired). */
  session(pair: KeyPair): Promise<string> {
    let token = this.sessions.get(pair.did);
    if (token === undefined) {
      token = this.signIn(pair);
      this.sessions.set(pair.did, token);
    }
    return token;
  }

  private async signIn(pair: KeyPair): Promise<string> {
    const issued = await this.app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: pair.did } });
    const { challenge } = issued.json() as { challenge: string };
    const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
    const session = await this.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { did: pair.did, challenge, signature },
    });
    if (session.statusCode !== 201) {
      throw new Error(`${this.label}: signing in as ${pair.did} answered ${session.statusCode}: ${session.body}`);
    }
    return (session.json() as { token: string }).token;
  }
}

/**
 * Polls `check` until it answers true. Payment outcomes arrive by the sandbox's webhooks, which
 * the server's own delivery job sends a moment later.
 */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`demo: ${what} did not happen within ${timeoutMs / 1000} s (are the server's jobs running?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
