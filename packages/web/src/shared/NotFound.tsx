import { Result } from 'antd';
import { useTranslation } from 'react-i18next';

/** A path the app has no page for. */
export function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title={t('common.notFound')} data-testid="not-found" />;
}
