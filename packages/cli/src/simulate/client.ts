import type { FastifyInstance } from 'fastify';
import { DemoClient, type DemoResponse } from '../demo-client.js';
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

export type SimResponse<T> = DemoResponse<T>;

/**
 * The city's way into the server: the demo's client (signed envelopes, sessions,
 * Idempotency-Keys, injected into the app without a socket), signing at the simulated time with
 * nonces from the city's PRNG, so that a seed gives the same run.
 */
export class SimClient extends DemoClient<SimClock> {
  private keys = 0;

  constructor(app: FastifyInstance, clock: SimClock, prng: Prng) {
    super(app, clock, { nonce: () => prng.bytes(16), label: 'simulate' });
  }

  /** A fresh Idempotency-Key. */
  idempotencyKey(prefix: string): string {
    return `sim-${prefix}-${this.keys++}`;
  }
}
