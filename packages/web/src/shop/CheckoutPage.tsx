import { CheckCircleFilled, CloseCircleFilled, LockOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Radio, Result, Space, Switch } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { useSession } from '../session/session-store';
import { formatFen, shortDid } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { AddressPicker } from './AddressPicker';
import { useCart } from './queries';
import { SignInPrompt } from './SignInPrompt';

type Quote = paths['/v1/checkout/quote']['post']['responses'][200]['content']['application/json'];
type QuotedOrder = Quote['orders'][number];
type Outcome = 'succeed' | 'fail' | 'timeout';
type Placed = { orderId: string; status: string; cancelReason: string | null; items: OrderBody['items'] };

interface OrderBody {
  // The fields of an orders.order.placed body the page shows (the quote sends the whole body to sign).
  orderId: string;
  producer: string;
  items: { skuId: string; quantity: number; unitPriceFen: string }[];
  totalFen: string;
}

const POLL_MS = 400;
const POLL_LIMIT_MS = 20_000;

/** Waits for the sandbox's webhook to settle an order's payment: paid, or cancelled because it failed. */
async function settled(orderId: string): Promise<Omit<Placed, 'items'>> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  for (;;) {
    const order = await unwrap(api.GET('/v1/orders/{id}', { params: { path: { id: orderId } } }));
    if (order.status !== 'created' || Date.now() > deadline) {
      return { orderId, status: order.status, cancelReason: order.cancelReason };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Checkout: the cart quoted at today's prices (changes shown and accepted), the address, points,
 * then each order signed by the buyer (in this browser, or by the platform for a custodial
 * account) and paid into escrow through the sandbox.
 */
export function CheckoutPage() {
  const { t } = useTranslation();
  const session = useSession();
  const cart = useCart(session !== null);
  const [usePoints, setUsePoints] = useState(false);
  const [addressId, setAddressId] = useState<string>();
  const [acceptedChanges, setAcceptedChanges] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>('succeed');
  const [paying, setPaying] = useState(false);
  const [error, setError] = useState<string>();
  const [placed, setPlaced] = useState<Placed[]>();
  const client = useQueryClient();
  const onAddress = useCallback((id: string) => setAddressId(id), []);

  const quote = useQuery({
    queryKey: ['quote', usePoints, cart.dataUpdatedAt],
    queryFn: async () => {
      const base = await unwrap(api.POST('/v1/checkout/quote', { body: {} }));
      if (!usePoints || base.pointsHeld === '0') return base;
      return unwrap(api.POST('/v1/checkout/quote', { body: { points: base.pointsHeld } }));
    },
    enabled: session !== null && cart.isSuccess && placed === undefined,
    // A quote names fresh order ids: keep it while the shopper reviews it, so a retry reuses them.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

  if (session === null) return <SignInPrompt next="/checkout" title={t('shop.checkout.signIn')} />;
  if (placed !== undefined) {
    // A failed payment cancelled its order and took its items out of the cart: put them back.
    const retry = async () => {
      for (const order of placed.filter((p) => p.status === 'cancelled')) {
        for (const item of order.items) {
          await unwrap(api.PUT('/v1/cart/items', { body: { skuId: item.skuId, quantity: item.quantity } }));
        }
      }
      await client.invalidateQueries({ queryKey: ['cart'] });
      setPlaced(undefined);
    };
    return <CheckoutResult placed={placed} retry={() => void retry()} />;
  }
  if (cart.isPending || quote.isPending) return <Loading rows={6} />;
  if (cart.isError) return <ErrorState error={cart.error} retry={() => void cart.refetch()} />;
  if (quote.isError) return <ErrorState error={quote.error} retry={() => void quote.refetch()} />;
  const orders = quote.data.orders;
  if (orders.length === 0) {
    return (
      <EmptyState
        description={t('shop.checkout.nothing')}
        action={
          <Link href="/cart">
            <Button>{t('shop.checkout.backToCart')}</Button>
          </Link>
        }
      />
    );
  }
  const changes = quote.data.priceChanges;
  const due = orders.reduce((sum, order) => sum + BigInt(order.moneyDueFen), 0n);
  const pointsFen = orders.reduce((sum, order) => sum + BigInt(order.pointsFen), 0n);
  const canPay = addressId !== undefined && (changes.length === 0 || acceptedChanges) && !paying;

  const pay = async () => {
    if (addressId === undefined) return;
    setPaying(true);
    setError(undefined);
    try {
      const { signEnvelopeAs } = await import('../session/signer');
      const results: Placed[] = [];
      for (const order of orders) {
        const body = order.body as unknown as OrderBody;
        // One key per quoted order: a retry after a network error cannot place it twice.
        const key = `checkout-${body.orderId}`;
        const envelope = await signEnvelopeAs('orders.order.placed', order.body, key);
        await unwrap(
          api.POST('/v1/checkout', {
            body: { envelope: envelope as never, addressId, simulate: outcome },
            headers: { 'idempotency-key': key },
          }),
        );
        results.push({ ...(await settled(body.orderId)), items: body.items });
      }
      await Promise.all(
        ['cart', 'orders', 'points'].map((queryKey) => client.invalidateQueries({ queryKey: [queryKey] })),
      );
      client.removeQueries({ queryKey: ['quote'] });
      setPlaced(results);
    } catch (failure) {
      setError((failure as Error).message);
      // Prices moved or stock ran out meanwhile: quote again so the shopper sees today's terms.
      if ((failure as { code?: string }).code === 'price_changed') void quote.refetch();
    } finally {
      setPaying(false);
    }
  };

  return (
    <div style={{ maxWidth: 760, margin: '0 auto' }}>
      <h2 style={{ fontSize: 18, margin: '4px 0 12px' }}>{t('shop.checkout.title')}</h2>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {quote.data.unavailable.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('shop.checkout.unavailable', { count: quote.data.unavailable.length })}
            description={quote.data.unavailable.map((u) => u.skuId).join(', ')}
          />
        )}
        {changes.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('shop.checkout.priceChanges')}
            description={
              <div>
                {changes.map((change) => (
                  <div key={change.skuId}>
                    {change.skuId}: <s>{formatFen(change.cartPriceFen)}</s> →{' '}
                    <strong>{formatFen(change.priceFen)}</strong>
                  </div>
                ))}
                <Checkbox
                  checked={acceptedChanges}
                  onChange={(event) => setAcceptedChanges(event.target.checked)}
                  style={{ marginTop: 8 }}
                  data-testid="accept-price-changes"
                >
                  {t('shop.checkout.acceptChanges')}
                </Checkbox>
              </div>
            }
            data-testid="price-changes"
          />
        )}
        <Card size="small" title={t('shop.checkout.address')}>
          <AddressPicker value={addressId} onChange={onAddress} />
        </Card>
        <Card size="small" title={t('shop.checkout.orders', { count: orders.length })}>
          {orders.map((order) => (
            <QuotedOrderView key={(order.body as unknown as OrderBody).orderId} order={order} />
          ))}
        </Card>
        <Card size="small" title={t('shop.checkout.points')}>
          <Space>
            <Switch
              checked={usePoints}
              onChange={setUsePoints}
              disabled={quote.data.pointsHeld === '0'}
              data-testid="use-points"
            />
            <span>
              {t('shop.checkout.pointsHeld', { points: quote.data.pointsHeld })}
              {pointsFen > 0n && ` · ${t('shop.checkout.pointsCover', { amount: formatFen(pointsFen) })}`}
            </span>
          </Space>
        </Card>
        <Card
          size="small"
          title={
            <span>
              <LockOutlined /> {t('shop.checkout.payment')}
            </span>
          }
        >
          <p style={{ margin: '0 0 8px', color: '#5b6b66', fontSize: 13 }}>{t('shop.checkout.escrow')}</p>
          <div style={{ background: '#fffbe6', border: '1px solid #ffe58f', borderRadius: 8, padding: 10 }}>
            <div style={{ fontSize: 13, marginBottom: 6 }}>{t('shop.checkout.sandbox')}</div>
            <Radio.Group
              value={outcome}
              onChange={(event) => setOutcome(event.target.value)}
              data-testid="sandbox-outcome"
              options={(['succeed', 'fail', 'timeout'] as const).map((value) => ({
                value,
                label: t(`shop.checkout.outcome.${value}`),
              }))}
            />
          </div>
        </Card>
        {error && (
          <Alert
            type="error"
            showIcon
            title={t('shop.checkout.failed')}
            description={error}
            data-testid="checkout-error"
          />
        )}
        <Card size="small">
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 12 }}>
            <span>
              {t('shop.checkout.due')}{' '}
              <strong style={{ color: '#d4380d', fontSize: 22 }} data-testid="checkout-due">
                {formatFen(due)}
              </strong>
            </span>
            <Button
              type="primary"
              size="large"
              disabled={!canPay}
              loading={paying}
              onClick={() => void pay()}
              data-testid="pay"
            >
              {paying ? t('shop.checkout.paying') : t('shop.checkout.pay')}
            </Button>
          </div>
          <p style={{ color: '#8a9793', fontSize: 12, margin: '8px 0 0' }}>{t('shop.checkout.signNote')}</p>
        </Card>
      </Space>
    </div>
  );
}

function QuotedOrderView({ order }: { order: QuotedOrder }) {
  const { t } = useTranslation();
  const body = order.body as unknown as OrderBody;
  return (
    <div style={{ marginBottom: 8 }}>
      <div style={{ color: '#5b6b66', fontSize: 13 }}>
        {t('shop.checkout.producer', { producer: shortDid(body.producer) })}
      </div>
      <ul style={{ listStyle: 'none', padding: 0, margin: '4px 0' }}>
        {body.items.map((item) => (
          <li
            key={item.skuId}
            style={{
              display: 'flex',
              justifyContent: 'space-between',
              padding: '6px 0',
              borderBottom: '1px solid #f0f0f0',
            }}
          >
            <span>{item.skuId}</span>
            <span>
              {formatFen(item.unitPriceFen)} × {item.quantity}
            </span>
          </li>
        ))}
      </ul>
      <div style={{ textAlign: 'right' }}>
        {t('shop.checkout.orderTotal')} {formatFen(body.totalFen)}
      </div>
    </div>
  );
}

function CheckoutResult({ placed, retry }: { placed: Placed[]; retry: () => void }) {
  const { t } = useTranslation();
  const paid = placed.filter((p) => p.status !== 'created' && p.status !== 'cancelled');
  const failed = placed.filter((p) => p.status === 'cancelled');
  const waiting = placed.filter((p) => p.status === 'created');
  const first = placed[0];
  if (failed.length === 0 && waiting.length === 0) {
    return (
      <Result
        status="success"
        icon={<CheckCircleFilled />}
        title={t('shop.checkout.paid')}
        subTitle={t('shop.checkout.paidText')}
        data-testid="checkout-paid"
        extra={[
          <Link key="order" href={placed.length === 1 && first ? `/orders/${first.orderId}` : '/orders'}>
            <Button type="primary" data-testid="view-order">
              {t('shop.checkout.viewOrder')}
            </Button>
          </Link>,
          <Link key="home" href="/">
            <Button>{t('shop.checkout.continue')}</Button>
          </Link>,
        ]}
      />
    );
  }
  return (
    <Result
      status={failed.length > 0 ? 'error' : 'warning'}
      icon={failed.length > 0 ? <CloseCircleFilled /> : undefined}
      title={failed.length > 0 ? t('shop.checkout.paymentFailed') : t('shop.checkout.paymentPending')}
      subTitle={
        failed.length > 0
          ? t('shop.checkout.paymentFailedText', { paid: paid.length })
          : t('shop.checkout.paymentPendingText')
      }
      data-testid={failed.length > 0 ? 'checkout-failed' : 'checkout-pending'}
      extra={[
        <Button key="retry" type="primary" onClick={retry} data-testid="checkout-retry">
          {t('shop.checkout.tryAgain')}
        </Button>,
        <Link key="orders" href="/orders">
          <Button>{t('shop.checkout.myOrders')}</Button>
        </Link>,
      ]}
    />
  );
}
