import { useQuery } from '@tanstack/react-query';
import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import type { MyRound } from './queries';

interface AccuracyRow {
  roundId: string;
  productId: string;
  verdict: string | null;
  revealStatus: string | null;
  accuracy: number | null;
}

/** My accuracy in each decided round, as its tally scored my report against the consensus. */
export function Accuracy({ did, rounds }: { did: string; rounds: MyRound[] }) {
  const { t } = useTranslation();
  const decided = rounds.filter((r) => r.status !== 'open');
  const history = useQuery({
    queryKey: ['tester', 'accuracy', did, decided.map((r) => r.id).join(',')],
    queryFn: () =>
      Promise.all(
        decided.map(async (r): Promise<AccuracyRow> => {
          const detail = await unwrap(api.GET('/v1/consensus/rounds/{id}', { params: { path: { id: r.id } } }));
          const mine = detail.testers.find((seat) => seat.tester === did);
          return {
            roundId: r.id,
            productId: r.productId,
            verdict: detail.verdict,
            revealStatus: mine?.revealStatus ?? null,
            accuracy: mine?.accuracy ?? null,
          };
        }),
      ),
  });
  if (decided.length === 0) return <EmptyState description={t('console.tester.accuracy.none')} />;
  if (history.isPending) return <Loading rows={2} />;
  if (history.isError) return <ErrorState error={history.error} retry={() => void history.refetch()} />;
  const scored = history.data.filter((row) => row.accuracy !== null);
  const mean = scored.length === 0 ? null : scored.reduce((s, row) => s + (row.accuracy ?? 0), 0) / scored.length;
  return (
    <div data-testid="accuracy">
      {mean !== null && (
        <p>
          {t('console.tester.accuracy.mean', { count: scored.length })}{' '}
          <strong data-testid="accuracy-mean">{(mean * 100).toFixed(1)}%</strong>
        </p>
      )}
      <Table
        size="small"
        rowKey="roundId"
        pagination={false}
        scroll={{ x: true }}
        dataSource={history.data}
        columns={[
          {
            title: t('console.tester.accuracy.round'),
            dataIndex: 'roundId',
            render: (id: string) => <code>{id}</code>,
          },
          { title: t('console.tester.accuracy.product'), dataIndex: 'productId' },
          {
            title: t('console.tester.accuracy.verdict'),
            dataIndex: 'verdict',
            render: (v: string | null) => (v === null ? '—' : t(`console.tester.verdicts.${v}`, { defaultValue: v })),
          },
          {
            title: t('console.tester.accuracy.reveal'),
            dataIndex: 'revealStatus',
            render: (s: string | null) =>
              s === null ? (
                '—'
              ) : (
                <Tag color={s === 'valid' ? 'green' : 'red'}>{t(`console.tester.revealStatus.${s}`)}</Tag>
              ),
          },
          {
            title: t('console.tester.accuracy.accuracy'),
            dataIndex: 'accuracy',
            align: 'right',
            render: (a: number | null) => (a === null ? '—' : `${(a * 100).toFixed(1)}%`),
          },
        ]}
      />
    </div>
  );
}
