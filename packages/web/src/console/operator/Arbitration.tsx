import { useQuery } from '@tanstack/react-query';
import { Descriptions, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import { formatDateTime, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { fetchEntry, type Json, Section } from './shared';

type Case = Json<'/v1/consensus/appeals/{caseId}'>;
type Instance = Case['instances'][number];
type Juror = Instance['jurors'][number];

/**
 * Every appeal case: the API has no list of cases, so they are found on the public log (each
 * `consensus.appeal.filed` names its round; the case is `appeal-<round>`), then read one by one.
 */
async function loadCases(): Promise<Case[]> {
  const filed = await unwrap(
    api.GET('/v1/log/entries', { params: { query: { type: 'consensus.appeal.filed', limit: 50 } } }),
  );
  const rounds = new Set<string>();
  for (const entry of await Promise.all(filed.items.map((item) => fetchEntry(item.index)))) {
    const roundId = entry.envelope.body.roundId;
    if (typeof roundId === 'string') rounds.add(roundId);
  }
  return Promise.all(
    [...rounds].map((roundId) =>
      unwrap(api.GET('/v1/consensus/appeals/{caseId}', { params: { path: { caseId: `appeal-${roundId}` } } })),
    ),
  );
}

const RULING_COLOR = { uphold: 'green', overturn: 'red' } as const;

function InstanceView({ instance }: { instance: Instance }) {
  const { t, i18n } = useTranslation();
  const when = (at: string | null) => (at === null ? '—' : formatDateTime(at, i18n.language));
  return (
    <div style={{ marginBottom: 12 }}>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 2, md: 3 }}
        items={[
          { key: 'instance', label: t('console.operator.cases.instance'), children: instance.instance },
          {
            key: 'status',
            label: t('console.operator.cases.status'),
            children: <Tag>{t(`console.operator.cases.statuses.${instance.status}`)}</Tag>,
          },
          {
            key: 'ruling',
            label: t('console.operator.cases.ruling'),
            children:
              instance.ruling === null ? (
                '—'
              ) : (
                <Tag color={RULING_COLOR[instance.ruling]} data-testid="case-ruling">
                  {t(`console.operator.cases.rulings.${instance.ruling}`)}
                </Tag>
              ),
          },
          {
            key: 'appellant',
            label: t('console.operator.cases.appellant'),
            children: <span title={instance.appellant}>{shortDid(instance.appellant)}</span>,
          },
          {
            key: 'verdict',
            label: t('console.operator.cases.verdict'),
            children: t(`console.operator.cases.verdicts.${instance.verdictAppealed}`),
          },
          { key: 'bond', label: t('console.operator.cases.bond'), children: formatFen(instance.bondFen) },
          { key: 'commit', label: t('console.operator.cases.commitBy'), children: when(instance.commitDeadline) },
          { key: 'reveal', label: t('console.operator.cases.revealBy'), children: when(instance.revealDeadline) },
          { key: 'appealUntil', label: t('console.operator.cases.appealUntil'), children: when(instance.appealUntil) },
          {
            key: 'grounds',
            label: t('console.operator.cases.grounds'),
            span: 'filled' as const,
            children: instance.grounds,
          },
        ]}
      />
      <Table<Juror>
        rowKey="juror"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        style={{ marginTop: 8 }}
        dataSource={instance.jurors}
        locale={{ emptyText: t('console.operator.cases.noJury') }}
        columns={[
          {
            title: t('console.operator.cases.juror'),
            dataIndex: 'juror',
            render: (did: string) => <span title={did}>{shortDid(did)}</span>,
          },
          { title: t('console.operator.cases.stake'), dataIndex: 'stakePoints' },
          {
            title: t('console.operator.cases.voted'),
            key: 'voted',
            render: (_: unknown, j) =>
              `${j.committed ? t('console.operator.cases.committed') : '—'} / ${j.revealed ? t('console.operator.cases.revealed') : '—'}`,
          },
          {
            title: t('console.operator.cases.vote'),
            dataIndex: 'vote',
            render: (vote: Juror['vote']) => (vote === null ? '—' : t(`console.operator.cases.rulings.${vote}`)),
          },
          {
            title: t('console.operator.cases.coherent'),
            dataIndex: 'coherent',
            render: (c: boolean | null) => (c === null ? '—' : c ? '✓' : '✗'),
          },
          {
            title: t('console.operator.cases.reward'),
            key: 'reward',
            render: (_: unknown, j) =>
              [
                j.rewardFen !== null && formatFen(j.rewardFen),
                j.rewardPoints !== null && `+${j.rewardPoints}`,
                j.slashPoints !== null && `−${j.slashPoints}`,
              ]
                .filter(Boolean)
                .join(' · ') || '—',
          },
        ]}
      />
    </div>
  );
}

/** Arbitration: each appeal case with its instances, jury, votes (after the reveal) and ruling. */
export function Arbitration() {
  const { t } = useTranslation();
  const cases = useQuery({ queryKey: ['/v1/consensus/appeals', 'all'], queryFn: loadCases });
  let content: React.ReactNode;
  if (cases.isPending) content = <Loading />;
  else if (cases.isError) content = <ErrorState error={cases.error} retry={() => void cases.refetch()} />;
  else if (cases.data.length === 0) content = <EmptyState description={t('console.operator.cases.empty')} />;
  else
    content = cases.data.map((c) => (
      <div key={c.caseId} data-testid={`case-${c.caseId}`} style={{ marginBottom: 16 }}>
        <h4 style={{ margin: '0 0 8px', wordBreak: 'break-all' }}>
          {c.caseId}{' '}
          <Link href={`/explorer?type=consensus.appeal.filed`} style={{ fontSize: 12, fontWeight: 400 }}>
            {t('console.operator.cases.onLog')}
          </Link>
        </h4>
        {c.instances.map((instance) => (
          <InstanceView key={instance.instance} instance={instance} />
        ))}
      </div>
    ));
  return (
    <Section title={t('console.operator.cases.title')} text={t('console.operator.cases.text')}>
      {content}
    </Section>
  );
}
