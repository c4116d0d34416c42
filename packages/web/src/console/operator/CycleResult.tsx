import { useQuery } from '@tanstack/react-query';
import { Descriptions, Table, Tag } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import { formatDateTime, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { type Leaf, Mono } from './shared';

const SharesCharts = lazy(async () => ({ default: (await import('./CycleCharts')).SharesCharts }));
const PAGE = 20;
/** Every leaf of a cycle, for its charts: pages of 1,000, at most this many. */
const CHART_LEAVES_MAX = 10_000;

async function allLeaves(cycle: number): Promise<Leaf[]> {
  const leaves: Leaf[] = [];
  for (let from: number | null = 0; from !== null && leaves.length < CHART_LEAVES_MAX; ) {
    const page: { items: Leaf[]; next: number | null } = await unwrap(
      api.GET('/v1/settlement/cycles/{cycle}/leaves', { params: { path: { cycle }, query: { from, limit: 1000 } } }),
    );
    leaves.push(...page.items);
    from = page.next;
  }
  return leaves;
}

export const partyName = (party: string): string => (party.startsWith('did:key:') ? shortDid(party) : party);

/** A closed cycle's result: its window and totals, the published root and inputs, its leaves and charts. */
export function CycleResult({ cycle }: { cycle: number }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const summary = useQuery({
    queryKey: ['/v1/settlement/cycles', 'one', cycle],
    queryFn: () => unwrap(api.GET('/v1/settlement/cycles/{cycle}', { params: { path: { cycle } } })),
  });
  const leaves = useQuery({
    queryKey: ['/v1/settlement/cycles', 'leaves', cycle, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/settlement/cycles/{cycle}/leaves', {
          params: { path: { cycle }, query: { from: (page - 1) * PAGE, limit: PAGE } },
        }),
      ),
    enabled: summary.data?.status === 'closed',
  });
  const all = useQuery({
    queryKey: ['/v1/settlement/cycles', 'all-leaves', cycle],
    queryFn: () => allLeaves(cycle),
    enabled: summary.data?.status === 'closed',
  });
  const kindName = (kind: string) => t(`console.operator.kinds.${kind}`, { defaultValue: kind });
  const shares = useMemo(() => {
    const sum = (key: (leaf: Leaf) => string) => {
      const totals = new Map<string, bigint>();
      for (const leaf of all.data ?? []) totals.set(key(leaf), (totals.get(key(leaf)) ?? 0n) + BigInt(leaf.amountFen));
      return [...totals]
        .map(([name, fen]) => ({ name, fen }))
        .sort((a, b) => (b.fen > a.fen ? 1 : b.fen < a.fen ? -1 : 0));
    };
    return { byKind: sum((leaf) => leaf.kind), byParty: sum((leaf) => partyName(leaf.party)) };
  }, [all.data]);

  if (summary.isPending) return <Loading />;
  if (summary.isError) return <ErrorState error={summary.error} retry={() => void summary.refetch()} />;
  const s = summary.data;
  const leafCount = s.leaves ?? 0;
  return (
    <div data-testid="cycle-result">
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 1, md: 2 }}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'cycle', label: t('console.operator.cycles.cycle'), children: <strong>{s.cycle}</strong> },
          {
            key: 'status',
            label: t('console.operator.cycles.status'),
            children: (
              <Tag color={s.status === 'closed' ? 'green' : 'gold'} data-testid="cycle-status">
                {t(`console.operator.cycles.statuses.${s.status}`)}
              </Tag>
            ),
          },
          {
            key: 'window',
            label: t('console.operator.cycles.window'),
            children: `${formatDateTime(s.startsAt, i18n.language)} – ${formatDateTime(s.endsAt, i18n.language)}`,
          },
          { key: 'orders', label: t('console.operator.cycles.orders'), children: s.orders },
          { key: 'paid', label: t('console.operator.cycles.gmv'), children: formatFen(s.paidFen) },
          { key: 'leaves', label: t('console.operator.cycles.leaves'), children: s.leaves ?? '—' },
          ...Object.entries(s.totals ?? {}).map(([name, fen]) => ({
            key: `total-${name}`,
            label: t(`console.operator.cycles.totals.${name}`, { defaultValue: name }),
            children: formatFen(fen),
          })),
          {
            key: 'root',
            label: t('console.operator.cycles.root'),
            span: 'filled' as const,
            children: s.root === null ? '—' : <Mono>{s.root}</Mono>,
          },
          {
            key: 'inputs',
            label: t('console.operator.cycles.inputs'),
            span: 'filled' as const,
            children:
              s.inputsDigest === null ? (
                '—'
              ) : (
                <span>
                  <Mono>{s.inputsDigest}</Mono>{' '}
                  <a
                    href={`/v1/settlement/cycles/${s.cycle}/inputs`}
                    target="_blank"
                    rel="noreferrer"
                    data-testid="inputs-link"
                  >
                    {t('console.operator.cycles.inputsLink')}
                  </a>
                </span>
              ),
          },
          {
            key: 'entry',
            label: t('console.operator.cycles.entry'),
            children: s.logIndex === null ? '—' : <Link href={`/explorer/entries/${s.logIndex}`}>#{s.logIndex}</Link>,
          },
        ]}
      />
      {s.status !== 'closed' ? (
        <EmptyState description={t('console.operator.cycles.stillClosing')} />
      ) : leafCount === 0 ? (
        <EmptyState description={t('console.operator.cycles.noLeaves')} />
      ) : (
        <>
          {all.isError ? (
            <ErrorState error={all.error} retry={() => void all.refetch()} />
          ) : all.isPending ? (
            <Loading rows={3} />
          ) : (
            <Suspense fallback={<Loading rows={3} />}>
              <SharesCharts
                byKind={shares.byKind.map((k) => ({ ...k, name: kindName(k.name) }))}
                byParty={shares.byParty}
              />
            </Suspense>
          )}
          <Table<Leaf>
            rowKey="index"
            size="small"
            scroll={{ x: 'max-content' }}
            style={{ marginTop: 12 }}
            loading={leaves.isPending}
            dataSource={leaves.data?.items ?? []}
            data-testid="cycle-leaves"
            pagination={{ current: page, pageSize: PAGE, total: leafCount, onChange: setPage, showSizeChanger: false }}
            columns={[
              { title: '#', dataIndex: 'index', width: 60 },
              {
                title: t('console.operator.cycles.party'),
                dataIndex: 'party',
                render: (party: string) => <span title={party}>{partyName(party)}</span>,
              },
              { title: t('console.operator.cycles.kind'), dataIndex: 'kind', render: kindName },
              { title: t('console.operator.amount'), dataIndex: 'amountFen', render: (fen: string) => formatFen(fen) },
            ]}
          />
        </>
      )}
    </div>
  );
}
