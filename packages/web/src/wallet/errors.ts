import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { WalletError } from './vault';

/** Turns what went wrong into a sentence for the person in front of the wallet. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return useCallback(
    (error: unknown) => {
      if (error instanceof WalletError) return t(`wallet.errors.${error.code}`, error.details);
      if (error instanceof ApiError) {
        if (error.code === 'network_error') return t('wallet.errors.network');
        if (error.code === 'invalid_credentials') return t('wallet.errors.invalid_credentials');
        if (error.status === 429) return t('wallet.errors.rate_limited');
        return t('wallet.errors.server', { message: error.message });
      }
      return t('wallet.errors.unexpected', { message: error instanceof Error ? error.message : String(error) });
    },
    [t],
  );
}

/** A same-origin path to go to after signing in (`?next=/orders/1`), or null for anything else. */
export function safeNext(search: string): string | null {
  const next = new URLSearchParams(search).get('next');
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  try {
    const url = new URL(next, globalThis.location.origin);
    if (url.origin !== globalThis.location.origin || url.pathname.startsWith('/wallet')) return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}
