import {
  AppError,
  type Config,
  closeSettlementCycle,
  createContext,
  cycleWindow,
  migrate,
  openConfiguredDatabase,
  resolveIdentities,
  settlementCycleAt,
} from '@concord/server';
import cliProgress from 'cli-progress';
import { UsageError } from './usage-error.js';

/**
 * `concord cycle close [cycle]`: closes a settlement cycle against the configured database, the
 * same job the API runs, with a progress bar (plain lines when stderr is not a terminal). By
 * default the last cycle that has ended. Safe to run again, beside another close, or after one
 * was killed: it finishes what is left and settles nothing twice.
 */
export async function cycleCloseCommand(
  configured: Config,
  cycleArgument: string | undefined,
  options: { batch?: string },
): Promise<number> {
  const resolved = resolveIdentities(configured);
  const now = new Date();
  const cycle = cycleArgument === undefined ? settlementCycleAt(resolved, now) - 1 : Number(cycleArgument);
  if (!Number.isSafeInteger(cycle) || cycle < 0) throw new UsageError('cycle: a cycle number (0, 1, 2, …)');
  const batchSize = options.batch === undefined ? undefined : Number(options.batch);
  const database = await openConfiguredDatabase(resolved);
  const tty = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: '{phase} {bar} {value}/{total} | {eta_formatted} left', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    await migrate(database);
    const ctx = createContext(resolved, database);
    const { startsAt, endsAt } = cycleWindow(resolved, cycle);
    console.log(`closing cycle ${cycle} (${startsAt.toISOString()} – ${endsAt.toISOString()})`);
    const summary = await closeSettlementCycle(ctx, cycle, {
      ...(batchSize === undefined ? {} : { batchSize }),
      onProgress: ({ phase, done, total }) => {
        if (!tty) {
          console.error(`${phase} ${done}/${total}`);
          return;
        }
        if (!started) {
          bar.start(total, done, { phase });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { phase });
      },
    });
    if (started) bar.stop();
    console.log(
      `cycle ${summary.cycle} ${summary.status}: ${summary.orders} orders, ${summary.paidFen} fen, ${summary.leaves} leaves, root ${summary.root}`,
    );
    return 0;
  } catch (error) {
    if (started) bar.stop();
    if (error instanceof AppError) {
      console.error(`concord: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
