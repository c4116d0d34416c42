import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, List, Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, api, unwrap } from '../../api/client';
import { useErrorText } from '../../shared/error-text';
import { formatDate, formatFen, localized } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ProductArt } from '../../shop/ProductArt';
import { VerdictTag } from '../../shop/VerdictTag';
import { DepositCard } from './DepositCard';
import { LotDialog, StockDialog } from './ProductDialogs';
import { ProductForm } from './ProductForm';
import { DoneNote, keys, type MyProduct, type ProductDetail, Section, submit } from './shared';

const STATUS_COLOR: Record<MyProduct['status'], string> = {
  draft: 'default',
  listed: 'green',
  delisted: 'orange',
  suspended: 'red',
};
const FILTERS = ['all', 'draft', 'listed', 'delisted', 'suspended'] as const;

type Dialog =
  | { kind: 'new' }
  | { kind: 'edit'; product: ProductDetail }
  | { kind: 'lot'; product: MyProduct }
  | { kind: 'stock'; product: MyProduct };

/** My products in every status, and what I do with them: publish, new version, lots, stock, list, delist. */
export function ProductsTab({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText('console.producer.errors');
  const client = useQueryClient();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [done, setDone] = useState<{ text: string; logIndex?: string } | null>(null);
  const products = useQuery({
    queryKey: keys.products(did),
    queryFn: () => unwrap(api.GET('/v1/producer/products', { params: { query: { limit: 100 } } })),
  });

  const refresh = () => {
    void client.invalidateQueries({ queryKey: keys.products(did) });
    void client.invalidateQueries({ queryKey: keys.deposit(did) });
  };
  const finished = (text: string, logIndex: string | undefined) => {
    setDialog(null);
    setDone({ text, ...(logIndex === undefined ? {} : { logIndex }) });
    refresh();
  };

  const listing = useMutation({
    mutationFn: ({ product, list }: { product: MyProduct; list: boolean }) =>
      submit(list ? 'catalog.product.listed' : 'catalog.product.delisted', { productId: product.id }),
    onSuccess: (receipt, { product, list }) =>
      finished(
        t(list ? 'console.producer.products.listedDone' : 'console.producer.products.delistedDone', {
          title: product.title.zh,
        }),
        receipt.logIndex,
      ),
    // A refusal may come from a status or a deposit that moved on since the list was read.
    onError: refresh,
  });
  const opening = useMutation({
    mutationFn: (product: MyProduct) =>
      client.fetchQuery({
        queryKey: keys.product(product.id),
        queryFn: () => unwrap(api.GET('/v1/catalog/products/{id}', { params: { path: { id: product.id } } })),
      }),
    onSuccess: (detail) => setDialog({ kind: 'edit', product: detail }),
  });
  const busy = (id: string) =>
    (listing.isPending && listing.variables.product.id === id) || (opening.isPending && opening.variables.id === id);
  // One alert per row serves both actions: it tells of the one started last, which is what a person just tried.
  const failed =
    listing.submittedAt > opening.submittedAt
      ? listing.isError && {
          productId: listing.variables.product.id,
          error: listing.error,
          deposit: listing.error instanceof ApiError && listing.error.code === 'deposit_required',
        }
      : opening.isError && { productId: opening.variables.id, error: opening.error, deposit: false };
  // A dialog's success clears a row's failure, as a new try of either action does.
  const dialogFinished = (text: string, logIndex: string | undefined) => {
    if (listing.isError) listing.reset();
    if (opening.isError) opening.reset();
    finished(text, logIndex);
  };

  const items = (products.data?.items ?? []).filter((p) => filter === 'all' || p.status === filter);
  return (
    <div data-testid="producer-products">
      {done !== null && (
        <DoneNote
          text={done.text}
          {...(done.logIndex ? { logIndex: done.logIndex } : {})}
          onClose={() => setDone(null)}
        />
      )}
      <DepositCard did={did} />
      <Section
        title={t('console.producer.products.title')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDialog({ kind: 'new' })}
            data-testid="product-new"
          >
            {t('console.producer.products.new')}
          </Button>
        }
      >
        <Segmented
          value={filter}
          onChange={(value) => setFilter(value as (typeof FILTERS)[number])}
          options={FILTERS.map((f) => ({ value: f, label: t(`console.producer.products.filter.${f}`) }))}
          style={{ marginBottom: 12, maxWidth: '100%', overflowX: 'auto' }}
        />
        {products.isPending ? (
          <Loading />
        ) : products.isError ? (
          <ErrorState error={products.error} retry={() => void products.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            description={t('console.producer.products.empty')}
            action={
              <Button type="primary" onClick={() => setDialog({ kind: 'new' })}>
                {t('console.producer.products.new')}
              </Button>
            }
          />
        ) : (
          <List
            dataSource={items}
            rowKey="id"
            renderItem={(product) => (
              <List.Item data-testid={`producer-product-${product.id}`} style={{ flexWrap: 'wrap', gap: 8 }}>
                <div style={{ display: 'flex', gap: 12, flex: '1 1 320px', minWidth: 0 }}>
                  <div style={{ width: 56, flex: 'none' }}>
                    <ProductArt imageUrl={product.imageUrls[0]} category={product.category} title={product.title.zh} />
                  </div>
                  <div style={{ minWidth: 0 }}>
                    <Link href={`/products/${encodeURIComponent(product.id)}`}>
                      {localized(product.title, i18n.language)}
                    </Link>
                    <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap', margin: '4px 0' }}>
                      <Tag
                        color={STATUS_COLOR[product.status]}
                        data-testid="product-status"
                        style={{ marginInlineEnd: 0 }}
                      >
                        {t(`console.producer.status.${product.status}`)}
                      </Tag>
                      <VerdictTag verdict={product.verdict} />
                    </div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {product.minPriceFen === product.maxPriceFen
                        ? formatFen(product.minPriceFen)
                        : `${formatFen(product.minPriceFen)} – ${formatFen(product.maxPriceFen)}`}
                      {' · '}
                      {product.model.id} v{product.model.version} · {formatDate(product.updatedAt, i18n.language)}
                    </Typography.Text>
                  </div>
                </div>
                <Space wrap size={4}>
                  {(product.status === 'draft' || product.status === 'delisted') && (
                    <Button
                      type="primary"
                      size="small"
                      loading={busy(product.id)}
                      onClick={() => listing.mutate({ product, list: true })}
                      data-testid="product-list"
                    >
                      {t('console.producer.products.list')}
                    </Button>
                  )}
                  {product.status === 'listed' && (
                    <Button
                      size="small"
                      loading={busy(product.id)}
                      onClick={() => listing.mutate({ product, list: false })}
                      data-testid="product-delist"
                    >
                      {t('console.producer.products.delist')}
                    </Button>
                  )}
                  {product.status !== 'suspended' && (
                    <Button size="small" onClick={() => opening.mutate(product)} data-testid="product-edit">
                      {t('console.producer.products.edit')}
                    </Button>
                  )}
                  <Button size="small" onClick={() => setDialog({ kind: 'lot', product })} data-testid="product-lot">
                    {t('console.producer.products.lot')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => setDialog({ kind: 'stock', product })}
                    data-testid="product-stock"
                  >
                    {t('console.producer.products.stock')}
                  </Button>
                </Space>
                {failed && failed.productId === product.id && (
                  <Alert
                    type="error"
                    showIcon
                    style={{ width: '100%' }}
                    title={errorText(failed.error)}
                    description={failed.deposit ? t('console.producer.products.depositHint') : undefined}
                    data-testid="product-action-error"
                  />
                )}
              </List.Item>
            )}
          />
        )}
      </Section>
      {(dialog?.kind === 'new' || dialog?.kind === 'edit') && (
        <ProductForm
          open
          editing={dialog.kind === 'edit' ? dialog.product : undefined}
          onClose={() => setDialog(null)}
          onDone={(productId, logIndex) => {
            void client.invalidateQueries({ queryKey: keys.product(productId) });
            dialogFinished(t('console.producer.products.publishedDone', { id: productId }), logIndex);
          }}
        />
      )}
      {dialog?.kind === 'lot' && (
        <LotDialog product={dialog.product} onClose={() => setDialog(null)} onDone={dialogFinished} />
      )}
      {dialog?.kind === 'stock' && (
        <StockDialog
          product={dialog.product}
          onClose={() => setDialog(null)}
          onDone={(text, logIndex) => {
            void client.invalidateQueries({ queryKey: keys.product(dialog.product.id) });
            dialogFinished(text, logIndex);
          }}
        />
      )}
    </div>
  );
}
