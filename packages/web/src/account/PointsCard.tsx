import { CrownOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Collapse, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import type { Session } from '../session/session-store';
import { formatDate, formatFen } from '../shared/format';
import { ErrorState } from '../shared/states';
import { type DistributionMe, formatPoints, gap, keys } from './shared';

const TIER_COLOR: Record<string, string> = { normal: 'default', silver: 'geekblue', gold: 'gold' };
const PAGE = 10;
/** Movements whose reference is one of my own orders (a referral's is my friend's). */
const OWN_ORDER_CODES = new Set(['points_cashback', 'points_refund']);

/** My points: the balance, my tier and how it is earned, what came in and went out lately. */
export function PointsCard({ session, channel }: { session: Session; channel: DistributionMe | undefined }) {
  const { t, i18n } = useTranslation();
  const points = useInfiniteQuery({
    queryKey: keys.points(session.did),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/points', { params: { query: { limit: PAGE, ...(pageParam ? { before: pageParam } : {}) } } }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });

  const first = points.data?.pages[0];
  const movements = points.data?.pages.flatMap((page) => page.movements) ?? [];
  return (
    <Card title={t('account.points.title')} size="small" style={{ marginBottom: 12 }} data-testid="points-card">
      {points.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : points.isError || first === undefined ? (
        <ErrorState error={points.error} retry={() => void points.refetch()} />
      ) : (
        <>
          <div style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'space-between', gap: 12 }}>
            <div>
              <Typography.Text type="secondary">{t('account.points.balance')}</Typography.Text>
              <div style={{ fontSize: 34, fontWeight: 700, lineHeight: 1.2 }} data-testid="points-balance">
                {formatPoints(first.balance)}
              </div>
            </div>
            <Tag
              color={TIER_COLOR[first.tier] ?? 'default'}
              icon={<CrownOutlined />}
              style={{ fontSize: 14, padding: '2px 10px', marginInlineEnd: 0 }}
              data-testid="points-tier"
            >
              {t(`account.tier.${first.tier}`, { defaultValue: first.tier })}
            </Tag>
          </div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0' }}>
            {t('account.points.tierRule')}
            {channel !== undefined &&
              `${gap(i18n.language)}${t('account.points.figures', {
                spend: formatFen(channel.stats.spendFen),
                count: channel.stats.invites,
              })}`}
          </Typography.Paragraph>

          <Typography.Text strong>{t('account.points.recent')}</Typography.Text>
          {movements.length === 0 ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
              {t('account.points.none')} <Link href="/">{t('account.orders.goShopping')}</Link>
            </Typography.Paragraph>
          ) : (
            <ul style={{ listStyle: 'none', padding: 0, margin: '4px 0 0' }} data-testid="points-movements">
              {movements.map((move) => {
                const amount = BigInt(move.points);
                return (
                  <li
                    key={`${move.transferId}:${move.seq}`}
                    style={{ display: 'flex', gap: 8, padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}
                  >
                    <div style={{ flex: 1, minWidth: 0 }}>
                      <div>
                        {t(`account.points.codes.${move.code}`, { defaultValue: move.code })}
                        {move.reference !== null && OWN_ORDER_CODES.has(move.code) && (
                          <>
                            {' · '}
                            <Link href={`/orders/${encodeURIComponent(move.reference)}`} style={{ fontSize: 12 }}>
                              {t('account.points.order')}
                            </Link>
                          </>
                        )}
                      </div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatDate(move.createdAt, i18n.language)}
                      </Typography.Text>
                    </div>
                    <span style={{ color: amount < 0n ? '#cf1322' : '#1f6f5c', fontWeight: 600 }}>
                      {formatPoints(amount, { sign: true })}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
          {points.hasNextPage && (
            <Button
              type="link"
              onClick={() => void points.fetchNextPage()}
              loading={points.isFetchingNextPage}
              style={{ paddingInline: 0 }}
            >
              {t('common.loadMore')}
            </Button>
          )}
          {first.lots.length > 0 && (
            <Collapse
              ghost
              size="small"
              style={{ marginTop: 4 }}
              items={[
                {
                  key: 'lots',
                  label: t('account.points.lots'),
                  children: (
                    <>
                      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                        {t('account.points.lotsText')}
                      </Typography.Paragraph>
                      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                        {first.lots.map((lot) => (
                          <li
                            key={lot.earnedOn}
                            style={{ display: 'flex', justifyContent: 'space-between', padding: '4px 0' }}
                          >
                            <span>{formatDate(lot.earnedOn, i18n.language)}</span>
                            <span>{formatPoints(lot.points)}</span>
                          </li>
                        ))}
                      </ul>
                    </>
                  ),
                },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}
