import { Badge, Button, Card, Descriptions, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { useReadiness } from '../api/health';

export function HealthCard() {
  const { t, i18n } = useTranslation();
  const readiness = useReadiness();
  const state = readiness.isPending ? 'checking' : readiness.isError ? 'down' : 'ok';
  const badge = { checking: 'processing', down: 'error', ok: 'success' } as const;
  return (
    <Card
      title={t('health.title')}
      extra={
        <Button size="small" onClick={() => void readiness.refetch()} loading={readiness.isFetching}>
          {t('health.retry')}
        </Button>
      }
    >
      <Badge status={badge[state]} text={<span data-testid="health-status">{t(`health.${state}`)}</span>} />
      {readiness.isPending ? (
        <Skeleton active paragraph={{ rows: 1 }} title={false} style={{ marginTop: 12 }} />
      ) : (
        <Descriptions column={1} size="small" style={{ marginTop: 12 }}>
          {readiness.data && (
            <Descriptions.Item label={t('health.database')}>
              <span data-testid="health-database">{t(`health.${readiness.data.database}`)}</span>
            </Descriptions.Item>
          )}
          {readiness.error && (
            <Descriptions.Item label="error">
              <span data-testid="health-error">{readiness.error.message}</span>
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('health.checkedAt')}>
            {new Date(readiness.dataUpdatedAt || readiness.errorUpdatedAt).toLocaleTimeString(i18n.language)}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
