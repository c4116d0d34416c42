import { FieldTimeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, type ButtonProps, Popconfirm, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { formatDateTime } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { errorText, Section } from '../operator/shared';

const DAY_MS = 86_400_000;
/** A day, a juror's commit window, a week (a settlement cycle, a return window), a tester's commit window and more. */
const STEPS = [1, 3, 7, 15] as const;

/**
 * The sandbox's clock, for its operator: the platform's time and a way to move it forward, so that
 * a demo can reach what waits for days. Shown only when the server runs a sandbox clock.
 */
export function SandboxClock() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const clock = useQuery({ queryKey: ['/v1/clock'], queryFn: () => unwrap(api.GET('/v1/clock')) });
  const move = useMutation({
    mutationFn: (days: number) => {
      const now = Date.parse(clock.data?.now ?? new Date().toISOString());
      return unwrap(api.POST('/v1/sandbox/clock', { body: { to: new Date(now + days * DAY_MS).toISOString() } }));
    },
    // Deadlines, windows and cycles all read the platform's time: everything shown may have changed.
    onSuccess: () => queryClient.invalidateQueries(),
  });

  if (clock.data === undefined || !clock.data.sandbox) return null;
  const aheadDays = Math.round((clock.data.aheadMs / DAY_MS) * 10) / 10;
  return (
    <Section
      title={
        <>
          <FieldTimeOutlined /> {t('console.sandbox.title')}
        </>
      }
      text={t('console.sandbox.text')}
    >
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong data-testid="sandbox-now">
          {t('console.sandbox.now', { time: formatDateTime(clock.data.now, i18n.language) })}
        </Typography.Text>
        <Tag color={aheadDays > 0 ? 'purple' : 'default'} data-testid="sandbox-ahead">
          {aheadDays > 0 ? t('console.sandbox.ahead', { days: aheadDays }) : t('console.sandbox.real')}
        </Tag>
      </Space>
      <Space wrap>
        {STEPS.map((days) => (
          <Popconfirm
            key={days}
            title={t('console.sandbox.confirm', { count: days })}
            okText={t('common.confirm')}
            cancelText={t('common.cancel')}
            onConfirm={() => move.mutateAsync(days).catch(() => undefined)}
            okButtonProps={{ 'data-testid': 'confirm-ok' } as ButtonProps}
          >
            <Button loading={move.isPending && move.variables === days} data-testid={`sandbox-forward-${days}`}>
              {t('console.sandbox.forward', { count: days })}
            </Button>
          </Popconfirm>
        ))}
      </Space>
      <MutationError mutation={move} text={errorText} style={{ marginTop: 8 }} testId="action-error" />
      {move.isSuccess && (
        <Alert
          type="success"
          showIcon
          title={t('console.sandbox.moved', { time: formatDateTime(move.data.now, i18n.language) })}
          style={{ marginTop: 8 }}
          data-testid="sandbox-moved"
        />
      )}
    </Section>
  );
}
