import { Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** What every page shows while it loads. */
export function Loading({ rows = 4 }: { rows?: number }) {
  return <Skeleton active paragraph={{ rows }} data-testid="loading" />;
}

/** What every page shows when its data could not be loaded: what went wrong, and a way to try again. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  const apiError = error instanceof ApiError ? error : undefined;
  const notFound = apiError?.status === 404;
  return (
    <Result
      status={notFound ? '404' : 'warning'}
      title={notFound ? t('common.notFound') : t('common.loadFailed')}
      subTitle={<span data-testid="error-message">{(error as Error)?.message}</span>}
      extra={
        retry && !notFound ? (
          <Button onClick={retry} type="primary">
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}

/** What a list shows when it has nothing yet, with the next step when there is one. */
export function EmptyState({ description, action }: { description: ReactNode; action?: ReactNode }) {
  return (
    <Empty description={description} data-testid="empty">
      {action}
    </Empty>
  );
}

/** A path the app has no page for. */
export function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title={t('common.notFound')} data-testid="not-found" />;
}
