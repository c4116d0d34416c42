import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/**
 * An error in the reader's words: a code we know under `prefix` (`account.errors`,
 * `console.producer.errors`, …) in their language, else the server's or the thrown error's message.
 */
export function useErrorText(prefix: string): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    if (error instanceof ApiError) {
      const key = `${prefix}.${error.code}`;
      return i18n.exists(key) ? t(key) : error.message;
    }
    return error instanceof Error ? error.message : String(error);
  };
}
