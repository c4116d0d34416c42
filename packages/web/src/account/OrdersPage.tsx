import { RightOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearch } from 'wouter';
import { api, unwrap } from '../api/client';
import { useSession } from '../session/session-store';
import { formatDate, formatFen } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { keys, type Order, type OrderStatus, OrderStatusTags, orderTitle, PageTitle, SignInPrompt } from './shared';

const FILTERS = ['all', 'created', 'paid', 'shipped', 'delivered', 'completed', 'refunded', 'cancelled'] as const;
type Filter = (typeof FILTERS)[number];
const PAGE_SIZE = 10;

function OrderCard({ order }: { order: Order }) {
  const { t, i18n } = useTranslation();
  const pieces = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <Link
      href={`/orders/${encodeURIComponent(order.id)}`}
      data-testid={`order-card-${order.id}`}
      aria-label={`${orderTitle(order, t, i18n.language)} · ${t(`account.status.${order.status}`)}`}
      style={{ display: 'block', color: 'inherit' }}
    >
      <Card size="small" hoverable styles={{ body: { padding: 12 } }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatDate(order.createdAt, i18n.language)}
          </Typography.Text>
          <OrderStatusTags order={order} />
        </div>
        <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginTop: 8 }}>
          <div style={{ flex: 1, minWidth: 0 }}>
            <Typography.Text strong ellipsis style={{ display: 'block', fontSize: 15 }}>
              {orderTitle(order, t, i18n.language)}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('account.orders.pieces', { count: pieces })}
            </Typography.Text>
          </div>
          <div style={{ textAlign: 'end' }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('account.order.paidAmount')}
            </Typography.Text>
            <div style={{ fontSize: 16, fontWeight: 600 }}>{formatFen(order.moneyFen)}</div>
          </div>
          <RightOutlined aria-hidden style={{ color: '#bbb' }} />
        </div>
      </Card>
    </Link>
  );
}

/** My orders as a buyer, newest first, by status, a page at a time. */
export function OrdersPage() {
  const { t } = useTranslation();
  const session = useSession();
  const search = useSearch();
  const [, navigate] = useLocation();
  const wanted = new URLSearchParams(search).get('status');
  const filter: Filter = FILTERS.includes(wanted as Filter) ? (wanted as Filter) : 'all';
  const status = filter === 'all' ? undefined : (filter as OrderStatus);

  const orders = useInfiniteQuery({
    queryKey: [...keys.orders(session?.did ?? ''), 'list', filter],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/orders', {
          params: {
            query: {
              as: 'buyer',
              limit: PAGE_SIZE,
              ...(status ? { status } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: session !== null,
  });

  if (session === null) {
    return <SignInPrompt next={search === '' ? '/orders' : `/orders?${search}`} text={t('account.orders.signIn')} />;
  }

  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div data-testid="orders-page" style={{ maxWidth: 760, margin: '0 auto' }}>
      <PageTitle>{t('account.orders.title')}</PageTitle>
      <Tabs
        activeKey={filter}
        onChange={(key) => navigate(key === 'all' ? '/orders' : `/orders?status=${key}`, { replace: true })}
        items={FILTERS.map((key) => ({ key, label: t(`account.orders.filter.${key}`) }))}
        size="small"
        style={{ marginBottom: 4 }}
      />
      {orders.isPending ? (
        <Loading />
      ) : orders.isError ? (
        <ErrorState error={orders.error} retry={() => void orders.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          description={filter === 'all' ? t('account.orders.empty') : t('account.orders.emptyFiltered')}
          action={
            <Link href="/">
              <Button type="primary">{t('account.orders.goShopping')}</Button>
            </Link>
          }
        />
      ) : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }} data-testid="orders-list">
          {items.map((order) => (
            <OrderCard key={order.id} order={order} />
          ))}
          {orders.hasNextPage ? (
            <Button
              block
              onClick={() => void orders.fetchNextPage()}
              loading={orders.isFetchingNextPage}
              data-testid="orders-more"
            >
              {t('common.loadMore')}
            </Button>
          ) : (
            <Typography.Text type="secondary" style={{ textAlign: 'center', fontSize: 12, padding: 8 }}>
              {t('account.orders.end')}
            </Typography.Text>
          )}
        </div>
      )}
    </div>
  );
}
