import { REFUNDABLE_STATUSES } from '@concord/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  type ButtonProps,
  Form,
  Input,
  InputNumber,
  Modal,
  message,
  Radio,
  Rate,
  Space,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { idempotencyKey } from '../api/client';
import { type EventReceipt, submitEvent } from '../session/signer';
import { useErrorText } from '../shared/error-text';
import { formatFen, lineTitle } from '../shared/format';
import { keys, type Order } from './shared';

const RATED_KEY = 'concord.ratedOrders';

/** Orders rated from this browser: the order view does not say whether its buyer rated it. */
function ratedOrders(): string[] {
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(RATED_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function rememberRated(orderId: string): void {
  const ids = ratedOrders().filter((id) => id !== orderId);
  globalThis.localStorage?.setItem(RATED_KEY, JSON.stringify([orderId, ...ids].slice(0, 200)));
}

const refundId = (): string => `rf-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;

const REASONS = ['unwanted', 'quality', 'notAsDescribed', 'damaged', 'missing'] as const;

interface RefundForm {
  scope: 'all' | 'some';
  quantities: Record<string, number | null>;
  preset: (typeof REASONS)[number];
  detail?: string;
}

function RefundDialog({
  order,
  open,
  onClose,
  onDone,
  onFailed,
}: {
  order: Order;
  open: boolean;
  onClose: () => void;
  onDone: (receipt: EventReceipt) => void;
  /** The order may have changed meanwhile: the page reloads it. */
  onFailed: () => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText('account.errors');
  const [form] = Form.useForm<RefundForm>();
  const [key] = useState(() => idempotencyKey('refund'));
  const [id] = useState(refundId);
  // Nothing chosen to refund: said where a failed request would be, without asking the server.
  const [unpicked, setUnpicked] = useState(false);
  const scope = Form.useWatch('scope', form) ?? 'all';
  const quantities = Form.useWatch('quantities', form) ?? {};
  const refundable = order.lines.filter((line) => line.quantity > line.refundedQuantity);
  const chosen =
    scope === 'all'
      ? refundable.map((line) => ({ line, quantity: line.quantity - line.refundedQuantity }))
      : refundable
          .map((line) => ({ line, quantity: quantities[String(line.position)] ?? 0 }))
          .filter((pick) => pick.quantity > 0);
  const amount = chosen.reduce((sum, pick) => sum + BigInt(pick.line.unitPriceFen) * BigInt(pick.quantity), 0n);

  const request = useMutation({
    mutationFn: (body: Record<string, unknown>) => submitEvent('orders.refund.requested', body, key),
    onSuccess: onDone,
    onError: () => onFailed(),
  });
  const error = unpicked ? t('account.refund.pickSomething') : request.isError ? errorText(request.error) : null;

  const submit = (values: RefundForm) => {
    if (chosen.length === 0) {
      setUnpicked(true);
      return;
    }
    setUnpicked(false);
    const detail = values.detail?.trim();
    const reason = [t(`account.refund.reasons.${values.preset}`), detail].filter(Boolean).join('：');
    request.mutate({
      orderId: order.id,
      refundId: id,
      reason: reason.slice(0, 500),
      ...(scope === 'some'
        ? { lines: chosen.map((pick) => ({ position: pick.line.position, quantity: pick.quantity })) }
        : {}),
    });
  };

  return (
    <Modal
      open={open}
      title={t('account.refund.title')}
      onCancel={onClose}
      okText={t('account.refund.submit')}
      cancelText={t('common.cancel')}
      okButtonProps={
        {
          loading: request.isPending,
          danger: true,
          htmlType: 'submit',
          form: 'refund-form',
          disabled: amount === 0n,
          'data-testid': 'refund-submit',
        } as ButtonProps
      }
      destroyOnHidden
    >
      <Form<RefundForm>
        id="refund-form"
        form={form}
        layout="vertical"
        initialValues={{ scope: 'all', preset: 'unwanted', quantities: {} }}
        onFinish={submit}
        requiredMark={false}
      >
        <Form.Item name="scope" label={t('account.refund.scope')}>
          <Radio.Group
            options={[
              { value: 'all', label: t('account.refund.all') },
              { value: 'some', label: t('account.refund.some'), disabled: refundable.length === 0 },
            ]}
          />
        </Form.Item>
        {scope === 'some' &&
          refundable.map((line) => (
            <Form.Item
              key={line.position}
              name={['quantities', String(line.position)]}
              label={`${lineTitle(line, i18n.language)} · ${formatFen(line.unitPriceFen)}`}
              extra={t('account.refund.left', { count: line.quantity - line.refundedQuantity })}
            >
              <InputNumber
                min={0}
                max={line.quantity - line.refundedQuantity}
                precision={0}
                placeholder="0"
                aria-label={t('account.refund.quantityOf', { title: lineTitle(line, i18n.language) })}
                data-testid={`refund-quantity-${line.position}`}
              />
            </Form.Item>
          ))}
        <Form.Item name="preset" label={t('account.refund.reason')}>
          <Radio.Group
            style={{ display: 'flex', flexDirection: 'column', gap: 6 }}
            options={REASONS.map((reason) => ({ value: reason, label: t(`account.refund.reasons.${reason}`) }))}
          />
        </Form.Item>
        <Form.Item name="detail" label={t('account.refund.detail')} style={{ marginBottom: 8 }}>
          <Input.TextArea
            rows={3}
            maxLength={400}
            showCount
            placeholder={t('account.refund.detailPlaceholder')}
            data-testid="refund-detail"
          />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('account.refund.public')}
        </Typography.Paragraph>
        <Typography.Paragraph style={{ marginBottom: 8 }}>
          {t('account.refund.amount')}{' '}
          <Typography.Text strong data-testid="refund-amount">
            {formatFen(amount)}
          </Typography.Text>
        </Typography.Paragraph>
        {error !== null && <Alert type="error" showIcon title={error} data-testid="action-error" />}
      </Form>
    </Modal>
  );
}

function RateDialog({
  order,
  open,
  onClose,
  onDone,
}: {
  order: Order;
  open: boolean;
  onClose: () => void;
  onDone: (receipt: EventReceipt | null) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText('account.errors');
  const [stars, setStars] = useState(5);
  const [key] = useState(() => idempotencyKey('rating'));
  const labels = [1, 2, 3, 4, 5].map((n) => t(`account.rate.stars${n}`));
  const rate = useMutation({
    mutationFn: async (): Promise<EventReceipt | null> => {
      try {
        return await submitEvent('distribution.producer.rated', { orderId: order.id, stars }, key);
      } catch (failure) {
        // Rated before (from another device, say): done all the same, without a new entry.
        if ((failure as { code?: string }).code === 'already_rated') return null;
        throw failure;
      }
    },
    onSuccess: onDone,
  });

  return (
    <Modal
      open={open}
      title={t('account.rate.title')}
      onCancel={onClose}
      onOk={() => rate.mutate()}
      okText={t('account.rate.submit')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: rate.isPending, disabled: stars < 1, 'data-testid': 'rate-submit' } as ButtonProps}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('account.rate.text')}</Typography.Paragraph>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 12 }}>
        <Rate value={stars} onChange={setStars} tooltips={labels} aria-label={t('account.rate.title')} />
        <Typography.Text data-testid="rate-label">{labels[stars - 1] ?? ''}</Typography.Text>
      </div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('account.rate.public')}
      </Typography.Paragraph>
      {rate.isError && <Alert type="error" showIcon title={errorText(rate.error)} data-testid="action-error" />}
    </Modal>
  );
}

/**
 * What the buyer may do with the order now, each a signed event: cancel it unpaid, confirm its
 * delivery, ask for a refund, rate its producer. Calls `onDone` with the receipt (its log entry).
 */
export function OrderActions({
  order,
  did,
  onDone,
}: {
  order: Order;
  did: string;
  onDone: (what: string, receipt: EventReceipt | null) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText('account.errors');
  const queryClient = useQueryClient();
  const [modal, modalHolder] = Modal.useModal();
  const [toast, toastHolder] = message.useMessage();
  const [dialog, setDialog] = useState<'refund' | 'rate' | null>(null);
  const [rated, setRated] = useState(() => ratedOrders().includes(order.id));

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.orders(did) }),
      queryClient.invalidateQueries({ queryKey: keys.points(did) }),
      queryClient.invalidateQueries({ queryKey: keys.distribution(did) }),
    ]);
  };

  const finished = async (what: string, receipt: EventReceipt | null) => {
    await refresh();
    onDone(what, receipt);
  };

  /** A confirmation, then the signed event; errors are said in a toast and leave the order as it was. */
  const confirmThen = (options: {
    what: string;
    title: string;
    content: string;
    okText: string;
    danger?: boolean;
    type: string;
    body: Record<string, unknown>;
  }) => {
    const key = idempotencyKey(options.what);
    void modal.confirm({
      title: options.title,
      content: options.content,
      okText: options.okText,
      cancelText: t('common.cancel'),
      okButtonProps: { danger: options.danger ?? false, 'data-testid': 'confirm-ok' } as ButtonProps,
      onOk: async () => {
        try {
          const receipt = await submitEvent(options.type, options.body, key);
          await finished(options.what, receipt);
        } catch (error) {
          await refresh();
          void toast.error({ content: errorText(error), duration: 6 });
        }
      },
    });
  };

  const open = (order.refunds ?? []).some((refund) => refund.status === 'requested');
  const refundable =
    REFUNDABLE_STATUSES.includes(order.status) && !open && order.lines.some((l) => l.quantity > l.refundedQuantity);
  const canRate = (order.status === 'delivered' || order.status === 'completed') && !rated;

  const buttons = [
    order.status === 'shipped' && (
      <Button
        key="deliver"
        type="primary"
        size="large"
        data-testid="confirm-delivery"
        onClick={() =>
          confirmThen({
            what: 'delivered',
            title: t('account.deliver.title'),
            content: t('account.deliver.text'),
            okText: t('account.deliver.ok'),
            type: 'orders.order.delivered',
            body: { orderId: order.id },
          })
        }
      >
        {t('account.deliver.button')}
      </Button>
    ),
    canRate && (
      <Button
        key="rate"
        type={order.status === 'shipped' ? 'default' : 'primary'}
        size="large"
        data-testid="rate-producer"
        onClick={() => setDialog('rate')}
      >
        {t('account.rate.button')}
      </Button>
    ),
    refundable && (
      <Button key="refund" size="large" data-testid="request-refund" onClick={() => setDialog('refund')}>
        {order.status === 'completed' ? t('account.refund.afterSale') : t('account.refund.button')}
      </Button>
    ),
    order.status === 'created' && (
      <Button
        key="cancel"
        danger
        size="large"
        data-testid="cancel-order"
        onClick={() =>
          confirmThen({
            what: 'cancelled',
            title: t('account.cancel.title'),
            content: t('account.cancel.text'),
            okText: t('account.cancel.ok'),
            danger: true,
            type: 'orders.order.cancelled',
            body: { orderId: order.id, reason: 'buyer' },
          })
        }
      >
        {t('account.cancel.button')}
      </Button>
    ),
  ].filter(Boolean);

  return (
    <>
      {modalHolder}
      {toastHolder}
      {buttons.length > 0 && (
        <Space wrap size={8} data-testid="order-actions" style={{ width: '100%' }}>
          {buttons}
        </Space>
      )}
      {dialog === 'refund' && (
        <RefundDialog
          order={order}
          open
          onClose={() => setDialog(null)}
          onDone={(receipt) => {
            setDialog(null);
            void finished('refund', receipt);
          }}
          onFailed={() => void refresh()}
        />
      )}
      {dialog === 'rate' && (
        <RateDialog
          order={order}
          open
          onClose={() => setDialog(null)}
          onDone={(receipt) => {
            rememberRated(order.id);
            setRated(true);
            setDialog(null);
            void finished(receipt === null ? 'alreadyRated' : 'rated', receipt);
          }}
        />
      )}
    </>
  );
}
