import { SafetyCertificateOutlined, TeamOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { localized } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { ProductGrid } from './ProductCard';
import { useCategories, useProductSearch } from './queries';

const section = { marginTop: 20 } as const;
const heading = { fontSize: 17, fontWeight: 600, margin: '0 0 10px', color: '#1f2a27' } as const;

/** What a shopper sees first: why to trust the shop, its categories, verified products first. */
export function HomePage() {
  const { t, i18n } = useTranslation();
  const categories = useCategories();
  const verified = useProductSearch({ verdict: 'passed', limit: 10 });
  const all = useProductSearch({ limit: 20 });
  const verifiedItems = verified.data?.pages.flatMap((page) => page.items) ?? [];
  const verifiedIds = new Set(verifiedItems.map((p) => p.id));
  const others = (all.data?.pages.flatMap((page) => page.items) ?? []).filter((p) => !verifiedIds.has(p.id));
  const topCategories = (categories.data?.items ?? []).filter((c) => c.parent === null);

  return (
    <div>
      <section
        style={{
          background: 'linear-gradient(120deg, #1f6f5c, #2f8f6f)',
          color: '#fff',
          borderRadius: 12,
          padding: '18px 16px',
        }}
        data-testid="home-hero"
      >
        <h2 style={{ color: '#fff', margin: 0, fontSize: 20, lineHeight: 1.4 }}>{t('shop.home.heroTitle')}</h2>
        <p style={{ margin: '8px 0 12px', opacity: 0.92, lineHeight: 1.6 }}>{t('shop.home.heroText')}</p>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <Link href="/search?verdict=passed">
            <Button icon={<SafetyCertificateOutlined />}>{t('shop.home.seeVerified')}</Button>
          </Link>
          <Link href="/invite">
            <Button ghost icon={<TeamOutlined />}>
              {t('shop.home.invite')}
            </Button>
          </Link>
        </div>
      </section>

      <nav aria-label={t('shop.home.categories')} style={{ ...section, display: 'flex', gap: 8, overflowX: 'auto' }}>
        {topCategories.map((category) => (
          <Link
            key={category.slug}
            href={`/c/${category.slug}`}
            data-testid={`category-${category.slug}`}
            style={{
              flex: '0 0 auto',
              padding: '6px 14px',
              borderRadius: 999,
              background: '#fff',
              border: '1px solid #dfe5e3',
              color: '#1f2a27',
            }}
          >
            {localized(category.name, i18n.language)}
          </Link>
        ))}
      </nav>

      <section style={section} aria-labelledby="verified-heading">
        <h3 id="verified-heading" style={heading}>
          <SafetyCertificateOutlined style={{ color: '#1f6f5c' }} /> {t('shop.home.verified')}
        </h3>
        <p style={{ margin: '-4px 0 10px', color: '#5b6b66', fontSize: 13 }}>{t('shop.home.verifiedHint')}</p>
        {verified.isPending ? (
          <Loading rows={3} />
        ) : verified.isError ? (
          <ErrorState error={verified.error} retry={() => void verified.refetch()} />
        ) : verifiedItems.length === 0 ? (
          <EmptyState description={t('shop.home.noVerified')} />
        ) : (
          <ProductGrid products={verifiedItems} />
        )}
      </section>

      <section style={section} aria-labelledby="all-heading">
        <h3 id="all-heading" style={heading}>
          {t('shop.home.more')}
        </h3>
        {all.isPending ? (
          <Loading rows={3} />
        ) : all.isError ? (
          <ErrorState error={all.error} retry={() => void all.refetch()} />
        ) : others.length === 0 ? (
          <EmptyState description={t('shop.home.empty')} />
        ) : (
          <>
            <ProductGrid products={others} />
            {all.hasNextPage && (
              <div style={{ textAlign: 'center', marginTop: 16 }}>
                <Button onClick={() => void all.fetchNextPage()} loading={all.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              </div>
            )}
          </>
        )}
      </section>
    </div>
  );
}
