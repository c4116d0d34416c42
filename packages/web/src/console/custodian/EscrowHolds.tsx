import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatDateTime, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { type EscrowFates, type EscrowHold, escrowFates, escrowHolds } from './escrow-log';

/** Whether a paid order's escrow is still held, as far as public data tells. */
function fateOf(hold: EscrowHold, fates: EscrowFates | undefined): 'settled' | 'refunded' | 'held' | 'unknown' {
  if (fates === undefined) return 'unknown';
  if (fates.settled.has(hold.orderId)) return 'settled';
  if (fates.refunded.has(hold.orderId)) return 'refunded';
  return 'held';
}

const FATE_COLOR = { settled: 'default', refunded: 'purple', held: 'blue', unknown: 'default' } as const;

/** Paid orders' escrow holds found on the public log, newest first, twenty at a time. */
export function EscrowHolds() {
  const { t, i18n } = useTranslation();
  const holds = useInfiniteQuery({
    queryKey: ['custodian', 'escrow-holds'],
    queryFn: ({ pageParam }) => escrowHolds(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const fates = useQuery({ queryKey: ['custodian', 'escrow-fates'], queryFn: escrowFates });
  if (holds.isPending) return <Loading />;
  if (holds.isError) return <ErrorState error={holds.error} retry={() => void holds.refetch()} />;
  const rows = holds.data.pages.flatMap((page) => page.holds);
  if (rows.length === 0) return <EmptyState description={t('console.custodian.holds.empty')} />;
  const held = rows.filter((hold) => fateOf(hold, fates.data) === 'held');
  // The money part of each order (points paid the rest): what its escrow account received.
  const heldFen = held.reduce(
    (sum, hold) => sum + (hold.totalFen === null ? 0n : BigInt(hold.totalFen) - BigInt(hold.pointsSpent ?? '0')),
    0n,
  );
  return (
    <>
      {fates.isError ? (
        <ErrorState error={fates.error} retry={() => void fates.refetch()} />
      ) : (
        fates.data !== undefined && (
          <Typography.Paragraph data-testid="held-summary">
            {t('console.custodian.holds.summary', {
              count: held.length,
              amount: formatFen(heldFen),
              shown: rows.length,
            })}
          </Typography.Paragraph>
        )
      )}
      <Table<EscrowHold>
        rowKey="orderId"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={rows}
        data-testid="escrow-holds"
        columns={[
          { title: t('console.custodian.holds.order'), dataIndex: 'orderId' },
          {
            title: t('console.custodian.holds.state'),
            key: 'state',
            render: (_: unknown, hold) => {
              const fate = fateOf(hold, fates.data);
              return (
                <Tag color={FATE_COLOR[fate]} data-testid={`fate-${hold.orderId}`}>
                  {t(`console.custodian.holds.fates.${fate}`, { cycle: fates.data?.settled.get(hold.orderId) })}
                </Tag>
              );
            },
          },
          {
            title: t('console.custodian.holds.account'),
            dataIndex: 'account',
            render: (account: string) => (
              <Typography.Text code style={{ fontSize: 12 }}>
                {account}
              </Typography.Text>
            ),
          },
          {
            title: t('console.custodian.holds.amount'),
            key: 'amount',
            render: (_: unknown, hold) =>
              hold.totalFen === null ? (
                '—'
              ) : (
                <span>
                  {formatFen(hold.totalFen)}
                  {hold.pointsSpent !== null && BigInt(hold.pointsSpent) > 0n && (
                    <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                      {t('console.custodian.holds.points', { points: hold.pointsSpent })}
                    </Typography.Text>
                  )}
                </span>
              ),
          },
          {
            title: t('console.custodian.holds.parties'),
            key: 'parties',
            render: (_: unknown, hold) =>
              hold.buyer === null ? (
                '—'
              ) : (
                <span style={{ fontSize: 12 }}>
                  <span title={hold.buyer}>{t('console.custodian.holds.buyer', { did: shortDid(hold.buyer) })}</span>
                  <br />
                  {hold.producer !== null && (
                    <span title={hold.producer}>
                      {t('console.custodian.holds.producer', { did: shortDid(hold.producer) })}
                    </span>
                  )}
                </span>
              ),
          },
          {
            title: t('console.custodian.holds.paidAt'),
            dataIndex: 'paidAt',
            render: (at: string) => formatDateTime(at, i18n.language),
          },
          {
            title: t('console.custodian.holds.onLog'),
            key: 'log',
            render: (_: unknown, hold) => (
              <span>
                <Link href={`/explorer/entries/${hold.paidIndex}`}>#{hold.paidIndex}</Link>
                {hold.placedIndex !== null && (
                  <>
                    {' · '}
                    <Link href={`/explorer/entries/${hold.placedIndex}`}>#{hold.placedIndex}</Link>
                  </>
                )}
              </span>
            ),
          },
        ]}
      />
      {holds.hasNextPage && (
        <Button
          style={{ marginTop: 12 }}
          loading={holds.isFetchingNextPage}
          onClick={() => void holds.fetchNextPage()}
          data-testid="more-holds"
        >
          {t('console.custodian.holds.more')}
        </Button>
      )}
    </>
  );
}
