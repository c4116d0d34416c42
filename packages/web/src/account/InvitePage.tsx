import { CopyOutlined, DownloadOutlined, GiftOutlined, ShareAltOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Input, message, Row, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { type Session, useSession } from '../session/session-store';
import { submitEvent } from '../session/signer';
import { useErrorText } from '../shared/error-text';
import { formatDate, shortDid } from '../shared/format';
import { MutationError } from '../shared/MutationError';
import { ErrorState, Loading } from '../shared/states';
import { copyText, shareQrUrl, shareUrl } from './copy';
import { type DistributionMe, formatPoints, keys, PageTitle, SignInPrompt, useDistributionMe } from './shared';

function InviteLink({ code, promoter }: { code: string; promoter: boolean }) {
  const { t } = useTranslation();
  const [toast, holder] = message.useMessage();
  const url = shareUrl(code);
  const canShare = typeof navigator.share === 'function';
  const copy = async () => {
    if (await copyText(url)) void toast.success(t('account.invite.copied'));
    else void toast.error(t('account.invite.copyFailed'));
  };
  return (
    <Card size="small" style={{ marginBottom: 12 }} data-testid="invite-link">
      {holder}
      <Row gutter={[20, 16]} align="middle">
        <Col xs={24} md={10} style={{ textAlign: 'center' }}>
          <img
            src={shareQrUrl(code, 440)}
            alt={t('account.invite.qrAlt')}
            width={220}
            height={220}
            style={{ maxWidth: '100%', height: 'auto', border: '1px solid #f0f0f0', borderRadius: 8 }}
            data-testid="invite-qr"
          />
          <div>
            <Typography.Link href={shareQrUrl(code, 880)} download={`concord-invite-${code}.png`}>
              <DownloadOutlined /> {t('account.invite.saveQr')}
            </Typography.Link>
          </div>
        </Col>
        <Col xs={24} md={14}>
          <Typography.Paragraph style={{ marginBottom: 8 }}>
            {promoter ? t('account.invite.linkTextPromoter') : t('account.invite.linkText')}
          </Typography.Paragraph>
          <Space.Compact style={{ width: '100%' }}>
            <Input
              readOnly
              value={url}
              aria-label={t('account.invite.urlLabel')}
              onFocus={(event) => event.target.select()}
              data-testid="invite-url"
            />
            <Button type="primary" icon={<CopyOutlined />} onClick={() => void copy()} data-testid="copy-invite">
              {t('common.copy')}
            </Button>
          </Space.Compact>
          {canShare && (
            <Button
              icon={<ShareAltOutlined />}
              style={{ marginTop: 8 }}
              onClick={() =>
                void navigator.share({ title: t('account.invite.shareTitle'), url }).catch(() => undefined)
              }
            >
              {t('account.invite.shareTo')}
            </Button>
          )}
        </Col>
      </Row>
    </Card>
  );
}

function MakeInvite({ session }: { session: Session }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const create = useMutation({
    mutationFn: () => submitEvent('distribution.link.created', { kind: 'invite' }),
    // Busy until the channel is read again: the new link then takes this card's place.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.distribution(session.did) }),
  });
  return (
    <Card size="small" style={{ marginBottom: 12, textAlign: 'center' }}>
      <GiftOutlined style={{ fontSize: 40, color: '#1f6f5c' }} aria-hidden />
      <Typography.Paragraph style={{ margin: '12px 0' }}>{t('account.invite.none')}</Typography.Paragraph>
      <Button
        type="primary"
        size="large"
        loading={create.isPending}
        onClick={() => create.mutate()}
        data-testid="create-invite"
      >
        {t('account.invite.create')}
      </Button>
      <MutationError mutation={create} text={errorText} style={{ marginTop: 12, textAlign: 'start' }} />
    </Card>
  );
}

function Friends({ session, channel }: { session: Session; channel: DistributionMe }) {
  const { t, i18n } = useTranslation();
  const points = useQuery({
    queryKey: [...keys.points(session.did), 'awards'],
    queryFn: () => unwrap(api.GET('/v1/points', { params: { query: { limit: 50 } } })),
  });
  const referrals = (points.data?.awards ?? []).filter((award) => award.kind === 'referral');
  return (
    <Card size="small" title={t('account.invite.friends')} style={{ marginBottom: 12 }} data-testid="invite-friends">
      <Row gutter={12}>
        <Col span={channel.promoter ? 12 : 24}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('account.invite.invitesDone')}
          </Typography.Text>
          <div style={{ fontSize: 22, fontWeight: 600 }} data-testid="invite-count">
            {channel.stats.invites}
          </div>
        </Col>
        {channel.promoter && (
          <Col span={12}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('account.promoter.members')}
            </Typography.Text>
            <div style={{ fontSize: 22, fontWeight: 600 }}>{channel.stats.directMembers}</div>
          </Col>
        )}
      </Row>
      {referrals.length > 0 && (
        <>
          <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
            {t('account.invite.rewards')}
          </Typography.Text>
          <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {referrals.map((award) => (
              <li key={award.id} style={{ display: 'flex', justifyContent: 'space-between', padding: '6px 0' }}>
                <span>{formatDate(award.createdAt, i18n.language)}</span>
                <span style={{ color: '#1f6f5c', fontWeight: 600 }}>
                  +{formatPoints(BigInt(award.points) - BigInt(award.reversedPoints))} {t('account.points.unit')}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {channel.invitedBy && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('account.me.invitedBy', { did: shortDid(channel.invitedBy) })}
        </Typography.Paragraph>
      )}
    </Card>
  );
}

/** My invitation: the link and its QR code, who came by it, and how the reward works. */
export function InvitePage() {
  const { t } = useTranslation();
  const session = useSession();
  const channel = useDistributionMe(session);

  if (session === null) return <SignInPrompt next="/invite" text={t('account.invite.signIn')} />;
  if (channel.isPending) return <Loading rows={6} />;
  if (channel.isError) return <ErrorState error={channel.error} retry={() => void channel.refetch()} />;

  const promoter = channel.data.promoter !== null;
  const invite = channel.data.links.find((link) => link.kind === 'invite');
  const steps = promoter
    ? (['promoter1', 'promoter2', 'promoter3'] as const)
    : (['member1', 'member2', 'member3'] as const);
  return (
    <div style={{ maxWidth: 760, margin: '0 auto' }} data-testid="invite-page">
      <PageTitle>{t('account.invite.title')}</PageTitle>
      {invite === undefined ? <MakeInvite session={session} /> : <InviteLink code={invite.code} promoter={promoter} />}
      <Card size="small" title={t('account.invite.how')} style={{ marginBottom: 12 }}>
        <ol style={{ paddingInlineStart: 20, margin: 0 }}>
          {steps.map((step) => (
            <li key={step} style={{ marginBottom: 6 }}>
              {t(`account.invite.steps.${step}`)}
            </li>
          ))}
        </ol>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('account.invite.fair')}
        </Typography.Paragraph>
      </Card>
      <Friends session={session} channel={channel.data} />
    </div>
  );
}
