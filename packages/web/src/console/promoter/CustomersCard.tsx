import { UserOutlined } from '@ant-design/icons';
import { Button, Card, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../session/session-store';
import { formatDate, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { type Customer, useCustomers } from './queries';

/**
 * The customers bound to me: who (the name they chose, else a short DID), since when and by which
 * link, what they ordered through me and what I earned on it.
 */
export function CustomersCard({ session, titles }: { session: Session; titles: Map<string, string> }) {
  const { t, i18n } = useTranslation();
  const customers = useCustomers(session.did);
  const language = i18n.language;
  const title = (
    <span>
      <UserOutlined /> {t('console.promoter.customers.title')}
    </span>
  );
  if (customers.isPending) return <Loading />;
  if (customers.isError) return <ErrorState error={customers.error} retry={() => void customers.refetch()} />;
  const items = customers.data.pages.flatMap((page) => page.items);
  const via = (link: NonNullable<Customer['link']>) => {
    const kind = t(`console.promoter.links.kind.${link.kind}`);
    const product = link.productId === null ? undefined : (titles.get(link.productId) ?? link.productId);
    return product === undefined ? kind : `${kind} · ${product}`;
  };
  return (
    <Card size="small" title={title} data-testid="promoter-customers">
      {items.length === 0 ? (
        <EmptyState description={t('console.promoter.customers.none')} />
      ) : (
        <Table<Customer>
          size="small"
          rowKey="did"
          dataSource={items}
          pagination={false}
          scroll={{ x: 420 }}
          data-testid="customers-table"
          columns={[
            {
              title: t('console.promoter.customers.who'),
              key: 'who',
              render: (_, c) => (
                <span>
                  <span title={c.did}>{c.displayName ?? shortDid(c.did)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                    {t('console.promoter.customers.since', { date: formatDate(c.boundAt, language) })}
                    {c.boundUntil !== null &&
                      ` · ${t('console.promoter.customers.until', { date: formatDate(c.boundUntil, language) })}`}
                  </Typography.Text>
                  {c.link !== null && <Tag style={{ marginTop: 2 }}>{via(c.link)}</Tag>}
                </span>
              ),
            },
            {
              title: t('console.promoter.customers.orders'),
              dataIndex: 'completedOrders',
              align: 'right',
            },
            {
              title: t('console.promoter.customers.commission'),
              dataIndex: 'commissionFen',
              align: 'right',
              render: (fen: string) => formatFen(fen),
            },
          ]}
        />
      )}
      {customers.hasNextPage && (
        <Button
          type="link"
          onClick={() => void customers.fetchNextPage()}
          loading={customers.isFetchingNextPage}
          style={{ paddingInline: 0 }}
          data-testid="customers-more"
        >
          {t('common.loadMore')}
        </Button>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.promoter.customers.privacy')}
      </Typography.Paragraph>
    </Card>
  );
}
