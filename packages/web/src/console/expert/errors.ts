import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';

/** An error as the expert and tester consoles say it: a known code in the reader's language, else the server's words. */
export function useErrorText(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    if (error instanceof ApiError) {
      const key = `console.expert.errors.${error.code}`;
      return i18n.exists(key) ? t(key) : error.message;
    }
    return error instanceof Error ? error.message : String(error);
  };
}
