import { useQuery } from '@tanstack/react-query';
import { Button, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { formatDate, formatFen } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { CycleResult } from './CycleResult';
import { ActButton, type Cycle, Section } from './shared';

const GmvChart = lazy(async () => ({ default: (await import('./CycleCharts')).GmvChart }));
const KEY = '/v1/settlement/cycles';

/** Settlement cycles: the open one, closing one that ended, and each closed one's result and charts. */
export function Cycles() {
  const { t, i18n } = useTranslation();
  const cycles = useQuery({
    queryKey: [KEY, 'list'],
    queryFn: () => unwrap(api.GET('/v1/settlement/cycles', { params: { query: { limit: 100 } } })),
  });
  const [toClose, setToClose] = useState<number | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);

  if (cycles.isPending) return <Loading />;
  if (cycles.isError) return <ErrorState error={cycles.error} retry={() => void cycles.refetch()} />;
  const { current, items } = cycles.data;
  const closed = items.filter((c) => c.status === 'closed');
  const lastEnded = current - 1;
  const target = toClose ?? lastEnded;
  const shown = chosen ?? closed.find((c) => (c.leaves ?? 0) > 0)?.cycle ?? items[0]?.cycle ?? null;

  return (
    <>
      <Section title={t('console.operator.cycles.closeTitle')} text={t('console.operator.cycles.closeText')}>
        <Typography.Paragraph>
          {t('console.operator.cycles.current', { cycle: current })}{' '}
          {items.some((c) => c.cycle === lastEnded) ? (
            <Tag color="green">{t('console.operator.cycles.lastClosed', { cycle: lastEnded })}</Tag>
          ) : (
            <Tag color="gold" data-testid="ended-unclosed">
              {t('console.operator.cycles.lastOpen', { cycle: lastEnded })}
            </Tag>
          )}
        </Typography.Paragraph>
        <Space wrap align="start">
          <InputNumber
            min={0}
            max={lastEnded}
            precision={0}
            value={target}
            onChange={(value) => setToClose(typeof value === 'number' ? value : null)}
            aria-label={t('console.operator.cycles.cycleToClose')}
            data-testid="cycle-to-close"
          />
          <ActButton
            type="primary"
            label={t('console.operator.cycles.close', { cycle: target })}
            confirm={t('console.operator.cycles.closeConfirm', { cycle: target })}
            act={() => unwrap(api.POST('/v1/settlement/cycles/{cycle}/close', { params: { path: { cycle: target } } }))}
            refresh={[KEY]}
            onDone={() => setChosen(target)}
            data-testid="close-cycle"
          />
        </Space>
      </Section>

      <Section title={t('console.operator.cycles.title')} text={t('console.operator.cycles.text')}>
        {items.length === 0 ? (
          <EmptyState description={t('console.operator.cycles.empty')} />
        ) : (
          <>
            {closed.length > 0 && (
              <Suspense fallback={<Loading rows={3} />}>
                <GmvChart cycles={closed} />
              </Suspense>
            )}
            <Table<Cycle>
              rowKey="cycle"
              size="small"
              scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              dataSource={items}
              data-testid="cycles"
              rowClassName={(c) => (c.cycle === shown ? 'ant-table-row-selected' : '')}
              columns={[
                { title: t('console.operator.cycles.cycle'), dataIndex: 'cycle' },
                {
                  title: t('console.operator.cycles.window'),
                  key: 'window',
                  render: (_: unknown, c) =>
                    `${formatDate(c.startsAt, i18n.language)} – ${formatDate(c.endsAt, i18n.language)}`,
                },
                {
                  title: t('console.operator.cycles.status'),
                  dataIndex: 'status',
                  render: (status: Cycle['status']) => (
                    <Tag color={status === 'closed' ? 'green' : 'gold'}>
                      {t(`console.operator.cycles.statuses.${status}`)}
                    </Tag>
                  ),
                },
                { title: t('console.operator.cycles.orders'), dataIndex: 'orders' },
                {
                  title: t('console.operator.cycles.gmv'),
                  dataIndex: 'paidFen',
                  render: (fen: string) => formatFen(fen),
                },
                {
                  title: t('console.operator.cycles.leaves'),
                  dataIndex: 'leaves',
                  render: (n: number | null) => n ?? '—',
                },
                {
                  title: '',
                  key: 'open',
                  render: (_: unknown, c) => (
                    <Button size="small" onClick={() => setChosen(c.cycle)} data-testid={`show-cycle-${c.cycle}`}>
                      {t('console.operator.cycles.show')}
                    </Button>
                  ),
                },
              ]}
            />
          </>
        )}
      </Section>

      {shown !== null && (
        <Section title={t('console.operator.cycles.result', { cycle: shown })}>
          <CycleResult key={shown} cycle={shown} />
        </Section>
      )}
    </>
  );
}
