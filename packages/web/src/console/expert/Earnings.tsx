import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap } from '../../api/client';
import { formatDate, formatFen } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';

const IncomeChart = lazy(() => import('../IncomeChart').then((m) => ({ default: m.IncomeChart })));

const CYCLES_SHOWN = 12;

export interface CycleIncome {
  cycle: number;
  endsAt: string;
  totalFen: string;
  lines: { kind: string; amountFen: string; ref: string; source: string }[];
}

/** My statement of each closed settlement cycle (the latest twelve): what I earned in each. */
export function useEarnings(did: string) {
  return useQuery({
    queryKey: ['earnings', did],
    queryFn: async (): Promise<CycleIncome[]> => {
      const cycles = await unwrap(api.GET('/v1/settlement/cycles', { params: { query: { limit: CYCLES_SHOWN } } }));
      const closed = cycles.items.filter((c) => c.status === 'closed');
      const incomes = await Promise.all(
        closed.map(async (c): Promise<CycleIncome> => {
          try {
            const s = await unwrap(
              api.GET('/v1/settlement/cycles/{cycle}/statement', { params: { path: { cycle: c.cycle } } }),
            );
            return { cycle: c.cycle, endsAt: c.endsAt, totalFen: s.totalFen, lines: s.lines };
          } catch (error) {
            // A cycle where I had nothing: no statement.
            if (error instanceof ApiError && error.status === 404) {
              return { cycle: c.cycle, endsAt: c.endsAt, totalFen: '0', lines: [] };
            }
            throw error;
          }
        }),
      );
      return incomes.sort((a, b) => a.cycle - b.cycle);
    },
  });
}

/** Earnings: a chart of income over cycles and each cycle's statement lines. */
export function Earnings({ did, prefix }: { did: string; prefix: 'expert' | 'tester' }) {
  const { t, i18n } = useTranslation();
  const earnings = useEarnings(did);
  if (earnings.isPending) return <Loading />;
  if (earnings.isError) return <ErrorState error={earnings.error} retry={() => void earnings.refetch()} />;
  if (earnings.data.length === 0) return <EmptyState description={t('console.expert.earnings.none')} />;
  const total = earnings.data.reduce((sum, c) => sum + BigInt(c.totalFen), 0n);
  return (
    <div data-testid={`${prefix}-earnings`}>
      <p style={{ margin: '0 0 8px' }}>
        {t('console.expert.earnings.total', { count: earnings.data.length })}{' '}
        <strong data-testid="earnings-total">{formatFen(total)}</strong>
      </p>
      <Suspense fallback={<Loading rows={3} />}>
        <IncomeChart cycles={earnings.data.map((c) => ({ cycle: c.cycle, fen: c.totalFen }))} />
      </Suspense>
      <Table
        size="small"
        rowKey="cycle"
        pagination={false}
        scroll={{ x: true }}
        dataSource={[...earnings.data].reverse()}
        expandable={{
          rowExpandable: (row) => row.lines.length > 0,
          expandedRowRender: (row) => (
            <ul style={{ margin: 0, paddingLeft: 16 }}>
              {row.lines.map((line) => (
                <li key={`${line.kind}-${line.ref}-${line.source}`}>
                  {line.kind} · {line.source} · <code>{line.ref}</code> · {formatFen(line.amountFen)}
                </li>
              ))}
            </ul>
          ),
        }}
        columns={[
          { title: t('console.expert.earnings.cycle'), dataIndex: 'cycle' },
          {
            title: t('console.expert.earnings.ended'),
            render: (_, row) => formatDate(row.endsAt, i18n.language),
          },
          {
            title: t('console.expert.earnings.income'),
            align: 'right',
            render: (_, row) => formatFen(row.totalFen),
          },
        ]}
      />
    </div>
  );
}
