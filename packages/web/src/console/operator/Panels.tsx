import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Descriptions, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, api, idempotencyKey, unwrap } from '../../api/client';
import { formatDateTime, localized, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ActButton, errorText, type Json, Mono, Section } from './shared';

type Panel = Json<'/v1/consensus/panels/{category}'>;
type Member = Panel['members'][number];
const PANELS = '/v1/consensus/panels';

/** The categories, for the pickers. */
export function useCategories() {
  return useQuery({
    queryKey: ['/v1/catalog/categories'],
    queryFn: () => unwrap(api.GET('/v1/catalog/categories', { params: { query: { limit: 100 } } })),
  });
}

function PanelView({ category }: { category: string }) {
  const { t, i18n } = useTranslation();
  const panel = useQuery({
    queryKey: [PANELS, category],
    queryFn: () => unwrap(api.GET('/v1/consensus/panels/{category}', { params: { path: { category } } })),
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
  if (panel.isPending) return <Loading rows={2} />;
  if (panel.isError) {
    if (panel.error instanceof ApiError && panel.error.status === 404)
      return <EmptyState description={t('console.operator.panels.none')} />;
    return <ErrorState error={panel.error} retry={() => void panel.refetch()} />;
  }
  const p = panel.data;
  return (
    <div data-testid="panel">
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 2, md: 3 }}
        items={[
          { key: 'cycle', label: t('console.operator.panels.cycle'), children: p.cycle },
          { key: 'seats', label: t('console.operator.panels.seats'), children: `${p.members.length} / ${p.seats}` },
          {
            key: 'at',
            label: t('console.operator.panels.electedAt'),
            children: formatDateTime(p.createdAt, i18n.language),
          },
          {
            key: 'digest',
            label: t('console.operator.panels.digest'),
            span: 'filled' as const,
            children: <Mono>{p.digest}</Mono>,
          },
        ]}
      />
      <Table<Member>
        rowKey="did"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        style={{ marginTop: 8 }}
        dataSource={p.members}
        columns={[
          {
            title: t('console.operator.panels.tester'),
            dataIndex: 'did',
            render: (did: string) => <span title={did}>{shortDid(did)}</span>,
          },
          { title: 'EP', dataIndex: 'ep' },
          { title: t('console.operator.panels.backed'), dataIndex: 'backedPoints' },
          {
            title: t('console.operator.panels.commission'),
            dataIndex: 'commissionBps',
            render: (bps: number | null) =>
              bps === null ? <Tag>{t('console.operator.panels.left')}</Tag> : `${bps / 100}%`,
          },
        ]}
      />
    </div>
  );
}

/** Tester panels by category, electing one now, and opening a test round of a lot. */
export function Panels() {
  const { t, i18n } = useTranslation();
  const categories = useCategories();
  const [category, setCategory] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const [form] = Form.useForm<{ productId: string; lotId: string }>();

  if (categories.isPending) return <Loading />;
  if (categories.isError) return <ErrorState error={categories.error} retry={() => void categories.refetch()} />;
  const options = categories.data.items.map((c) => ({
    value: c.slug,
    label: `${localized(c.name, i18n.language)} (${c.slug})`,
  }));

  return (
    <>
      <Section title={t('console.operator.panels.title')} text={t('console.operator.panels.text')}>
        <Space wrap align="start" style={{ marginBottom: 12 }}>
          <Select
            style={{ minWidth: 220 }}
            placeholder={t('console.operator.panels.pick')}
            options={options}
            value={category}
            onChange={setCategory}
            aria-label={t('console.operator.panels.pick')}
            data-testid="panel-category"
          />
          {category !== null && (
            <ActButton
              label={t('console.operator.panels.elect')}
              confirm={t('console.operator.panels.electConfirm')}
              act={() =>
                unwrap(
                  api.POST('/v1/consensus/panels/elect', {
                    body: { category },
                    headers: { 'idempotency-key': idempotencyKey('elect') },
                  }),
                )
              }
              refresh={[PANELS]}
              data-testid="elect-panel"
            />
          )}
        </Space>
        {category === null ? (
          <EmptyState description={t('console.operator.panels.pickFirst')} />
        ) : (
          <PanelView key={category} category={category} />
        )}
      </Section>
      <Section title={t('console.operator.rounds.title')} text={t('console.operator.rounds.text')}>
        <OpenRound form={form} onOpened={setOpened} />
        {opened !== null && (
          <p data-testid="round-opened">
            {t('console.operator.rounds.opened')} <Link href={`/console/tester`}>{opened}</Link>
          </p>
        )}
      </Section>
    </>
  );
}

function OpenRound({
  form,
  onOpened,
}: {
  form: ReturnType<typeof Form.useForm<{ productId: string; lotId: string }>>[0];
  onOpened: (roundId: string) => void;
}) {
  const { t } = useTranslation();
  const opening = useMutation({
    mutationFn: (values: { productId: string; lotId: string }) =>
      unwrap(
        api.POST('/v1/consensus/rounds', {
          body: { productId: values.productId.trim(), lotId: values.lotId.trim() },
          headers: { 'idempotency-key': idempotencyKey('round') },
        }),
      ),
    onSuccess: (round) => onOpened(round.roundId),
  });
  return (
    <Form form={form} layout="inline" onFinish={(values) => opening.mutate(values)} style={{ rowGap: 8 }}>
      <Form.Item name="productId" label={t('console.operator.rounds.product')} rules={[{ required: true }]}>
        <Input placeholder="pressed-soybean-oil" data-testid="round-product" />
      </Form.Item>
      <Form.Item name="lotId" label={t('console.operator.rounds.lot')} rules={[{ required: true }]}>
        <Input placeholder="WC-OIL-20260920" data-testid="round-lot" />
      </Form.Item>
      <Form.Item>
        <Button htmlType="submit" loading={opening.isPending} data-testid="open-round">
          {t('console.operator.rounds.open')}
        </Button>
      </Form.Item>
      {opening.isError && (
        <div role="alert" style={{ color: '#c0392b', width: '100%' }} data-testid="action-error">
          {errorText(opening.error)}
        </div>
      )}
    </Form>
  );
}
