import { StarFilled } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, List, Modal, Segmented, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { formatDateTime, formatFen, lineTitle, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ActionNote, DoneNote, envelope, keys, type ProducerOrder, Section, submit } from './shared';

const STATUSES = ['paid', 'shipped', 'delivered', 'completed', 'refunded', 'cancelled', 'all'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_COLOR: Record<string, string> = {
  created: 'orange',
  paid: 'blue',
  shipped: 'cyan',
  delivered: 'green',
  completed: 'default',
  cancelled: 'default',
  refunded: 'purple',
};
const CARRIERS = ['顺丰速运', '京东物流', '中通快递', '圆通速递', 'EMS'];

const openRefund = (order: ProducerOrder) => (order.refunds ?? []).find((r) => r.status === 'requested');

function ShipDialog({
  order,
  onClose,
  onDone,
}: {
  order: ProducerOrder;
  onClose: () => void;
  onDone: (logIndex: string) => void;
}) {
  const { t } = useTranslation();
  const [key] = useState(() => idempotencyKey('ship'));
  const ship = useMutation({
    mutationFn: async (values: { carrier: string; trackingNumber: string }) => {
      const signed = await envelope('orders.order.shipped', { orderId: order.id, carrier: values.carrier.trim() }, key);
      return unwrap(
        api.POST('/v1/orders/{id}/shipment', {
          params: { path: { id: order.id } },
          body: { envelope: signed as never, trackingNumber: values.trackingNumber.trim() },
        }),
      );
    },
    onSuccess: (receipt) => onDone(receipt.logIndex),
  });
  return (
    <Modal
      open
      title={t('console.producer.orders.shipTitle', { id: order.id })}
      onCancel={onClose}
      okText={t('console.producer.orders.shipSubmit')}
      cancelText={t('console.producer.cancel')}
      okButtonProps={
        { loading: ship.isPending, htmlType: 'submit', form: 'ship-form', 'data-testid': 'ship-submit' } as never
      }
      destroyOnHidden
    >
      <Form
        id="ship-form"
        layout="vertical"
        initialValues={{ carrier: CARRIERS[0] }}
        onFinish={(values) => ship.mutate(values)}
      >
        <Form.Item
          name="carrier"
          label={t('console.producer.orders.carrier')}
          rules={[{ required: true, whitespace: true, max: 40 }]}
        >
          <Select data-testid="ship-carrier" options={CARRIERS.map((c) => ({ value: c, label: c }))} showSearch />
        </Form.Item>
        <Form.Item
          name="trackingNumber"
          label={t('console.producer.orders.tracking')}
          extra={t('console.producer.orders.trackingPrivate')}
          rules={[{ required: true, whitespace: true, message: t('console.producer.form.required') }, { max: 64 }]}
        >
          <Input data-testid="ship-tracking" autoComplete="off" />
        </Form.Item>
        {order.shipping && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('console.producer.orders.shipTo')} {order.shipping.recipient} · {order.shipping.region}{' '}
            {order.shipping.detail}
          </Typography.Paragraph>
        )}
        <ActionNote error={ship.error} testId="ship-error" />
      </Form>
    </Modal>
  );
}

function RefundDialog({
  order,
  approve,
  onClose,
  onDone,
}: {
  order: ProducerOrder;
  approve: boolean;
  onClose: () => void;
  onDone: (logIndex: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const refund = openRefund(order);
  const [key] = useState(() => idempotencyKey('refund-decision'));
  const decide = useMutation({
    mutationFn: ({ refundId, reason }: { refundId: string; reason: string | undefined }) =>
      submit(
        approve ? 'orders.refund.approved' : 'orders.refund.refused',
        { orderId: order.id, refundId, ...(reason ? { reason } : {}) },
        key,
      ),
    onSuccess: (receipt) => onDone(receipt.logIndex),
  });
  if (refund === undefined) return null;
  return (
    <Modal
      open
      title={t(approve ? 'console.producer.orders.approveTitle' : 'console.producer.orders.refuseTitle')}
      onCancel={onClose}
      okText={t(approve ? 'console.producer.orders.approve' : 'console.producer.orders.refuse')}
      cancelText={t('console.producer.cancel')}
      okButtonProps={
        {
          loading: decide.isPending,
          danger: !approve,
          htmlType: 'submit',
          form: 'refund-decision',
          'data-testid': 'refund-decide',
        } as never
      }
      destroyOnHidden
    >
      <Typography.Paragraph>
        {t('console.producer.orders.refundAsked', { amount: formatFen(refund.amountFen) })}
        <br />
        <Typography.Text type="secondary">{refund.reason}</Typography.Text>
      </Typography.Paragraph>
      {approve && (
        <Typography.Paragraph type="secondary">{t('console.producer.orders.approveText')}</Typography.Paragraph>
      )}
      <Form
        id="refund-decision"
        layout="vertical"
        onFinish={(values: { reason?: string }) =>
          decide.mutate({ refundId: refund.refundId, reason: values.reason?.trim() })
        }
      >
        <Form.Item
          name="reason"
          label={t('console.producer.orders.reason')}
          rules={
            approve
              ? [{ max: 500 }]
              : [
                  { required: true, whitespace: true, message: t('console.producer.orders.reasonRequired') },
                  { max: 500 },
                ]
          }
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="refund-reason" />
        </Form.Item>
        <ActionNote error={decide.error} testId="refund-error" />
      </Form>
    </Modal>
  );
}

function Ratings({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const ratings = useQuery({
    queryKey: keys.ratings(did),
    queryFn: () => unwrap(api.GET('/v1/supplier/ratings', { params: { query: { limit: 10 } } })),
  });
  return (
    <Section title={t('console.producer.ratings.title')} testId="producer-ratings">
      {ratings.isPending ? (
        <Loading rows={2} />
      ) : ratings.isError ? (
        <ErrorState error={ratings.error} retry={() => void ratings.refetch()} />
      ) : ratings.data.count === 0 ? (
        <EmptyState description={t('console.producer.ratings.empty')} />
      ) : (
        <>
          <Typography.Paragraph>
            <StarFilled style={{ color: '#faad14' }} />{' '}
            <strong data-testid="rating-average">{(ratings.data.averageHundredths / 100).toFixed(2)}</strong>{' '}
            {t('console.producer.ratings.count', { count: ratings.data.count })}
          </Typography.Paragraph>
          {ratings.data.averageHundredths < 450 && (
            <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={t('console.producer.ratings.low')} />
          )}
          <Space wrap>
            {ratings.data.recent.map((r) => (
              <Tag key={r.orderId}>
                {'★'.repeat(r.stars)} · {r.orderId} · {formatDateTime(r.createdAt, i18n.language)}
              </Tag>
            ))}
          </Space>
          {ratings.data.cuts.length > 0 && (
            <Typography.Paragraph type="danger" style={{ marginTop: 8 }}>
              {t('console.producer.ratings.cuts', {
                amount: formatFen(ratings.data.cuts.reduce((sum, c) => sum + BigInt(c.amountFen), 0n)),
              })}
            </Typography.Paragraph>
          )}
        </>
      )}
    </Section>
  );
}

const REFUNDABLE = new Set(['paid', 'shipped', 'delivered', 'completed']);

/** One order; a refundable one is read in full (the list leaves refunds and the address out). */
function OrderRow({
  order: listed,
  did,
  onAction,
}: {
  order: ProducerOrder;
  did: string;
  onAction: (order: ProducerOrder, kind: 'ship' | 'approve' | 'refuse') => void;
}) {
  const { t, i18n } = useTranslation();
  const full = useQuery({
    queryKey: ['/v1/orders', did, 'producer', 'one', listed.id, listed.status],
    queryFn: () => unwrap(api.GET('/v1/orders/{id}', { params: { path: { id: listed.id } } })),
    enabled: REFUNDABLE.has(listed.status),
  });
  const order: ProducerOrder = full.data ?? listed;
  const refund = openRefund(order);
  return (
    <List.Item data-testid={`producer-order-${order.id}`} style={{ flexWrap: 'wrap', gap: 8 }}>
      <div style={{ flex: '1 1 320px', minWidth: 0 }}>
        <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', alignItems: 'center' }}>
          <strong>{order.id}</strong>
          <Tag color={STATUS_COLOR[order.status]} style={{ marginInlineEnd: 0 }} data-testid="order-status">
            {t(`console.producer.orders.status.${order.status}`)}
          </Tag>
          {refund && (
            <Tag color="gold" style={{ marginInlineEnd: 0 }}>
              {t('console.producer.orders.refundOpen')}
            </Tag>
          )}
        </div>
        <div>
          {order.lines.map((line) => (
            <div key={line.position} style={{ fontSize: 13 }}>
              {lineTitle(line, i18n.language)} · {formatFen(line.unitPriceFen)} × {line.quantity}
              {line.refundedQuantity > 0 &&
                ` (${t('console.producer.orders.refunded', { count: line.refundedQuantity })})`}
            </div>
          ))}
        </div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatFen(order.totalFen)} · {t('console.producer.orders.buyer')} {shortDid(order.buyer)} ·{' '}
          {formatDateTime(order.createdAt, i18n.language)}
          {order.carrier && ` · ${order.carrier} ${order.trackingNumber ?? ''}`}
        </Typography.Text>
        {refund && (
          <div style={{ fontSize: 13, marginTop: 4 }}>
            {t('console.producer.orders.refundAsked', { amount: formatFen(refund.amountFen) })} {refund.reason}
          </div>
        )}
      </div>
      <Space wrap size={4}>
        {order.status === 'paid' && !refund && (
          <Button type="primary" size="small" onClick={() => onAction(order, 'ship')} data-testid="order-ship">
            {t('console.producer.orders.ship')}
          </Button>
        )}
        {refund && (
          <>
            <Button size="small" type="primary" onClick={() => onAction(order, 'approve')} data-testid="refund-approve">
              {t('console.producer.orders.approve')}
            </Button>
            <Button size="small" danger onClick={() => onAction(order, 'refuse')} data-testid="refund-refuse">
              {t('console.producer.orders.refuse')}
            </Button>
          </>
        )}
      </Space>
    </List.Item>
  );
}

/** Orders of my products by status: ship the paid ones, decide refund requests; my ratings. */
export function OrdersTab({ did }: { did: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [status, setStatus] = useState<Status>('paid');
  const [dialog, setDialog] = useState<{ order: ProducerOrder; kind: 'ship' | 'approve' | 'refuse' } | null>(null);
  const [done, setDone] = useState<{ text: string; logIndex?: string } | null>(null);
  const orders = useQuery({
    queryKey: keys.orders(did, status),
    queryFn: () =>
      unwrap(
        api.GET('/v1/orders', {
          params: { query: { as: 'producer', limit: 50, ...(status === 'all' ? {} : { status }) } },
        }),
      ),
  });
  const finished = (text: string, logIndex: string | undefined) => {
    setDialog(null);
    setDone({ text, ...(logIndex === undefined ? {} : { logIndex }) });
    void client.invalidateQueries({ queryKey: ['/v1/orders', did, 'producer'] });
  };
  const items = orders.data?.items ?? [];
  return (
    <div data-testid="producer-orders">
      {done !== null && (
        <DoneNote
          text={done.text}
          {...(done.logIndex ? { logIndex: done.logIndex } : {})}
          onClose={() => setDone(null)}
        />
      )}
      <Section title={t('console.producer.orders.title')}>
        <Segmented
          value={status}
          onChange={(value) => setStatus(value as Status)}
          options={STATUSES.map((s) => ({ value: s, label: t(`console.producer.orders.status.${s}`) }))}
          style={{ marginBottom: 12, maxWidth: '100%', overflowX: 'auto' }}
          data-testid="orders-status"
        />
        {orders.isPending ? (
          <Loading />
        ) : orders.isError ? (
          <ErrorState error={orders.error} retry={() => void orders.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState description={t('console.producer.orders.empty')} />
        ) : (
          <List
            dataSource={items}
            rowKey="id"
            renderItem={(order) => (
              <OrderRow order={order} did={did} onAction={(o, kind) => setDialog({ order: o, kind })} />
            )}
          />
        )}
      </Section>
      <Ratings did={did} />
      {dialog?.kind === 'ship' && (
        <ShipDialog
          order={dialog.order}
          onClose={() => setDialog(null)}
          onDone={(logIndex) => finished(t('console.producer.orders.shipped', { id: dialog.order.id }), logIndex)}
        />
      )}
      {(dialog?.kind === 'approve' || dialog?.kind === 'refuse') && (
        <RefundDialog
          order={dialog.order}
          approve={dialog.kind === 'approve'}
          onClose={() => setDialog(null)}
          onDone={(logIndex) =>
            finished(
              t(dialog.kind === 'approve' ? 'console.producer.orders.approved' : 'console.producer.orders.refused'),
              logIndex,
            )
          }
        />
      )}
    </div>
  );
}
