import type { Logger } from 'pino';

/**
 * Runs `work` every `intervalMs`, never two runs at once; a failure is logged and the next tick
 * tries again. `stop` waits for a run in progress. The work itself must be durable (its queue
 * in the database), so a restart simply resumes.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.work()
        .then(() => undefined)
        .catch((error) => this.logger?.error({ err: error }, `${this.what} failed; will retry`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}
