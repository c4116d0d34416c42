import { Button, Empty, Skeleton } from 'antd';
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
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <span role="alert">
          <strong style={{ display: 'block', marginBottom: 4 }}>
            {notFound ? t('common.notFound') : t('common.loadFailed')}
          </strong>
          <span data-testid="error-message" style={{ color: '#5b6b66' }}>
            {(error as Error)?.message}
          </span>
        </span>
      }
      data-testid="error-state"
    >
      {retry && !notFound && (
        <Button onClick={retry} type="primary">
          {t('common.retry')}
        </Button>
      )}
    </Empty>
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
