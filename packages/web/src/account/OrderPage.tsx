import { ArrowLeftOutlined, CopyOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Tag, Timeline, type TimelineProps, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { api, unwrap } from '../api/client';
import { useSession } from '../session/session-store';
import type { EventReceipt } from '../session/signer';
import { formatDateTime, formatFen, lineTitle, shortDid } from '../shared/format';
import { ErrorState, Loading } from '../shared/states';
import { useIsPhone } from '../shared/use-media';
import { OrderActions } from './OrderActions';
import { keys, type Order, OrderStatusTags, PageTitle, SignInPrompt } from './shared';

const REFUND_COLOR: Record<string, string> = {
  requested: 'gold',
  approved: 'blue',
  refused: 'red',
  refunded: 'purple',
};

/** 13800138001 → 138****8001: the buyer's own, but a screen is often seen by others. */
const maskPhone = (phone: string): string => phone.replace(/^(\+?\d{3})\d{4}(\d{4})$/, '$1****$2');

/** What happens next, in one sentence: who is waiting for whom, and until when. */
function nextStep(order: Order, t: (key: string, options?: Record<string, unknown>) => string, language: string) {
  const at = (iso: string | null) => (iso === null ? '' : formatDateTime(iso, language));
  switch (order.status) {
    case 'created':
      return t('account.order.next.created', { at: at(order.payBy) });
    case 'paid':
      return t('account.order.next.paid');
    case 'shipped':
      return order.deliverBy === null
        ? t('account.order.next.shippedNoDate')
        : t('account.order.next.shipped', { at: at(order.deliverBy) });
    case 'delivered':
      return order.returnWindowEnds === null
        ? t('account.order.next.deliveredNoDate')
        : t('account.order.next.delivered', { at: at(order.returnWindowEnds) });
    case 'completed':
      return t('account.order.next.completed');
    case 'cancelled':
      return t(`account.order.next.cancelled.${order.cancelReason ?? 'buyer'}`, {
        defaultValue: t('account.order.next.cancelled.buyer'),
      });
    case 'refunded':
      return t('account.order.next.refunded');
  }
}

/** The order's life so far, oldest first, and what it waits for now. */
function lifeCycle(order: Order, t: (key: string) => string, language: string) {
  const events: { at: string; label: ReactNode; color?: string }[] = [];
  const add = (at: string | null, label: ReactNode, color?: string) => {
    if (at !== null) events.push({ at, label, ...(color ? { color } : {}) });
  };
  add(order.createdAt, t('account.timeline.created'));
  add(order.paidAt, t('account.timeline.paid'));
  add(
    order.shippedAt,
    order.carrier ? `${t('account.timeline.shipped')} · ${order.carrier}` : t('account.timeline.shipped'),
  );
  add(order.deliveredAt, t('account.timeline.delivered'), 'green');
  add(order.completedAt, t('account.timeline.completed'), 'green');
  add(order.cancelledAt, t('account.timeline.cancelled'), 'gray');
  for (const refund of order.refunds ?? []) {
    add(
      refund.createdAt,
      `${t('account.timeline.refundRequested')} ${formatFen(refund.amountFen)} · ${t(`account.refund.status.${refund.status}`)}`,
      refund.status === 'refused' ? 'red' : 'purple',
    );
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  const items: NonNullable<TimelineProps['items']> = events.map((event) => ({
    content: (
      <div>
        <div>{event.label}</div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatDateTime(event.at, language)}
        </Typography.Text>
      </div>
    ),
    ...(event.color ? { color: event.color } : {}),
  }));
  const waiting: Partial<Record<Order['status'], string>> = {
    created: t('account.timeline.waitPayment'),
    paid: t('account.timeline.waitShipping'),
    shipped: t('account.timeline.waitDelivery'),
    delivered: t('account.timeline.waitReturnWindow'),
  };
  const pending = waiting[order.status];
  if (pending !== undefined) {
    items.push({ content: <Typography.Text type="secondary">{pending}</Typography.Text>, loading: true });
  }
  return items;
}

function Section({ title, children, extra }: { title: ReactNode; children: ReactNode; extra?: ReactNode }) {
  return (
    <Card size="small" title={title} extra={extra} style={{ marginBottom: 12 }}>
      {children}
    </Card>
  );
}

/** One of my orders: what I bought, what I paid, where it is, and what I can do about it now. */
export function OrderPage() {
  const { id = '' } = useParams<{ id: string }>();
  const { t, i18n } = useTranslation();
  const session = useSession();
  const phone = useIsPhone();
  const [done, setDone] = useState<{ what: string; receipt: EventReceipt | null } | null>(null);
  const order = useQuery({
    queryKey: keys.order(session?.did ?? '', id),
    queryFn: () => unwrap(api.GET('/v1/orders/{id}', { params: { path: { id } } })),
    enabled: session !== null && id !== '',
  });

  if (session === null) return <SignInPrompt next={`/orders/${id}`} text={t('account.orders.signIn')} />;
  if (order.isPending) return <Loading rows={8} />;
  if (order.isError) return <ErrorState error={order.error} retry={() => void order.refetch()} />;

  const data = order.data;
  const language = i18n.language;
  const pointsUsed = BigInt(data.pointsSpent) > 0n;
  const refunded = BigInt(data.refundedFen) > 0n;

  return (
    <div data-testid="order-page" style={{ maxWidth: 760, margin: '0 auto' }}>
      <PageTitle
        extra={
          <Link href="/orders">
            <Button icon={<ArrowLeftOutlined />} type="text">
              {t('account.order.allOrders')}
            </Button>
          </Link>
        }
      >
        {t('account.order.title')}
      </PageTitle>

      <Card style={{ marginBottom: 12 }} styles={{ body: { padding: phone ? 14 : 20 } }}>
        <OrderStatusTags order={data} testId="order-status" large />
        <Typography.Paragraph style={{ margin: '8px 0 12px' }} data-testid="order-next">
          {nextStep(data, t, language)}
        </Typography.Paragraph>
        {done !== null && (
          <Alert
            type="success"
            showIcon
            closable={{ onClose: () => setDone(null) }}
            style={{ marginBottom: 12 }}
            data-testid="action-done"
            title={t(`account.done.${done.what}`)}
            description={
              done.receipt?.logIndex !== undefined ? (
                <Link href={`/explorer/entries/${done.receipt.logIndex}`}>
                  {t('account.done.onLog', { index: done.receipt.logIndex })}
                </Link>
              ) : undefined
            }
          />
        )}
        <OrderActions order={data} did={session.did} onDone={(what, receipt) => setDone({ what, receipt })} />
      </Card>

      <Section title={t('account.order.items')}>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
          {data.lines.map((line) => (
            <div
              key={line.position}
              style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}
              data-testid={`order-line-${line.position}`}
            >
              <div style={{ flex: 1, minWidth: 0 }}>
                <Link href={`/products/${encodeURIComponent(line.productId)}`}>{lineTitle(line, language)}</Link>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatFen(line.unitPriceFen)} × {line.quantity}
                  </Typography.Text>
                  {line.refundedQuantity > 0 && (
                    <Tag color="purple" style={{ marginInlineStart: 8 }}>
                      {t('account.order.refundedQty', { count: line.refundedQuantity })}
                    </Tag>
                  )}
                </div>
              </div>
              <span>{formatFen(BigInt(line.unitPriceFen) * BigInt(line.quantity))}</span>
            </div>
          ))}
        </div>
      </Section>

      <Section title={t('account.order.amounts')}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('account.order.total')}>{formatFen(data.totalFen)}</Descriptions.Item>
          {pointsUsed && (
            <Descriptions.Item label={t('account.order.pointsUsed', { points: data.pointsSpent })}>
              {formatFen(-BigInt(data.pointsFen))}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('account.order.paidAmount')}>
            <strong data-testid="order-paid">{formatFen(data.moneyFen)}</strong>
          </Descriptions.Item>
          {refunded && (
            <Descriptions.Item label={t('account.order.refunded')}>
              <span data-testid="order-refunded">{formatFen(data.refundedFen)}</span>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Section>

      {(data.refunds ?? []).length > 0 && (
        <Section title={t('account.order.refunds')}>
          <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }} data-testid="order-refunds">
            {(data.refunds ?? []).map((refund) => (
              <div key={refund.refundId}>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                  <Tag color={REFUND_COLOR[refund.status] ?? 'default'}>
                    {t(`account.refund.status.${refund.status}`, { defaultValue: refund.status })}
                  </Tag>
                  <strong>{formatFen(refund.amountFen)}</strong>
                </div>
                <Typography.Paragraph style={{ margin: '4px 0 0' }}>
                  {t('account.refund.reasonLabel')}
                  {refund.reason}
                </Typography.Paragraph>
                {refund.decisionReason && (
                  <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
                    {t('account.refund.answer')}
                    {refund.decisionReason}
                  </Typography.Paragraph>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(refund.createdAt, language)}
                </Typography.Text>
              </div>
            ))}
          </div>
        </Section>
      )}

      {(data.shippedAt !== null || data.shipping !== undefined) && (
        <Section title={t('account.order.shipping')}>
          <Descriptions column={1} size="small">
            {data.carrier && (
              <Descriptions.Item label={t('account.order.carrier')}>
                <span data-testid="order-carrier">{data.carrier}</span>
              </Descriptions.Item>
            )}
            {data.trackingNumber && (
              <Descriptions.Item label={t('account.order.tracking')}>
                <Typography.Text
                  copyable={{ icon: <CopyOutlined />, tooltips: [t('common.copy'), t('common.copied')] }}
                  data-testid="order-tracking"
                >
                  {data.trackingNumber}
                </Typography.Text>
              </Descriptions.Item>
            )}
            {data.shipping && (
              <Descriptions.Item label={t('account.order.address')}>
                {data.shipping.recipient} {maskPhone(data.shipping.phone)}
                <br />
                {data.shipping.region} {data.shipping.detail}
              </Descriptions.Item>
            )}
          </Descriptions>
        </Section>
      )}

      <Section title={t('account.order.timeline')}>
        <Timeline items={lifeCycle(data, t, language)} data-testid="order-timeline" />
      </Section>

      <Section title={t('account.order.details')}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('account.order.number')}>
            <Typography.Text copyable={{ tooltips: [t('common.copy'), t('common.copied')] }}>{data.id}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('account.order.producer')}>
            <Typography.Text title={data.producer}>{shortDid(data.producer)}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('account.order.placedAt')}>
            {formatDateTime(data.createdAt, language)}
          </Descriptions.Item>
          <Descriptions.Item label={t('account.order.policy')}>
            <Typography.Text code title={data.policyHash} style={{ fontSize: 12 }}>
              {data.policyHash.slice(0, 12)}…
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('account.order.onLog')} <Link href="/explorer">{t('nav.explorer')}</Link>
        </Typography.Paragraph>
      </Section>
    </div>
  );
}
