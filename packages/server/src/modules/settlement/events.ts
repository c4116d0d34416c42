import { CycleTree, toHex } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows } from '../../db/connection.js';
import { conflict } from '../../errors.js';
import { defineEvent, type EventRegistry } from '../events/registry.js';
import { requirePlatform } from '../orders/transitions.js';
import { storedLeaves } from './close.js';

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/);
const FEN_TEXT = z.string().regex(/^-?[0-9]{1,18}$/);

export const SETTLEMENT_CYCLE_CLOSED_BODY = z
  .object({
    cycle: z.number().int().min(0),
    startsAt: z.string().datetime(),
    endsAt: z.string().datetime(),
    orders: z.number().int().min(0),
    paidFen: FEN_TEXT,
    leaves: z.number().int().min(0),
    root: HEX64.describe('RFC 9162 root over the leaves {amountFen, kind, party} in (party, kind) order'),
    inputsDigest: HEX64.describe('SHA-256 of GET /v1/settlement/cycles/{cycle}/inputs'),
    totals: z.record(z.string(), FEN_TEXT),
  })
  .strict();

/**
 * The cycle's result, published by the close in its last transaction: derived, so the handler
 * only checks that it states what the close stored (the leaves' root, their number, the inputs'
 * digest) and marks the cycle closed; `concord verify` recomputes it from the inputs and the log.
 */
export const cycleClosed = defineEvent({
  type: 'settlement.cycle.closed',
  summary:
    'The operator publishes a closed settlement cycle: the Merkle root of its (party, account kind, amount) leaves and the digest of the inputs it was computed from.',
  body: SETTLEMENT_CYCLE_CLOSED_BODY,
  allowed: ['operator'],
  async handle(event, body) {
    requirePlatform(event, 'Only the platform publishes settlement cycles, from its close job.');
    const [cycle] = await rows<{ status: string; root: string | null; inputs_digest: string | null }>(
      event.tx,
      sql`select status, root, inputs_digest from settlement_cycles where cycle = ${body.cycle} for update`,
    );
    if (cycle?.status !== 'closing' || cycle.root === null)
      throw conflict('not_closing', `Cycle ${body.cycle} is not being closed.`, 'body.cycle');
    const leaves = await storedLeaves(event.tx, body.cycle);
    const root = toHex(new CycleTree(event.deps.crypto, leaves).root);
    if (root !== body.root || leaves.length !== body.leaves || body.inputsDigest !== cycle.inputs_digest)
      throw conflict('result_mismatch', `The result does not match cycle ${body.cycle}'s stored leaves.`, 'body.root');
    await event.tx.execute(
      sql`update settlement_cycles set status = 'closed', event_id = ${event.eventId.toString()}::int8,
             closed_at = ${event.now.toISOString()}::timestamptz
           where cycle = ${body.cycle}`,
    );
    return { cycle: body.cycle, root, leaves: leaves.length };
  },
});

export function registerSettlementEvents(registry: EventRegistry): void {
  registry.register(cycleClosed);
}
