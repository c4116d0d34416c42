import { GiftOutlined, ShopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Result, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { ApiError, api, unwrap } from '../api/client';
import { type Session, useSession } from '../session/session-store';
import { submitEvent } from '../session/signer';
import { useErrorText } from '../shared/error-text';
import { formatFen, localized, shortDid } from '../shared/format';
import { ErrorState, Loading } from '../shared/states';
import { keys, type ShareLink, signInHref, useDistributionMe } from './shared';

export const SHARE_CODE_KEY = 'concord.shareCode';

/** Where the visitor goes on from the link: the product shared, or the storefront. */
const destinationOf = (link: ShareLink): string =>
  link.kind === 'product' && link.productId !== null ? `/products/${encodeURIComponent(link.productId)}` : '/';

function ProductCard({ productId }: { productId: string }) {
  const { t, i18n } = useTranslation();
  const product = useQuery({
    queryKey: ['/v1/catalog/products', productId],
    queryFn: () => unwrap(api.GET('/v1/catalog/products/{id}', { params: { path: { id: productId } } })),
  });
  if (product.isPending) return <Loading rows={2} />;
  if (product.isError) return null;
  const data = product.data;
  const image = data.imageUrls[0];
  const price =
    data.minPriceFen === data.maxPriceFen
      ? formatFen(data.minPriceFen)
      : `${formatFen(data.minPriceFen)} – ${formatFen(data.maxPriceFen)}`;
  return (
    <Card size="small" style={{ marginTop: 12 }} data-testid="share-product-card">
      <div style={{ display: 'flex', gap: 12, alignItems: 'center' }}>
        {image !== undefined && (
          <img
            src={image}
            alt={localized(data.title, i18n.language)}
            width={88}
            height={88}
            style={{ objectFit: 'cover', borderRadius: 8, flex: 'none', background: '#f5f5f5' }}
          />
        )}
        <div style={{ flex: 1, minWidth: 0 }}>
          <Typography.Text strong style={{ display: 'block', fontSize: 16 }}>
            {localized(data.title, i18n.language)}
          </Typography.Text>
          <div style={{ color: '#cf1322', fontSize: 16, fontWeight: 600 }}>{price}</div>
          {data.verdict === 'passed' && <Tag color="green">{t('account.share.verified')}</Tag>}
        </div>
      </div>
      {data.status !== 'listed' && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('account.share.notForSale')}
        </Typography.Text>
      )}
    </Card>
  );
}

type Outcome = { tone: 'success' | 'info' | 'warning'; text: string };

/** Accepting the link: one signed event, its answer in plain words, never an error page. */
function Accept({ session, link }: { session: Session; link: ShareLink }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const channel = useDistributionMe(session);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const owner = shortDid(link.owner);
  // The outcome stays set while a retry runs: the warning stays in view with its busy button.
  const accept = useMutation({
    mutationFn: () => submitEvent('distribution.binding.created', { code: link.code }),
    onSuccess: (receipt) => {
      const result = receipt.result as {
        binding?: string;
        promoter?: string | null;
        invited?: boolean;
        inviter?: string | null;
      };
      const promoter = result.promoter ? shortDid(result.promoter) : owner;
      if (result.binding === 'bind' || result.binding === 'renew') {
        setOutcome({ tone: 'success', text: t('account.share.bound', { owner: promoter }) });
      } else if (result.binding === 'keep') {
        setOutcome({ tone: 'info', text: t('account.share.kept', { owner: promoter }) });
      } else if (result.invited) {
        setOutcome({ tone: 'success', text: t('account.share.invited', { owner }) });
      } else if (result.inviter) {
        setOutcome({ tone: 'info', text: t('account.share.invitedBefore', { owner: shortDid(result.inviter) }) });
      } else {
        setOutcome({ tone: 'info', text: t('account.share.notNew') });
      }
      localStorage.removeItem(SHARE_CODE_KEY);
      return queryClient.invalidateQueries({ queryKey: keys.distribution(session.did) });
    },
    onError: (error) => {
      const code = error instanceof ApiError ? error.code : '';
      const known = ['self_referral', 'referral_cycle', 'not_a_promoter', 'self_binding'].includes(code);
      // A refusal is final for this link: nothing is left to accept later.
      if (known) localStorage.removeItem(SHARE_CODE_KEY);
      setOutcome({
        tone: known ? 'info' : 'warning',
        text: known ? t(`account.share.refused.${code}`, { owner }) : errorText(error),
      });
    },
  });
  const destination = destinationOf(link);
  const goOn = (
    <Link href={destination}>
      <Button type="primary" size="large" data-testid="share-continue">
        {link.kind === 'product' ? t('account.share.viewProduct') : t('account.share.goHome')}
      </Button>
    </Link>
  );

  if (link.owner === session.did) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon title={t('account.share.own')} data-testid="share-outcome" />
        {goOn}
      </Space>
    );
  }
  if (channel.isPending) return <Loading rows={1} />;
  const already =
    channel.data !== undefined && (channel.data.boundTo === link.owner || channel.data.invitedBy === link.owner);
  if (outcome === null && already) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="success" showIcon title={t('account.share.already', { owner })} data-testid="share-outcome" />
        {goOn}
      </Space>
    );
  }

  if (outcome !== null) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type={outcome.tone} showIcon title={outcome.text} data-testid="share-outcome" />
        {outcome.tone === 'warning' ? (
          <Button onClick={() => accept.mutate()} loading={accept.isPending}>
            {t('common.retry')}
          </Button>
        ) : (
          goOn
        )}
      </Space>
    );
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph style={{ margin: 0 }}>
        {link.kind === 'invite'
          ? t('account.share.acceptInviteText', { owner })
          : t('account.share.acceptText', { owner })}
      </Typography.Paragraph>
      <Space wrap>
        <Button
          type="primary"
          size="large"
          loading={accept.isPending}
          onClick={() => accept.mutate()}
          data-testid="accept-invite"
        >
          {link.kind === 'invite' ? t('account.share.acceptInvite') : t('account.share.accept')}
        </Button>
        <Link href={destination}>
          <Button size="large">{t('account.share.later')}</Button>
        </Link>
      </Space>
    </Space>
  );
}

/** Where a share link lands: who shared what, and, signed in, the binding to who shared it. */
export function ShareLandingPage() {
  const { code = '' } = useParams<{ code: string }>();
  const { t } = useTranslation();
  const session = useSession();
  const link = useQuery({
    queryKey: keys.link(code),
    queryFn: () => unwrap(api.GET('/v1/links/{code}', { params: { path: { code } } })),
    retry: false,
  });

  // Kept for later: a visitor who signs up first comes back here (or checks out) with it.
  useEffect(() => {
    if (link.data !== undefined) globalThis.localStorage?.setItem(SHARE_CODE_KEY, link.data.code);
  }, [link.data]);

  if (link.isPending) return <Loading rows={4} />;
  if (link.isError) {
    const status = link.error instanceof ApiError ? link.error.status : 0;
    if (status === 404 || status === 400) {
      return (
        <Result
          status="404"
          title={t('account.share.unknownTitle')}
          subTitle={t('account.share.unknownText')}
          data-testid="share-unknown"
          extra={
            <Link href="/">
              <Button type="primary">{t('account.share.goHome')}</Button>
            </Link>
          }
        />
      );
    }
    return <ErrorState error={link.error} retry={() => void link.refetch()} />;
  }

  const data = link.data;
  const owner = shortDid(data.owner);
  const heading =
    data.kind === 'invite'
      ? t('account.share.inviteTitle', { owner })
      : data.kind === 'product'
        ? t('account.share.productTitle', { owner })
        : t('account.share.shopTitle', { owner, producer: shortDid(data.producer ?? '') });
  return (
    <div style={{ maxWidth: 640, margin: '0 auto' }} data-testid="share-landing">
      <Card>
        <div style={{ textAlign: 'center', marginBottom: 8 }}>
          {data.kind === 'shop' ? (
            <ShopOutlined style={{ fontSize: 40, color: '#1f6f5c' }} aria-hidden />
          ) : (
            <GiftOutlined style={{ fontSize: 40, color: '#1f6f5c' }} aria-hidden />
          )}
          <Typography.Title level={3} style={{ margin: '8px 0 4px', fontSize: 20 }} data-testid="share-heading">
            {heading}
          </Typography.Title>
          <Typography.Text type="secondary">{t('account.share.why')}</Typography.Text>
        </div>
        {data.kind === 'product' && data.productId !== null && <ProductCard productId={data.productId} />}
        <div style={{ marginTop: 16 }}>
          {session === null ? (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Typography.Paragraph style={{ margin: 0 }}>{t('account.share.signedOut')}</Typography.Paragraph>
              <Space wrap>
                <Link href={signInHref(`/s/${data.code}`)}>
                  <Button type="primary" size="large" data-testid="share-sign-in">
                    {t('account.share.signUp')}
                  </Button>
                </Link>
                <Link href={destinationOf(data)}>
                  <Button size="large" data-testid="share-browse">
                    {data.kind === 'product' ? t('account.share.justLook') : t('account.share.goHome')}
                  </Button>
                </Link>
              </Space>
            </Space>
          ) : (
            <Accept session={session} link={data} />
          )}
        </div>
      </Card>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12, textAlign: 'center' }}>
        {t('account.share.rules')}
      </Typography.Paragraph>
    </div>
  );
}
