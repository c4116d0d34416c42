import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Segmented, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { formatDateTime, formatFen } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';

type HoldPage = paths['/v1/custodian/holds']['get']['responses'][200]['content']['application/json'];
type Hold = HoldPage['items'][number];
type Status = Hold['status'];

const STATUSES: Status[] = ['pending', 'posted', 'voided', 'expired'];
const STATUS_COLOR = { pending: 'blue', posted: 'green', voided: 'purple', expired: 'orange' } as const;

/** formatFen speaks yuan; another ledger (none holds escrow today) shows its minor units and its name. */
const money = (amount: string, ledger: string) => (ledger === 'CNY' ? formatFen(amount) : `${amount} ${ledger}`);

/** What every escrow holds now, per ledger: the server's totals, not a sum of the pages loaded. */
function HeldTotals({ totals }: { totals: HoldPage['totals'] }) {
  const { t } = useTranslation();
  return (
    <div data-testid="held-totals" style={{ display: 'flex', flexWrap: 'wrap', gap: 24, marginBottom: 12 }}>
      {totals.length === 0 ? (
        <Typography.Text type="secondary">{t('console.custodian.holds.nothingHeld')}</Typography.Text>
      ) : (
        totals.map((total) => (
          <div key={total.ledger} data-testid={`held-total-${total.ledger}`}>
            <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
              {t('console.custodian.holds.totalLabel', { ledger: total.ledger })}
            </Typography.Text>
            <Typography.Text strong style={{ fontSize: 20 }}>
              {money(total.amount, total.ledger)}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
              {t('console.custodian.holds.totalCount', { count: total.count })}
            </Typography.Text>
          </div>
        ))
      )}
    </div>
  );
}

/** The escrow holds the server lists for the custodian, by status, twenty at a time. */
export function EscrowHolds({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<Status>('pending');
  const holds = useInfiniteQuery({
    queryKey: ['/v1/custodian/holds', did, status],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/custodian/holds', {
          params: { query: { status, limit: 20, ...(pageParam === undefined ? {} : { after: pageParam }) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = holds.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      {holds.data !== undefined && <HeldTotals totals={holds.data.pages[0]?.totals ?? []} />}
      <Segmented<Status>
        value={status}
        onChange={setStatus}
        options={STATUSES.map((value) => ({ value, label: t(`console.custodian.holds.status.${value}`) }))}
        style={{ marginBottom: 12 }}
        data-testid="hold-status"
      />
      {holds.isPending ? (
        <Loading />
      ) : holds.isError ? (
        <ErrorState error={holds.error} retry={() => void holds.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState description={t(`console.custodian.holds.empty.${status}`)} />
      ) : (
        <Table<Hold>
          rowKey="transferId"
          size="small"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={rows}
          data-testid="escrow-holds"
          columns={[
            {
              title: t('console.custodian.holds.order'),
              key: 'order',
              render: (_: unknown, hold) => (
                <span>
                  {hold.orderId ?? '—'}
                  <Typography.Text code style={{ fontSize: 12, display: 'block' }}>
                    {hold.escrowAccount}
                  </Typography.Text>
                </span>
              ),
            },
            {
              title: t('console.custodian.holds.amount'),
              key: 'amount',
              align: 'right',
              render: (_: unknown, hold) => (
                <span>
                  {money(hold.amount, hold.ledger)}
                  {hold.postedAmount !== null && hold.postedAmount !== hold.amount && (
                    <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                      {t('console.custodian.holds.postedPart', { amount: money(hold.postedAmount, hold.ledger) })}
                    </Typography.Text>
                  )}
                </span>
              ),
            },
            {
              title: t('console.custodian.holds.state'),
              dataIndex: 'status',
              render: (value: Status) => (
                <Tag color={STATUS_COLOR[value]}>{t(`console.custodian.holds.status.${value}`)}</Tag>
              ),
            },
            {
              title: t('console.custodian.holds.heldAt'),
              dataIndex: 'createdAt',
              render: (at: string) => formatDateTime(at, i18n.language),
            },
            {
              title: t(`console.custodian.holds.when.${status}`),
              key: 'when',
              render: (_: unknown, hold) => {
                // An expired hold has no resolving transfer: it ended at its expiry.
                const at = status === 'pending' || status === 'expired' ? hold.expiresAt : hold.resolvedAt;
                return at === null ? t('console.custodian.holds.noExpiry') : formatDateTime(at, i18n.language);
              },
            },
            {
              title: t('console.custodian.holds.reference'),
              dataIndex: 'reference',
              render: (reference: string | null) => (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {reference ?? '—'}
                </Typography.Text>
              ),
            },
          ]}
        />
      )}
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
