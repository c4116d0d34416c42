import { ShareAltOutlined, ShoppingCartOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Button, Col, Radio, Row, Space, Tag } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'wouter';
import { useSession } from '../session/session-store';
import { formatDate, formatFen, localized, shortDid } from '../shared/format';
import { ErrorState, Loading } from '../shared/states';
import { TrustPanel } from '../trust/TrustPanel';
import { ProductArt } from './ProductArt';
import { QuantityStepper } from './QuantityStepper';
import { type ProductDetail, useCart, useProduct, useSetCartItem } from './queries';
import { VerdictTag } from './VerdictTag';

// Sharing (its modal, QR and signer) loads on the first tap of the share button.
const ShareProductButton = lazy(async () => ({
  default: (await import('../account/ShareProductButton')).ShareProductButton,
}));

type Sku = ProductDetail['skus'][number];

const skuLabel = (sku: Sku) => Object.values(sku.options).join(' / ') || sku.code;

/** Share: a light button; sharing itself (its modal, QR and signer) loads on the first tap. */
function ShareButton({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const [wanted, setWanted] = useState(false);
  const placeholder = (
    <Button icon={<ShareAltOutlined />} loading={wanted} onClick={() => setWanted(true)} data-testid="share-product">
      {t('shop.product.share')}
    </Button>
  );
  if (!wanted) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <ShareProductButton productId={productId} startNow />
    </Suspense>
  );
}

/** A product: photo, price per SKU, buy; then the trust panel that shows why it can be trusted. */
export function ProductPage() {
  const { id } = useParams<{ id: string }>();
  const product = useProduct(id);
  if (product.isPending) return <Loading rows={8} />;
  if (product.isError) return <ErrorState error={product.error} retry={() => void product.refetch()} />;
  return <ProductView product={product.data} />;
}

function ProductView({ product }: { product: ProductDetail }) {
  const { t, i18n } = useTranslation();
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();
  const session = useSession();
  const [, navigate] = useLocation();
  const setItem = useSetCartItem();
  const cart = useCart(session !== null);
  const firstInStock = product.skus.find((s) => s.stock > 0) ?? product.skus[0];
  const [skuId, setSkuId] = useState(firstInStock?.id);
  const [quantity, setQuantity] = useState(1);
  const sku = product.skus.find((s) => s.id === skuId);
  const title = localized(product.title, i18n.language);
  const onSale = product.status === 'listed';
  const canBuy = onSale && sku !== undefined && sku.stock >= quantity;

  const addToCart = async (thenCheckout: boolean) => {
    if (sku === undefined) return;
    if (session === null) {
      navigate(`/wallet?next=${encodeURIComponent(`/products/${product.id}`)}`);
      return;
    }
    try {
      const updated = await setItem.mutateAsync({
        skuId: sku.id,
        // Adding again adds to what is in the cart already.
        quantity: Math.min(999, quantity + (cart.data?.items.find((i) => i.skuId === sku.id)?.quantity ?? 0)),
      });
      if (thenCheckout) navigate('/checkout');
      else
        setNotice({
          ok: true,
          text: t('shop.product.added', { count: updated.items.reduce((n, i) => n + i.quantity, 0) }),
        });
    } catch (error) {
      setNotice({ ok: false, text: (error as Error).message });
    }
  };

  return (
    <div>
      <Row gutter={[20, 16]}>
        <Col xs={24} md={10}>
          <ProductArt
            imageUrl={product.images[0]?.url}
            category={product.category}
            title={title}
            style={{ maxWidth: 480 }}
          />
        </Col>
        <Col xs={24} md={14}>
          <Space orientation="vertical" size={10} style={{ width: '100%' }}>
            <h1 style={{ fontSize: 20, margin: 0, lineHeight: 1.4 }} data-testid="product-title">
              {title}
            </h1>
            <Space wrap size={6}>
              <VerdictTag verdict={product.verdict} />
              {product.consensus?.badge && <Tag color="green">{t('shop.product.badge')}</Tag>}
              {!onSale && <Tag color="red">{t(`shop.product.status.${product.status}`)}</Tag>}
            </Space>
            <div style={{ color: '#d4380d', fontSize: 26, fontWeight: 600 }} data-testid="product-price">
              {sku ? formatFen(sku.priceFen) : formatFen(product.minPriceFen)}
            </div>
            {product.skus.length > 1 && (
              <Radio.Group
                aria-label={t('shop.product.sku')}
                value={skuId}
                onChange={(event) => setSkuId(event.target.value)}
                optionType="button"
                options={product.skus.map((s) => ({
                  value: s.id,
                  label: skuLabel(s),
                  disabled: s.stock === 0,
                }))}
                data-testid="sku-select"
              />
            )}
            <Space align="center" wrap>
              <span>{t('shop.product.quantity')}</span>
              <QuantityStepper
                label={t('shop.product.quantity')}
                max={Math.max(1, Math.min(99, sku?.stock ?? 1))}
                value={quantity}
                onChange={setQuantity}
              />
              <span style={{ color: '#5b6b66' }}>
                {sku && sku.stock > 0 ? t('shop.product.stock', { count: sku.stock }) : t('shop.product.soldOut')}
              </span>
            </Space>
            <Space wrap>
              <Button
                size="large"
                icon={<ShoppingCartOutlined />}
                disabled={!canBuy}
                loading={setItem.isPending}
                onClick={() => void addToCart(false)}
                data-testid="add-to-cart"
              >
                {t('shop.product.addToCart')}
              </Button>
              <Button
                size="large"
                type="primary"
                icon={<ThunderboltOutlined />}
                disabled={!canBuy}
                onClick={() => void addToCart(true)}
                data-testid="buy-now"
              >
                {t('shop.product.buyNow')}
              </Button>
              <ShareButton productId={product.id} />
            </Space>
            {notice && (
              <div role="status" style={{ color: notice.ok ? '#389e0d' : '#cf1322' }} data-testid="cart-notice">
                {notice.text} {notice.ok && <Link href="/cart">{t('shop.product.viewCart')}</Link>}
              </div>
            )}
            <dl style={{ margin: 0, color: '#5b6b66', fontSize: 13, lineHeight: 1.9 }}>
              <div>
                {t('shop.product.producer')}:{' '}
                <Link href={`/explorer?actor=${encodeURIComponent(product.producerDid)}`}>
                  {shortDid(product.producerDid)}
                </Link>
              </div>
              {product.lots[0] && (
                <div>
                  {t('shop.product.lot', {
                    lot: product.lots[0].lotId,
                    date: formatDate(product.lots[0].productionDate, i18n.language),
                  })}
                </div>
              )}
            </dl>
          </Space>
        </Col>
      </Row>
      {product.description && (
        <section style={{ marginTop: 20 }}>
          <h2 style={{ fontSize: 17 }}>{t('shop.product.description')}</h2>
          <p style={{ lineHeight: 1.8, whiteSpace: 'pre-wrap' }}>{product.description}</p>
        </section>
      )}
      <TrustPanel product={product} />
    </div>
  );
}
