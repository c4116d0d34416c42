import type { Envelope } from '@concord/protocol';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { Tx } from '../../db/connection.js';
import type { Role } from '../identity/roles.js';
import type { EventServiceDeps } from './service.js';

/** What a handler knows about the request it is applying, all inside one transaction. */
export interface EventContext {
  readonly tx: Tx;
  readonly envelope: Envelope;
  readonly eventId: bigint;
  readonly actor: string;
  readonly actorRoles: ReadonlySet<Role>;
  readonly now: Date;
  readonly config: Config;
  /** Data sent beside the envelope that must never reach the log (profile, PII). */
  readonly privateData: unknown;
  /** The services of the submitting request (the whole AppContext when a route submits). */
  readonly deps: EventServiceDeps;
}

/**
 * Who may send an event type: `unregistered` only an actor with no account yet (registration),
 * `registered` any registered account, or a list of roles of which the actor needs one.
 */
export type EventPermission = 'unregistered' | 'registered' | readonly Role[];

export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly summary: string;
  readonly body: S;
  readonly allowed: EventPermission;
  /** Applies the event to the projections; its return value is the event's stored result. */
  handle(context: EventContext, body: z.output<S>): Promise<Record<string, unknown>>;
}

/** Maps each event type to its schema, its permission and its handler. Modules add to it. */
export class EventRegistry {
  private readonly definitions = new Map<string, EventDefinition>();

  register<S extends z.ZodType>(definition: EventDefinition<S>): this {
    if (this.definitions.has(definition.type)) throw new Error(`event type ${definition.type} registered twice`);
    this.definitions.set(definition.type, definition as unknown as EventDefinition);
    return this;
  }

  get(type: string): EventDefinition | undefined {
    return this.definitions.get(type);
  }

  list(): EventDefinition[] {
    return [...this.definitions.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}

export const defineEvent = <S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> => definition;
