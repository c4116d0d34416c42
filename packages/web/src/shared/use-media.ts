import { useSyncExternalStore } from 'react';

/** True on phone widths (below 768 px), where the app shows a bottom tab bar instead of the header menu. */
export function useIsPhone(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const query = globalThis.matchMedia('(max-width: 767px)');
      query.addEventListener('change', listener);
      return () => query.removeEventListener('change', listener);
    },
    () => globalThis.matchMedia('(max-width: 767px)').matches,
  );
}
