import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { formatDateTime } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { type Json, Mono, Section } from './shared';

type Witness = Json<'/v1/log/witnesses'>['witnesses'][number];
const STATUS_COLOR = { in_step: 'green', lagging: 'gold', silent: 'red' } as const;

/** The log's witnesses and quorum, read-only: the configuration changes them, not this page. */
export function Witnesses() {
  const { t, i18n } = useTranslation();
  const witnesses = useQuery({ queryKey: ['/v1/log/witnesses'], queryFn: () => unwrap(api.GET('/v1/log/witnesses')) });
  const info = useQuery({ queryKey: ['/v1/log/info'], queryFn: () => unwrap(api.GET('/v1/log/info')) });
  if (witnesses.isPending || info.isPending) return <Loading />;
  if (witnesses.isError) return <ErrorState error={witnesses.error} retry={() => void witnesses.refetch()} />;
  if (info.isError) return <ErrorState error={info.error} retry={() => void info.refetch()} />;
  const w = witnesses.data;
  return (
    <Section title={t('console.operator.witnesses.title')} text={t('console.operator.witnesses.text')}>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 2, md: 3 }}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'origin', label: t('console.operator.witnesses.origin'), children: info.data.origin },
          {
            key: 'quorum',
            label: t('console.operator.witnesses.quorum'),
            children: <strong data-testid="quorum">{`${w.quorum} / ${w.witnesses.length}`}</strong>,
          },
          {
            key: 'size',
            label: t('console.operator.witnesses.size'),
            children: `${w.publishedSize} / ${w.latestSize}`,
          },
          {
            key: 'key',
            label: t('console.operator.witnesses.logKey'),
            span: 'filled' as const,
            children: <Mono>{info.data.verifierKey}</Mono>,
          },
        ]}
      />
      <Table<Witness>
        rowKey="name"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={w.witnesses}
        data-testid="witnesses"
        locale={{ emptyText: t('console.operator.witnesses.none') }}
        columns={[
          { title: t('console.operator.witnesses.name'), dataIndex: 'name' },
          {
            title: t('console.operator.witnesses.status'),
            dataIndex: 'status',
            render: (status: Witness['status']) => (
              <Tag color={STATUS_COLOR[status]}>{t(`console.operator.witnesses.statuses.${status}`)}</Tag>
            ),
          },
          { title: t('console.operator.witnesses.cosigned'), dataIndex: 'lastCosignedSize' },
          { title: t('console.operator.witnesses.lag'), dataIndex: 'lag' },
          {
            title: t('console.operator.witnesses.lastAt'),
            dataIndex: 'lastCosignedAt',
            render: (at: string | null) => (at === null ? '—' : formatDateTime(at, i18n.language)),
          },
          { title: 'URL', dataIndex: 'url', render: (url: string | null) => url ?? '—' },
        ]}
      />
      <Alert
        style={{ marginTop: 12 }}
        type="info"
        showIcon
        title={t('console.operator.witnesses.howToChange')}
        description={
          <span>
            <code>CONCORD_WITNESSES</code> {t('console.operator.witnesses.varWitnesses')}
            <br />
            <code>CONCORD_WITNESS_QUORUM</code> {t('console.operator.witnesses.varQuorum')}
          </span>
        }
      />
    </Section>
  );
}
