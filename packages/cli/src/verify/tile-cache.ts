import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getBytes } from './http.js';

/**
 * Tiles on disk under the state directory. A tile path (partial ones included: `.p/W` names
 * exact content) never changes meaning, so a verification that stops half-way resumes from
 * what it already has; one that finds a divergence discards them.
 */
export class TileCache {
  private readonly pending = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly baseUrl: string,
    private readonly dir: string,
  ) {}

  /** Starts fetching tiles that will be needed soon, so verification never waits on the network. */
  prefetch(paths: readonly string[]): void {
    for (const path of paths) {
      if (this.pending.has(path)) continue;
      const fetching = this.load(path);
      fetching.catch(() => undefined); // reported when `get` awaits it
      this.pending.set(path, fetching);
    }
  }

  async get(path: string): Promise<Uint8Array> {
    const fetching = this.pending.get(path);
    if (fetching !== undefined) {
      this.pending.delete(path);
      return fetching;
    }
    return this.load(path);
  }

  /**
   * Forgets every tile: after a run that found a divergence, the tiles it kept may be the bad
   * ones, and a later run must judge what the server serves then. Waits for downloads in flight.
   */
  async discard(): Promise<void> {
    await Promise.allSettled(this.pending.values());
    this.pending.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async load(path: string): Promise<Uint8Array> {
    const file = join(this.dir, path);
    if (existsSync(file)) return new Uint8Array(readFileSync(file));
    const data = await getBytes(`${this.baseUrl}/log/${path}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, data);
    renameSync(`${file}.tmp`, file);
    return data;
  }
}
