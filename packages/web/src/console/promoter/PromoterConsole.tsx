import { useQuery } from '@tanstack/react-query';
import { Alert, Col, Row, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { SignInPrompt, useDistributionMe } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { localized } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { CommissionsCard } from './CommissionsCard';
import { CustomersCard } from './CustomersCard';
import { LinksCard } from './LinksCard';
import { promoterKeys } from './queries';
import { TeamCard } from './TeamCard';
import { TeamMembersCard } from './TeamMembersCard';
import { WithdrawalsCard } from './WithdrawalsCard';

/**
 * The promoter's console: links and QR codes, team and level, who is in my team and who is bound
 * to me, commissions and withdrawals.
 */
export function PromoterConsole() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const channel = useDistributionMe(session);
  const products = useQuery({
    queryKey: promoterKeys.products,
    queryFn: () => unwrap(api.GET('/v1/catalog/products', { params: { query: { limit: 50 } } })),
    enabled: session !== null,
  });
  if (session === null) return <SignInPrompt next="/console/promoter" />;
  if (channel.isPending) return <Loading rows={8} />;
  if (channel.isError) return <ErrorState error={channel.error} retry={() => void channel.refetch()} />;

  const titles = new Map((products.data?.items ?? []).map((p) => [p.id, localized(p.title, i18n.language)]));
  const shops = new Map<string, string>();
  for (const p of products.data?.items ?? []) {
    if (!shops.has(p.producerDid))
      shops.set(p.producerDid, t('console.promoter.make.shopOf', { title: localized(p.title, i18n.language) }));
  }
  return (
    <div data-testid="promoter-console">
      <Typography.Title level={3} style={{ fontSize: 20, margin: '4px 0 4px' }}>
        {t('console.promoter.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.promoter.intro')}</Typography.Paragraph>
      {channel.data.promoter === null ? (
        <Alert
          type="info"
          showIcon
          data-testid="not-promoter"
          title={t('console.promoter.notPromoter')}
          description={<Link href="/invite">{t('console.promoter.toInvite')}</Link>}
        />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <Space orientation="vertical" size={16} style={{ width: '100%' }}>
              <TeamCard channel={channel.data} />
              <TeamMembersCard session={session} />
              <LinksCard links={channel.data.links} titles={titles} shops={shops} />
            </Space>
          </Col>
          <Col xs={24} lg={12}>
            <Space orientation="vertical" size={16} style={{ width: '100%' }}>
              <CommissionsCard session={session} />
              <CustomersCard session={session} titles={titles} />
              <WithdrawalsCard session={session} channel={channel.data} />
            </Space>
          </Col>
        </Row>
      )}
    </div>
  );
}
