/**
 * `load`'s answer, reused while `version()` is unchanged (concurrent callers share one load).
 * Once it is `ms` old the next caller still gets it, and a fresh load starts in the background:
 * no request waits for the refresh (one proof in every `ms` used to wait for two queries), and
 * other processes' checkpoints show up within about `ms`. A new version (this process
 * integrated) is waited for.
 */
export function reuseFor<T>(ms: number, version: () => number, load: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; version: number; value: Promise<T> } | undefined;
  let refreshing = false;
  const start = (now: number, v: number) => {
    const value = load();
    const entry = { at: now, version: v, value };
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry;
  };
  return () => {
    const now = Date.now();
    const v = version();
    if (cached === undefined || cached.version !== v) {
      cached = start(now, v);
      return cached.value;
    }
    if (now - cached.at > ms && !refreshing) {
      refreshing = true;
      const next = start(now, v);
      next.value
        .then(() => {
          if (cached?.version === v) cached = next;
        })
        .catch(() => undefined) // the stale answer stays; the next caller tries again
        .finally(() => {
          refreshing = false;
        });
    }
    return cached.value;
  };
}
