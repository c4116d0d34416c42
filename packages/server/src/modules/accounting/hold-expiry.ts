import { type Db, transaction } from '../../db/connection.js';
import { expireHolds } from './ledger.js';

/**
 * Voids every hold due at `now()`, a chunk per transaction; returns how many. Durable because
 * the holds themselves are the queue: a restart picks up whatever expired meanwhile, and
 * `for update skip locked` lets several server processes share the work.
 */
export async function expireDueHolds(db: Db, now: () => Date): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await transaction(db, (tx) => expireHolds(tx, now()));
    total += expired;
    if (expired === 0) return total;
  }
}
