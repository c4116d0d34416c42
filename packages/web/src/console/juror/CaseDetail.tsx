import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import type { Session } from '../../session/session-store';
import { formatDateTime, formatFen, shortDid } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { EvidenceTable } from './EvidenceTable';
import { type JuryItem, jurorKeys, type TalliedAttribute } from './queries';
import { VotePanel } from './VotePanel';

const STATUS_COLOR = { awaiting_bond: 'default', voting: 'blue', ruled: 'green', lapsed: 'default' } as const;

/** One case I sit on: the appeal and its grounds, the round's evidence, my vote, and the outcome. */
export function CaseDetail({ session, item }: { session: Session; item: JuryItem }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const appeal = useQuery({
    queryKey: jurorKeys.appeal(item.caseId),
    queryFn: () => unwrap(api.GET('/v1/consensus/appeals/{caseId}', { params: { path: { caseId: item.caseId } } })),
  });
  const round = useQuery({
    queryKey: jurorKeys.round(item.roundId),
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds/{id}', { params: { path: { id: item.roundId } } })),
  });
  const tally = useQuery({
    queryKey: jurorKeys.tally(item.roundId),
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds/{id}/tally', { params: { path: { id: item.roundId } } })),
  });
  if (appeal.isPending) return <Loading rows={6} />;
  if (appeal.isError) return <ErrorState error={appeal.error} retry={() => void appeal.refetch()} />;
  const instance = appeal.data.instances.find((i) => i.instance === item.instance);
  if (instance === undefined) return <ErrorState error={new Error(item.caseId)} />;
  const me = instance.jurors.find((j) => j.juror === session.did);
  const attributes =
    (tally.data?.tallies.at(-1)?.result as { attributes?: TalliedAttribute[] } | undefined)?.attributes ?? [];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="case-detail">
      <Card
        size="small"
        title={t('console.juror.case.title', { caseId: item.caseId, instance: item.instance + 1 })}
        extra={<Tag color={STATUS_COLOR[instance.status]}>{t(`console.juror.status.${instance.status}`)}</Tag>}
      >
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            {
              key: 'verdict',
              label: t('console.juror.case.appealed'),
              children: t(`console.juror.verdict.${instance.verdictAppealed}`),
            },
            {
              key: 'appellant',
              label: t('console.juror.case.appellant'),
              children: <code title={instance.appellant}>{shortDid(instance.appellant)}</code>,
            },
            { key: 'bond', label: t('console.juror.case.bond'), children: formatFen(instance.bondFen) },
            {
              key: 'jury',
              label: t('console.juror.case.jury'),
              children: t('console.juror.case.jurySize', { count: instance.jurors.length }),
            },
          ]}
        />
        <Typography.Paragraph style={{ margin: '8px 0 0' }}>
          <strong>{t('console.juror.case.grounds')}</strong>
          <span style={{ display: 'block', whiteSpace: 'pre-wrap' }} data-testid="case-grounds">
            {instance.grounds}
          </span>
        </Typography.Paragraph>
      </Card>

      <VotePanel session={session} appeal={instance} next={item.next} />

      <Card size="small" title={t('console.juror.evidence.title')} data-testid="case-evidence">
        {round.isPending ? (
          <Loading rows={3} />
        ) : round.isError ? (
          <ErrorState error={round.error} retry={() => void round.refetch()} />
        ) : (
          <Typography.Paragraph>
            {t('console.juror.evidence.round', {
              lot: round.data.lotId,
              verdict:
                round.data.verdict === 'pass' || round.data.verdict === 'fail'
                  ? t(`console.juror.verdict.${round.data.verdict}`)
                  : (round.data.verdict ?? '—'),
              drawn: round.data.testers.length,
              revealed: round.data.testers.filter((x) => x.revealStatus === 'valid').length,
            })}{' '}
            <Link href={`/products/${encodeURIComponent(round.data.productId)}`}>
              {t('console.juror.evidence.product')}
            </Link>
            {tally.data?.decidedAt && (
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {t('console.juror.evidence.decided', { at: formatDateTime(tally.data.decidedAt, language) })}
              </Typography.Text>
            )}
          </Typography.Paragraph>
        )}
        {tally.isError ? (
          <ErrorState error={tally.error} retry={() => void tally.refetch()} />
        ) : attributes.length > 0 && round.data ? (
          <EvidenceTable attributes={attributes} productId={round.data.productId} />
        ) : tally.isPending || round.isPending ? (
          <Loading rows={3} />
        ) : (
          <Typography.Text type="secondary">{t('console.juror.evidence.noTally')}</Typography.Text>
        )}
      </Card>

      <Card size="small" title={t('console.juror.outcome.title')} data-testid="case-outcome">
        {instance.ruling ? (
          <Typography.Paragraph data-testid="case-ruling">
            {t(`console.juror.outcome.ruling.${instance.ruling}`)}
          </Typography.Paragraph>
        ) : (
          <Typography.Paragraph type="secondary">{t('console.juror.outcome.pending')}</Typography.Paragraph>
        )}
        {me && me.coherent !== null && (
          <Typography.Paragraph data-testid="my-outcome">
            {me.coherent
              ? t('console.juror.outcome.coherent', { fee: formatFen(me.rewardFen ?? '0') })
              : t('console.juror.outcome.incoherent', { points: me.slashPoints ?? '0' })}
          </Typography.Paragraph>
        )}
        <List
          size="small"
          dataSource={instance.jurors}
          renderItem={(j) => (
            <List.Item>
              <span>
                <code title={j.juror}>{shortDid(j.juror)}</code>{' '}
                {j.juror === session.did && <Tag color="green">{t('console.juror.outcome.me')}</Tag>}
              </span>
              <span>
                <Tag>
                  {j.committed ? t('console.juror.outcome.committed') : t('console.juror.outcome.notCommitted')}
                </Tag>
                {j.revealed && <Tag>{t('console.juror.outcome.revealed')}</Tag>}
                {j.vote && <Tag color="blue">{t(`console.juror.vote.choice.${j.vote}`)}</Tag>}
              </span>
            </List.Item>
          )}
        />
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('console.juror.outcome.rule')}
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}
