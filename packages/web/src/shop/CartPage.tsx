import { DeleteOutlined } from '@ant-design/icons';
import { Alert, message as antdMessage, Button, Card, InputNumber, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useSession } from '../session/session-store';
import { formatFen, lineTitle } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { useCart, useSetCartItem } from './queries';
import { SignInPrompt } from './SignInPrompt';

/** The cart at today's prices: changed prices and sold-out items flagged before checkout. */
export function CartPage() {
  const { t, i18n } = useTranslation();
  const [message, messages] = antdMessage.useMessage();
  const session = useSession();
  const cart = useCart(session !== null);
  const setItem = useSetCartItem();
  if (session === null) return <SignInPrompt next="/cart" title={t('shop.cart.signIn')} />;
  if (cart.isPending) return <Loading />;
  if (cart.isError) return <ErrorState error={cart.error} retry={() => void cart.refetch()} />;
  const items = cart.data.items;
  if (items.length === 0) {
    return (
      <EmptyState
        description={t('shop.cart.empty')}
        action={
          <Link href="/">
            <Button type="primary">{t('shop.cart.goShopping')}</Button>
          </Link>
        }
      />
    );
  }
  const buyable = items.filter((item) => item.available && item.priceFen !== null);
  const total = buyable.reduce((sum, item) => sum + BigInt(item.priceFen as string) * BigInt(item.quantity), 0n);
  const changed = items.some((item) => item.priceChanged);
  const change = (skuId: string, quantity: number) =>
    setItem.mutate({ skuId, quantity }, { onError: (error) => message.error(error.message) });

  return (
    <div style={{ maxWidth: 760, margin: '0 auto' }}>
      {messages}
      <h2 style={{ fontSize: 18, margin: '4px 0 12px' }}>{t('shop.cart.title')}</h2>
      {changed && <Alert type="warning" showIcon title={t('shop.cart.priceChanged')} style={{ marginBottom: 12 }} />}
      <Card size="small">
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="cart-items">
          {items.map((item) => (
            <li
              key={item.skuId}
              data-testid={`cart-item-${item.skuId}`}
              style={{
                display: 'flex',
                alignItems: 'center',
                gap: 8,
                padding: '10px 0',
                borderBottom: '1px solid #f0f0f0',
              }}
            >
              <div style={{ flex: 1, minWidth: 0 }}>
                <div style={{ marginBottom: 4 }}>
                  {item.productId ? (
                    <Link href={`/products/${item.productId}`}>{lineTitle(item, i18n.language) ?? item.skuId}</Link>
                  ) : (
                    (lineTitle(item, i18n.language) ?? item.skuId)
                  )}
                </div>
                {item.priceFen === null ? (
                  <Tag color="red">{t('shop.cart.gone')}</Tag>
                ) : (
                  <>
                    <span style={{ color: '#d4380d', fontWeight: 600 }}>{formatFen(item.priceFen)}</span>
                    {item.priceChanged && (
                      <span style={{ marginInlineStart: 6 }}>
                        <s style={{ color: '#8a9793' }}>{formatFen(item.cartPriceFen)}</s>{' '}
                        <Tag color="orange">{t('shop.cart.changedTag')}</Tag>
                      </span>
                    )}
                  </>
                )}
                {!item.available && <Tag color="red">{t('shop.cart.unavailable')}</Tag>}
              </div>
              <InputNumber
                aria-label={t('shop.product.quantity')}
                min={1}
                max={Math.max(1, Math.min(999, item.stock))}
                value={item.quantity}
                onChange={(value) => value !== null && change(item.skuId, value)}
                style={{ width: 72 }}
              />
              <Button
                type="text"
                icon={<DeleteOutlined />}
                aria-label={t('shop.cart.remove')}
                onClick={() => change(item.skuId, 0)}
              />
            </li>
          ))}
        </ul>
      </Card>
      <Card size="small" style={{ marginTop: 12 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 12 }}>
          <span>
            {t('shop.cart.total')}{' '}
            <strong style={{ color: '#d4380d', fontSize: 20 }} data-testid="cart-total">
              {formatFen(total)}
            </strong>
          </span>
          <Link href="/checkout">
            <Button type="primary" size="large" disabled={buyable.length === 0} data-testid="go-checkout">
              {t('shop.cart.checkout')}
            </Button>
          </Link>
        </div>
      </Card>
    </div>
  );
}
