import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatFen, localized } from '../shared/format';
import { ProductArt } from './ProductArt';
import type { ProductSummary } from './queries';
import { VerdictTag } from './VerdictTag';

export function ProductCard({ product }: { product: ProductSummary }) {
  const { t, i18n } = useTranslation();
  const title = localized(product.title, i18n.language);
  return (
    <Link href={`/products/${product.id}`} data-testid={`product-${product.id}`} aria-label={title}>
      <Card
        hoverable
        size="small"
        styles={{ body: { padding: 10 } }}
        cover={<ProductArt imageUrl={product.imageUrls[0]} category={product.category} title={title} />}
        style={{ height: '100%' }}
      >
        <div
          style={{
            fontSize: 14,
            lineHeight: '20px',
            height: 40,
            overflow: 'hidden',
            display: '-webkit-box',
            WebkitLineClamp: 2,
            WebkitBoxOrient: 'vertical',
            color: '#1f2a27',
          }}
        >
          {title}
        </div>
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginTop: 6, gap: 4 }}>
          <span style={{ color: '#d4380d', fontWeight: 600, fontSize: 16 }}>
            {product.maxPriceFen === product.minPriceFen
              ? formatFen(product.minPriceFen)
              : t('shop.priceFrom', { price: formatFen(product.minPriceFen) })}
          </span>
          <VerdictTag verdict={product.verdict} />
        </div>
      </Card>
    </Link>
  );
}

/** Products in a grid: two across on a phone, up to five on a wide screen. */
export function ProductGrid({ products }: { products: ProductSummary[] }) {
  return (
    <div
      style={{
        display: 'grid',
        gridTemplateColumns: 'repeat(auto-fill, minmax(min(160px, 45%), 1fr))',
        gap: 12,
      }}
    >
      {products.map((product) => (
        <ProductCard key={product.id} product={product} />
      ))}
    </div>
  );
}
