import { TeamOutlined } from '@ant-design/icons';
import { DEFAULT_DISTRIBUTION_POLICY } from '@concord/protocol';
import { Card, Col, Progress, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DistributionMe } from '../../account/shared';
import { Figure } from '../../shared/Figure';
import { formatDate, formatFen, shortDid } from '../../shared/format';

const percent = (have: bigint, need: bigint): number =>
  need <= 0n ? 100 : Number((have >= need ? need : have) * 100n) / Number(need);

/**
 * My level, what the next one asks (the ladder of the distribution policy: the API gives my
 * figures, the protocol's default ladder the thresholds the server runs on), and my team.
 */
export function TeamCard({ channel }: { channel: DistributionMe }) {
  const { t, i18n } = useTranslation();
  const promoter = channel.promoter;
  if (promoter === null) return null;
  const ladder = DEFAULT_DISTRIBUTION_POLICY.levels;
  const index = ladder.findIndex((rule) => rule.level === promoter.level);
  const next = index >= 0 ? ladder[index + 1] : undefined;
  const own = BigInt(channel.stats.ownSalesFen);
  const team = BigInt(channel.stats.teamSalesFen);
  const members = BigInt(channel.stats.directMembers);
  const current = ladder[index];
  return (
    <Card
      size="small"
      title={
        <span>
          <TeamOutlined /> {t('console.promoter.team.title')}
        </span>
      }
      extra={
        <Tag color="green" style={{ marginInlineEnd: 0 }} data-testid="promoter-level">
          {t(`console.promoter.level.${promoter.level}`, { defaultValue: promoter.level })}
        </Tag>
      }
      data-testid="promoter-team"
    >
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Figure label={t('console.promoter.team.ownSales')} value={formatFen(own)} />
        </Col>
        <Col xs={12} md={6}>
          <Figure label={t('console.promoter.team.teamSales')} value={formatFen(team)} />
        </Col>
        <Col xs={12} md={6}>
          <Figure
            label={t('console.promoter.team.members')}
            value={channel.stats.directMembers}
            testId="promoter-members"
          />
        </Col>
        <Col xs={12} md={6}>
          <Figure label={t('console.promoter.team.invites')} value={channel.stats.invites} testId="promoter-invites" />
        </Col>
      </Row>
      {current && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '12px 0 0' }}>
          {t('console.promoter.team.rates', {
            direct: (current.commissionBps / 100).toFixed(1),
            override: (current.overrideBps / 100).toFixed(1),
          })}
        </Typography.Paragraph>
      )}
      {next ? (
        <div style={{ marginTop: 12 }} data-testid="promoter-next-level">
          <Typography.Text strong>
            {t('console.promoter.team.next', {
              level: t(`console.promoter.level.${next.level}`, { defaultValue: next.level }),
            })}
          </Typography.Text>
          {(
            [
              ['ownSales', own, next.minOwnSalesFen, true],
              ['teamSales', team, next.minTeamSalesFen, true],
              ['members', members, BigInt(next.minDirectMembers), false],
            ] as const
          ).map(([key, have, need, money]) => (
            <div key={key} style={{ marginTop: 6 }}>
              <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 12, color: '#5b6b66' }}>
                <span>{t(`console.promoter.team.${key}`)}</span>
                <span>
                  {money ? formatFen(have) : have.toString()} / {money ? formatFen(need) : need.toString()}
                </span>
              </div>
              <Progress
                percent={Math.floor(percent(have, need))}
                size="small"
                showInfo={false}
                aria-label={t(`console.promoter.team.${key}`)}
              />
            </div>
          ))}
        </div>
      ) : (
        <Typography.Paragraph style={{ marginTop: 12 }}>{t('console.promoter.team.top')}</Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '12px 0 0' }}>
        {t('console.promoter.team.joined', { date: formatDate(promoter.joinedAt, i18n.language) })}
        {promoter.upline !== null && ` · ${t('console.promoter.team.upline', { did: shortDid(promoter.upline) })}`}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
        {t('console.promoter.team.noList')}
      </Typography.Paragraph>
    </Card>
  );
}
