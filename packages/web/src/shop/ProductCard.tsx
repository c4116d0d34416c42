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
      <article
        style={{
          height: '100%',
          background: '#fff',
          borderRadius: 10,
          overflow: 'hidden',
          border: '1px solid #eef1f0',
          boxShadow: '0 1px 2px rgba(0, 0, 0, 0.04)',
        }}
      >
        <ProductArt
          imageUrl={product.imageUrls[0]}
          category={product.category}
          title={title}
          style={{ borderRadius: 0 }}
        />
        <div style={{ padding: 10 }}>
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
        </div>
      </article>
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
