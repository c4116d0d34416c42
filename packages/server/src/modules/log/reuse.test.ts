import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reuseFor } from './reuse.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'));
});
afterEach(() => vi.useRealTimers());

/** A load whose answers the test hands out one by one. */
function loads() {
  const pending: { resolve(value: string): void; reject(error: Error): void }[] = [];
  const load = vi.fn(
    () =>
      new Promise<string>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  );
  return { load, pending };
}

describe('reuseFor (the published checkpoint of the proof route)', () => {
  it('shares one load, serves the old answer while a refresh runs, then the new one', async () => {
    const { load, pending } = loads();
    const get = reuseFor(50, () => 0, load);
    const first = get();
    const second = get();
    pending[0]?.resolve('a');
    expect(await first).toBe('a');
    expect(await second).toBe('a');
    expect(load).toHaveBeenCalledTimes(1);

    vi.advanceTimersByTime(51);
    expect(await get()).toBe('a'); // not waiting for the refresh it started
    expect(await get()).toBe('a'); // one refresh at a time
    expect(load).toHaveBeenCalledTimes(2);
    pending[1]?.resolve('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(await get()).toBe('b');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps the old answer when a refresh fails, and tries again on the next call', async () => {
    const { load, pending } = loads();
    const get = reuseFor(50, () => 0, load);
    const first = get();
    pending[0]?.resolve('a');
    await first;
    vi.advanceTimersByTime(51);
    expect(await get()).toBe('a');
    pending[1]?.reject(new Error('database down'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await get()).toBe('a');
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('waits for a fresh load when the version changes (this process integrated)', async () => {
    const { load, pending } = loads();
    let version = 0;
    const get = reuseFor(50, () => version, load);
    const first = get();
    pending[0]?.resolve('a');
    await first;
    version = 1;
    const next = get();
    pending[1]?.resolve('b');
    expect(await next).toBe('b');
  });

  it('forgets a first load that failed', async () => {
    const { load, pending } = loads();
    const get = reuseFor(50, () => 0, load);
    const first = get();
    pending[0]?.reject(new Error('database down'));
    await expect(first).rejects.toThrow('database down');
    const again = get();
    pending[1]?.resolve('a');
    expect(await again).toBe('a');
  });
});
