import { TeamOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import type { Session } from '../session/session-store';
import { Figure } from '../shared/Figure';
import { formatDate, formatFen, shortDid } from '../shared/format';
import { type DistributionMe, gap, keys } from './shared';

/** A promoter's place in the channel: level, team, and commissions frozen, released and cancelled. */
export function PromoterCard({ session, channel }: { session: Session; channel: DistributionMe }) {
  const { t, i18n } = useTranslation();
  const commissions = useQuery({
    queryKey: keys.commissions(session.did),
    queryFn: () => unwrap(api.GET('/v1/distribution/commissions', { params: { query: { limit: 100 } } })),
  });
  const promoter = channel.promoter;
  if (promoter === null) return null;

  const items = commissions.data?.items ?? [];
  const net = (c: (typeof items)[number]) => BigInt(c.amountFen) - BigInt(c.cancelledFen) - BigInt(c.clawedBackFen);
  const sum = (status: string, of: (c: (typeof items)[number]) => bigint) =>
    items.filter((c) => c.status === status).reduce((total, c) => total + of(c), 0n);
  const frozen = sum('frozen', net);
  const released = sum('released', net);
  const cancelled = items.reduce((total, c) => total + BigInt(c.cancelledFen) + BigInt(c.clawedBackFen), 0n);
  const nextUnfreeze = items
    .filter((c) => c.status === 'frozen')
    .map((c) => c.frozenUntil)
    .sort()[0];

  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      data-testid="promoter-card"
      title={
        <span>
          <TeamOutlined /> {t('account.promoter.title')}
        </span>
      }
      extra={
        <Tag color="green" style={{ marginInlineEnd: 0 }} data-testid="promoter-level">
          {t(`account.level.${promoter.level}`, { defaultValue: promoter.level })}
        </Tag>
      }
    >
      <Row gutter={[12, 12]}>
        <Col span={8}>
          <Figure label={t('account.promoter.ownSales')} value={formatFen(channel.stats.ownSalesFen)} />
        </Col>
        <Col span={8}>
          <Figure label={t('account.promoter.teamSales')} value={formatFen(channel.stats.teamSalesFen)} />
        </Col>
        <Col span={8}>
          <Figure label={t('account.promoter.members')} value={channel.stats.directMembers} />
        </Col>
      </Row>
      <Typography.Text strong style={{ display: 'block', margin: '14px 0 6px' }}>
        {t('account.promoter.commissions')}
      </Typography.Text>
      {commissions.isPending ? (
        <Skeleton active paragraph={{ rows: 1 }} title={false} />
      ) : commissions.isError ? (
        <Typography.Text type="danger">{commissions.error.message}</Typography.Text>
      ) : (
        <Row gutter={[12, 12]}>
          <Col span={8}>
            <Figure
              label={t('account.promoter.frozen')}
              value={formatFen(frozen)}
              testId="commissions-frozen"
              hint={
                nextUnfreeze === undefined
                  ? undefined
                  : t('account.promoter.unfreezes', { date: formatDate(nextUnfreeze, i18n.language) })
              }
            />
          </Col>
          <Col span={8}>
            <Figure label={t('account.promoter.released')} value={formatFen(released)} testId="commissions-released" />
          </Col>
          <Col span={8}>
            <Figure label={t('account.promoter.cancelled')} value={formatFen(cancelled)} />
          </Col>
        </Row>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '12px 0 0' }}>
        {t('account.promoter.available', { amount: formatFen(channel.balances.earningsAvailableFen) })}
        {BigInt(channel.balances.debtFen) > 0n &&
          `${gap(i18n.language)}${t('account.promoter.debt', { amount: formatFen(channel.balances.debtFen) })}`}
        {promoter.upline !== null &&
          `${gap(i18n.language)}${t('account.promoter.upline', { did: shortDid(promoter.upline) })}`}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
        {t('account.promoter.rule')} <Link href="/invite">{t('account.me.invite')}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
