import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';

/**
 * A clock that runs at the base clock's pace, shifted by an offset. The sandbox moves it forward on
 * the operator's request (as Stripe's test clocks do) so that what waits for days — a commit
 * deadline, a return window, a settlement cycle — can be reached in a demo or a browser test; the
 * demo also sets it in the past to tell its consensus story.
 */
export class MovableClock {
  protected offsetMs = 0;

  constructor(private readonly base: () => Date = () => new Date()) {}

  readonly now = (): Date => new Date(this.base().getTime() + this.offsetMs);

  /** How far the clock runs ahead of (positive) or behind (negative) its base. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Moves the clock on to `at`; never back (a time already passed leaves it as it is). */
  moveTo(at: Date): Date {
    const offset = at.getTime() - this.base().getTime();
    if (offset > this.offsetMs) this.offsetMs = offset;
    return this.now();
  }

  /** The offset saved by the last move, so a restart keeps the time where it was. */
  async restore(db: Executor): Promise<void> {
    const [saved] = await rows<{ offset_ms: string }>(db, sql`select offset_ms::text from sandbox_clock where id = 1`);
    if (saved !== undefined) this.offsetMs = Math.max(this.offsetMs, Number(saved.offset_ms));
  }

  async save(db: Executor, movedAt: Date): Promise<void> {
    const offset = Math.max(0, Math.round(this.offsetMs));
    await db.execute(
      sql`insert into sandbox_clock (id, offset_ms, moved_at) values (1, ${offset}, ${movedAt.toISOString()}::timestamptz)
          on conflict (id) do update set offset_ms = greatest(sandbox_clock.offset_ms, excluded.offset_ms),
                                         moved_at = excluded.moved_at`,
    );
  }
}
