import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a witness remembers of one log: the key it trusts and the latest checkpoint it cosigned. */
export interface FollowedLog {
  origin: string;
  /** C2SP verifier key of the log (name+keyid+base64). */
  verifierKey: string;
  size: number;
  /** base64 root hash at `size`; absent before the first cosignature. */
  rootHash?: string | undefined;
}

interface StateFile {
  version: 1;
  logs: FollowedLog[];
}

/**
 * The witness's durable state in one JSON file. Every update is a check-and-save under one
 * lock, written to a temporary file, flushed and renamed over the old one: a crash leaves the
 * old state or the new, never a torn or a lost update, so the witness never cosigns two
 * different trees of the same size.
 */
export class WitnessState {
  private logs = new Map<string, FollowedLog>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    if (existsSync(path)) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
      for (const log of parsed.logs) this.logs.set(log.origin, log);
    }
  }

  get(origin: string): FollowedLog | undefined {
    const log = this.logs.get(origin);
    return log === undefined ? undefined : { ...log };
  }

  list(): FollowedLog[] {
    return [...this.logs.values()].map((log) => ({ ...log }));
  }

  /** Adds a log to follow (size 0); keeps the state of one already followed with the same key. */
  follow(origin: string, verifierKey: string): Promise<void> {
    return this.exclusive(async () => {
      const known = this.logs.get(origin);
      if (known?.verifierKey === verifierKey) return;
      this.logs.set(origin, { origin, verifierKey, size: known?.size ?? 0, rootHash: known?.rootHash });
      this.save();
    });
  }

  /**
   * Runs `update` with the log's current state while holding the lock; a returned state is
   * saved before the lock is released.
   */
  update<T>(
    origin: string,
    update: (log: FollowedLog | undefined) => Promise<{ next?: FollowedLog; value: T }>,
  ): Promise<T> {
    return this.exclusive(async () => {
      const { next, value } = await update(this.get(origin));
      if (next !== undefined) {
        const previous = this.logs.get(origin);
        this.logs.set(origin, next);
        try {
          this.save();
        } catch (error) {
          if (previous === undefined) this.logs.delete(origin);
          else this.logs.set(origin, previous);
          throw error;
        }
      }
      return value;
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const file: StateFile = { version: 1, logs: [...this.logs.values()] };
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
