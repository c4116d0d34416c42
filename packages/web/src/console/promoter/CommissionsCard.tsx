import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { keys } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import type { Session } from '../../session/session-store';
import { formatDate, formatFen } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { useInView } from '../../shared/use-in-view';
import { type Commission, netFen } from './queries';

// ECharts loads with the chart, when its space scrolls into view.
const CommissionsChart = lazy(async () => ({ default: (await import('./CommissionsChart')).CommissionsChart }));

const STATUS_COLOR = { frozen: 'blue', released: 'green', cancelled: 'default' } as const;

function LazyChart({ items }: { items: Commission[] }) {
  const anchor = useRef<HTMLDivElement>(null);
  const visible = useInView(anchor, '0px');
  return (
    <div ref={anchor} style={{ minHeight: 240 }}>
      {visible && (
        <Suspense fallback={<Loading rows={3} />}>
          <CommissionsChart items={items} />
        </Suspense>
      )}
    </div>
  );
}

/** My commissions: totals by state, each one with its dates, and a chart of them over time. */
export function CommissionsCard({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const commissions = useQuery({
    queryKey: keys.commissions(session.did),
    queryFn: () => unwrap(api.GET('/v1/distribution/commissions', { params: { query: { limit: 100 } } })),
  });
  if (commissions.isPending) return <Loading />;
  if (commissions.isError) return <ErrorState error={commissions.error} retry={() => void commissions.refetch()} />;
  const items = commissions.data.items;
  const sum = (status: Commission['status']) =>
    items.filter((c) => c.status === status).reduce((total, c) => total + netFen(c), 0n);
  const lost = items.reduce((total, c) => total + BigInt(c.cancelledFen) + BigInt(c.clawedBackFen), 0n);
  const language = i18n.language;
  return (
    <Card size="small" title={t('console.promoter.commissions.title')} data-testid="promoter-commissions">
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('console.promoter.commissions.frozen')}
          </Typography.Text>
          <div style={{ fontSize: 18, fontWeight: 600 }} data-testid="commissions-frozen-total">
            {formatFen(sum('frozen'))}
          </div>
        </Col>
        <Col xs={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('console.promoter.commissions.released')}
          </Typography.Text>
          <div style={{ fontSize: 18, fontWeight: 600 }} data-testid="commissions-released-total">
            {formatFen(sum('released'))}
          </div>
        </Col>
        <Col xs={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('console.promoter.commissions.lost')}
          </Typography.Text>
          <div style={{ fontSize: 18, fontWeight: 600 }}>{formatFen(lost)}</div>
        </Col>
      </Row>
      {items.length > 0 && <LazyChart items={items} />}
      <Table<Commission>
        size="small"
        rowKey="id"
        dataSource={items}
        pagination={items.length > 10 ? { pageSize: 10 } : false}
        scroll={{ x: 460 }}
        locale={{ emptyText: t('console.promoter.commissions.none') }}
        data-testid="commissions-table"
        columns={[
          {
            title: t('console.promoter.commissions.order'),
            dataIndex: 'orderId',
            render: (orderId: string, c) => (
              <span>
                <span style={{ wordBreak: 'break-all' }}>{orderId}</span>{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                  {t(`console.promoter.commissions.kind.${c.kind}`)} · {(c.rateBps / 100).toFixed(1)}% ·{' '}
                  {formatDate(c.createdAt, language)}
                </Typography.Text>
              </span>
            ),
          },
          {
            title: t('console.promoter.commissions.amount'),
            key: 'amount',
            align: 'right',
            render: (_, c) => (
              <span>
                {formatFen(netFen(c))}
                {netFen(c) !== BigInt(c.amountFen) && (
                  <Typography.Text delete type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {formatFen(c.amountFen)}
                  </Typography.Text>
                )}
              </span>
            ),
          },
          {
            title: t('console.promoter.commissions.status'),
            key: 'status',
            render: (_, c) => (
              <span data-testid={`commission-${c.status}`}>
                <Tag color={STATUS_COLOR[c.status]}>{t(`console.promoter.commissions.state.${c.status}`)}</Tag>
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                  {c.status === 'frozen'
                    ? t('console.promoter.commissions.unfreezes', { date: formatDate(c.frozenUntil, language) })
                    : c.status === 'released' && c.releasedAt
                      ? t('console.promoter.commissions.releasedOn', { date: formatDate(c.releasedAt, language) })
                      : BigInt(c.clawedBackFen) > 0n
                        ? t('console.promoter.commissions.clawedBack', { amount: formatFen(c.clawedBackFen) })
                        : ''}
                </Typography.Text>
              </span>
            ),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.promoter.commissions.rule')}
      </Typography.Paragraph>
    </Card>
  );
}
