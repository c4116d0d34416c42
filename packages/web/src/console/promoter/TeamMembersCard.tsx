import { ApartmentOutlined } from '@ant-design/icons';
import { Button, Card, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../session/session-store';
import { formatDate, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { type TeamMember, useTeamMembers } from './queries';

/** The promoters I brought in: their level, their sales and their own teams. */
export function TeamMembersCard({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const team = useTeamMembers(session.did);
  const language = i18n.language;
  if (team.isPending) return <Loading />;
  if (team.isError) return <ErrorState error={team.error} retry={() => void team.refetch()} />;
  const items = team.data.pages.flatMap((page) => page.items);
  return (
    <Card
      size="small"
      title={
        <span>
          <ApartmentOutlined /> {t('console.promoter.members.title')}
        </span>
      }
      data-testid="promoter-team-members"
    >
      {items.length === 0 ? (
        <EmptyState description={t('console.promoter.members.none')} />
      ) : (
        <Table<TeamMember>
          size="small"
          rowKey="did"
          dataSource={items}
          pagination={false}
          scroll={{ x: 460 }}
          data-testid="team-members-table"
          columns={[
            {
              title: t('console.promoter.members.who'),
              key: 'who',
              render: (_, m) => (
                <span>
                  <span title={m.did}>{m.displayName ?? shortDid(m.did)}</span>{' '}
                  <Tag color="green">{t(`console.promoter.level.${m.level}`, { defaultValue: m.level })}</Tag>
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                    {t('console.promoter.members.joined', { date: formatDate(m.joinedAt, language) })}
                  </Typography.Text>
                </span>
              ),
            },
            {
              title: t('console.promoter.members.ownSales'),
              dataIndex: 'ownSalesFen',
              align: 'right',
              render: (fen: string) => formatFen(fen),
            },
            {
              title: t('console.promoter.members.teamSales'),
              dataIndex: 'teamSalesFen',
              align: 'right',
              render: (fen: string) => formatFen(fen),
            },
            { title: t('console.promoter.members.members'), dataIndex: 'members', align: 'right' },
          ]}
        />
      )}
      {team.hasNextPage && (
        <Button
          type="link"
          onClick={() => void team.fetchNextPage()}
          loading={team.isFetchingNextPage}
          style={{ paddingInline: 0 }}
          data-testid="team-members-more"
        >
          {t('common.loadMore')}
        </Button>
      )}
    </Card>
  );
}
