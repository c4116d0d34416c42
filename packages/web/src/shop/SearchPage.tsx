import { Button, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useParams, useSearch } from 'wouter';
import { localized } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { ProductGrid } from './ProductCard';
import { type ProductSearch, useCategories, useProductSearch } from './queries';

const VERDICTS = ['passed', 'testing', 'untested', 'failed'] as const;
type Verdict = (typeof VERDICTS)[number];

const yuanToFen = (yuan: string | null): string | undefined =>
  yuan === null || yuan === '' || Number.isNaN(Number(yuan)) ? undefined : String(Math.round(Number(yuan) * 100));
const fenToYuan = (fen: string | undefined): number | null => (fen === undefined ? null : Number(fen) / 100);

/** Search and category pages: one list, its filters kept in the address so a view can be shared. */
export function SearchPage() {
  const { t, i18n } = useTranslation();
  const params = useParams<{ category?: string }>();
  const query = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const categories = useCategories();

  const q = query.get('q') ?? '';
  const category = params.category ?? query.get('category') ?? undefined;
  const verdict = (VERDICTS as readonly string[]).includes(query.get('verdict') ?? '')
    ? (query.get('verdict') as Verdict)
    : undefined;
  const minPrice = yuanToFen(query.get('min'));
  const maxPrice = yuanToFen(query.get('max'));
  const search: Omit<ProductSearch, 'cursor'> = {
    limit: 20,
    ...(q === '' ? {} : { q }),
    ...(category === undefined ? {} : { category }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(minPrice === undefined ? {} : { minPrice }),
    ...(maxPrice === undefined ? {} : { maxPrice }),
  };
  const results = useProductSearch(search);
  const items = results.data?.pages.flatMap((page) => page.items) ?? [];

  /** Moves to the same list with one filter changed (category pages become /search when it changes). */
  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(query);
    if (params.category !== undefined && !('category' in changes)) next.set('category', params.category);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(`/search${text === '' ? '' : `?${text}`}`);
  };

  const current = categories.data?.items.find((c) => c.slug === category);
  const title =
    q !== ''
      ? t('shop.search.resultsFor', { q })
      : current
        ? localized(current.name, i18n.language)
        : t('shop.search.all');

  return (
    <div>
      <h2 style={{ fontSize: 18, margin: '4px 0 12px' }} data-testid="search-title">
        {title}
      </h2>
      <Space wrap size={8} style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('shop.search.category')}
          style={{ minWidth: 130 }}
          value={category ?? ''}
          onChange={(value) => update({ category: value || undefined })}
          options={[
            { value: '', label: t('shop.search.allCategories') },
            ...(categories.data?.items ?? []).map((c) => ({
              value: c.slug,
              label: `${c.parent ? '· ' : ''}${localized(c.name, i18n.language)}`,
            })),
          ]}
          data-testid="filter-category"
        />
        <Select
          aria-label={t('shop.search.verdict')}
          style={{ minWidth: 130 }}
          value={verdict ?? ''}
          onChange={(value) => update({ verdict: value || undefined })}
          options={[
            { value: '', label: t('shop.search.anyVerdict') },
            ...VERDICTS.map((v) => ({ value: v, label: t(`shop.verdict.${v}`) })),
          ]}
          data-testid="filter-verdict"
        />
        <Space.Compact>
          <InputNumber
            aria-label={t('shop.search.minPrice')}
            placeholder={t('shop.search.minPrice')}
            min={0}
            prefix="¥"
            style={{ width: 100 }}
            defaultValue={fenToYuan(minPrice) ?? undefined}
            onBlur={(event) => update({ min: event.target.value.replace(/[^0-9.]/g, '') || undefined })}
          />
          <InputNumber
            aria-label={t('shop.search.maxPrice')}
            placeholder={t('shop.search.maxPrice')}
            min={0}
            prefix="¥"
            style={{ width: 100 }}
            defaultValue={fenToYuan(maxPrice) ?? undefined}
            onBlur={(event) => update({ max: event.target.value.replace(/[^0-9.]/g, '') || undefined })}
          />
        </Space.Compact>
      </Space>
      {results.isPending ? (
        <Loading />
      ) : results.isError ? (
        <ErrorState error={results.error} retry={() => void results.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          description={t('shop.search.none')}
          action={
            <Button onClick={() => navigate('/search')} type="primary">
              {t('shop.search.clear')}
            </Button>
          }
        />
      ) : (
        <>
          <ProductGrid products={items} />
          {results.hasNextPage && (
            <div style={{ textAlign: 'center', marginTop: 16 }}>
              <Button onClick={() => void results.fetchNextPage()} loading={results.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
