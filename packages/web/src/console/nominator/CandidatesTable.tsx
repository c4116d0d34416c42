import { useQuery } from '@tanstack/react-query';
import { Card, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatPoints } from '../../account/shared';
import { ApiError, api, unwrap } from '../../api/client';
import { shortDid } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { latestAccuracy } from './accuracy';
import { type Candidate, nominatorKeys, type RoundSummary, type Tally } from './queries';

/**
 * The category's panel: the one of its latest round's cycle (what drew its testers), or, with no
 * round yet, this cycle's (none may be elected yet: then there is no panel to show).
 */
function usePanel(category: string, rounds: RoundSummary[], roundsLoaded: boolean) {
  const latestCycle = rounds.filter((round) => round.category === category).map((round) => round.cycle)[0];
  return useQuery({
    queryKey: [...nominatorKeys.panel(category), latestCycle ?? null],
    queryFn: async () => {
      try {
        return await unwrap(
          api.GET('/v1/consensus/panels/{category}', {
            params: { path: { category }, query: latestCycle === undefined ? {} : { cycle: latestCycle } },
          }),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    enabled: roundsLoaded,
    retry: false,
  });
}

/** Candidates of a category: commission, EP now, latest accuracy, backing, and whether elected. */
export function CandidatesTable({
  category,
  rounds,
  roundsLoaded,
  tallies,
  mine,
}: {
  category: string;
  rounds: RoundSummary[];
  roundsLoaded: boolean;
  tallies: Tally[];
  mine: Set<string>;
}) {
  const { t } = useTranslation();
  const candidates = useQuery({
    queryKey: nominatorKeys.candidates(category),
    queryFn: () => unwrap(api.GET('/v1/consensus/candidates', { params: { query: { category, limit: 100 } } })),
  });
  const panel = usePanel(category, rounds, roundsLoaded);
  const accuracy = latestAccuracy(rounds, tallies, category);
  const elected = new Map((panel.data?.members ?? []).map((member) => [member.did, member]));

  return (
    <Card
      size="small"
      title={t('console.nominator.candidates.title')}
      data-testid="candidates"
      extra={
        panel.data && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="panel-cycle">
            {t('console.nominator.candidates.panel', { cycle: panel.data.cycle, seats: panel.data.members.length })}
          </Typography.Text>
        )
      }
    >
      {candidates.isPending ? (
        <Loading rows={4} />
      ) : candidates.isError ? (
        <ErrorState error={candidates.error} retry={() => void candidates.refetch()} />
      ) : (
        <Table<Candidate>
          size="small"
          rowKey="did"
          dataSource={[...candidates.data.items].sort((a, b) => b.ep - a.ep)}
          pagination={false}
          scroll={{ x: 520 }}
          locale={{ emptyText: t('console.nominator.candidates.none') }}
          columns={[
            {
              title: t('console.nominator.candidates.tester'),
              dataIndex: 'did',
              render: (did: string, c) => (
                <span data-testid={`candidate-${did}`}>
                  <code title={did}>{shortDid(did)}</code>
                  <br />
                  {mine.has(did) && <Tag color="green">{t('console.nominator.candidates.mine')}</Tag>}
                  {elected.has(did) && <Tag color="blue">{t('console.nominator.candidates.elected')}</Tag>}
                  {!c.eligible && <Tag>{t('console.nominator.candidates.ineligible')}</Tag>}
                </span>
              ),
            },
            {
              title: t('console.nominator.candidates.commission'),
              dataIndex: 'commissionBps',
              align: 'right',
              render: (bps: number) => `${(bps / 100).toFixed(1)}%`,
            },
            {
              title: t('console.nominator.candidates.ep'),
              dataIndex: 'ep',
              align: 'right',
              render: (ep: number) => ep.toFixed(2),
            },
            {
              title: t('console.nominator.candidates.accuracy'),
              key: 'accuracy',
              align: 'right',
              render: (_, c) => {
                const value = accuracy.get(c.did);
                return value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
              },
            },
            {
              title: t('console.nominator.candidates.backing'),
              key: 'backing',
              align: 'right',
              render: (_, c) => (
                <span data-testid="candidate-backing">
                  {formatPoints(c.backingPoints)}
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {t('console.nominator.candidates.nominators', { count: c.nominators })}
                  </Typography.Text>
                </span>
              ),
            },
          ]}
        />
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.nominator.candidates.help')}
      </Typography.Paragraph>
    </Card>
  );
}
