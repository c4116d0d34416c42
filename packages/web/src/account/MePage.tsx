import {
  AppstoreOutlined,
  CarOutlined,
  CheckCircleOutlined,
  GiftOutlined,
  GlobalOutlined,
  InboxOutlined,
  RightOutlined,
  SafetyCertificateOutlined,
  UnorderedListOutlined,
  UserOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import { Avatar, Card, Segmented, Skeleton, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { Language } from '../i18n';
import { type Session, useSession } from '../session/session-store';
import { useMe } from '../session/use-me';
import { shortDid } from '../shared/format';
import { ErrorState } from '../shared/states';
import { PointsCard } from './PointsCard';
import { PromoterCard } from './PromoterCard';
import { gap, SignInPrompt, useDistributionMe } from './shared';

/** 中文 ⇄ English, here too: on a phone the header has no room for the switch. */
function LanguageChoice() {
  const { t, i18n } = useTranslation();
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '10px 0' }}>
      <GlobalOutlined aria-hidden />
      <span style={{ flex: 1 }} id="me-language">
        {t('language')}
      </span>
      <Segmented<Language>
        aria-labelledby="me-language"
        value={i18n.language as Language}
        onChange={(language) => void i18n.changeLanguage(language)}
        options={[
          { value: 'zh-CN', label: '中文' },
          { value: 'en', label: 'English' },
        ]}
        data-testid="me-language"
      />
    </div>
  );
}

function MenuLink({
  href,
  icon,
  label,
  hint,
  testId,
}: {
  href: string;
  icon: ReactNode;
  label: ReactNode;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <Link
      href={href}
      data-testid={testId}
      style={{
        display: 'flex',
        alignItems: 'center',
        gap: 12,
        padding: '12px 0',
        borderBottom: '1px solid #f0f0f0',
        color: 'inherit',
      }}
    >
      <span aria-hidden style={{ fontSize: 18, color: '#1f6f5c' }}>
        {icon}
      </span>
      <span style={{ flex: 1, minWidth: 0 }}>
        <span style={{ display: 'block' }}>{label}</span>
        {hint && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {hint}
          </Typography.Text>
        )}
      </span>
      <RightOutlined aria-hidden style={{ color: '#bbb' }} />
    </Link>
  );
}

const SHORTCUTS = [
  { status: 'created', icon: <UnorderedListOutlined /> },
  { status: 'paid', icon: <InboxOutlined /> },
  { status: 'shipped', icon: <CarOutlined /> },
  { status: 'completed', icon: <CheckCircleOutlined /> },
] as const;

function OrdersCard() {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      title={t('account.me.orders')}
      extra={
        <Link href="/orders" data-testid="me-orders">
          {t('account.me.allOrders')} <RightOutlined />
        </Link>
      }
    >
      <nav aria-label={t('account.me.orders')} style={{ display: 'flex' }}>
        {SHORTCUTS.map((shortcut) => (
          <Link
            key={shortcut.status}
            href={`/orders?status=${shortcut.status}`}
            style={{
              flex: 1,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              gap: 4,
              color: 'inherit',
              padding: '4px 0',
            }}
          >
            <span aria-hidden style={{ fontSize: 22, color: '#1f6f5c' }}>
              {shortcut.icon}
            </span>
            <span style={{ fontSize: 12 }}>{t(`account.orders.filter.${shortcut.status}`)}</span>
          </Link>
        ))}
      </nav>
    </Card>
  );
}

function AccountCard({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const me = useMe(session);
  const channel = useDistributionMe(session);
  const name = me.data?.profile.displayName;
  return (
    <Card style={{ marginBottom: 12 }} data-testid="me-account">
      <div style={{ display: 'flex', gap: 14, alignItems: 'center' }}>
        <Avatar size={56} icon={<UserOutlined />} style={{ background: '#1f6f5c', flex: 'none' }} />
        <div style={{ flex: 1, minWidth: 0 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {name ?? t('account.me.title')}
          </Typography.Title>
          <Typography.Text
            copyable={{ text: session.did, tooltips: [t('account.me.copyDid'), t('common.copied')] }}
            title={session.did}
            data-testid="me-did"
            style={{ fontFamily: 'monospace' }}
          >
            {shortDid(session.did)}
          </Typography.Text>
        </div>
      </div>
      <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', marginTop: 12 }}>
        <Tag color={session.custody === 'self' ? 'green' : 'blue'} data-testid="me-custody">
          {t(`account.me.custody.${session.custody}`)}
        </Tag>
        {me.isPending ? (
          <Skeleton.Button active size="small" />
        ) : (
          me.data?.roles.map((role) => (
            <Tag key={role} data-testid={`me-role-${role}`}>
              {t(`account.roles.${role}`, { defaultValue: role })}
            </Tag>
          ))
        )}
      </div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t(`account.me.custodyText.${session.custody}`)}
        {channel.data?.boundTo &&
          `${gap(i18n.language)}${t('account.me.boundTo', { did: shortDid(channel.data.boundTo) })}`}
        {channel.data?.invitedBy &&
          `${gap(i18n.language)}${t('account.me.invitedBy', { did: shortDid(channel.data.invitedBy) })}`}
      </Typography.Paragraph>
      {me.isError && <ErrorState error={me.error} retry={() => void me.refetch()} />}
    </Card>
  );
}

/** The shopper's hub: who I am, my points and tier, my orders, my channel, and the way to everything else. */
export function MePage() {
  const { t } = useTranslation();
  const session = useSession();
  const channel = useDistributionMe(session);

  if (session === null) {
    return (
      <div style={{ maxWidth: 640, margin: '0 auto' }} data-testid="me-page">
        <SignInPrompt next="/me" title={t('account.me.signedOutTitle')} text={t('account.me.signedOutText')} />
        <Card size="small">
          <MenuLink
            href="/explorer"
            icon={<SafetyCertificateOutlined />}
            label={t('nav.explorer')}
            hint={t('account.me.explorerHint')}
          />
          <LanguageChoice />
        </Card>
      </div>
    );
  }

  return (
    <div style={{ maxWidth: 640, margin: '0 auto' }} data-testid="me-page">
      <AccountCard session={session} />
      <PointsCard session={session} channel={channel.data} />
      <OrdersCard />
      {channel.data?.promoter && <PromoterCard session={session} channel={channel.data} />}
      <Card size="small" style={{ marginBottom: 12 }}>
        <MenuLink
          href="/invite"
          icon={<GiftOutlined />}
          label={t('account.me.invite')}
          hint={t('account.me.inviteHint')}
          testId="me-invite"
        />
        <MenuLink
          href="/console"
          icon={<AppstoreOutlined />}
          label={t('console.title')}
          hint={t('account.me.consoleHint')}
          testId="me-console"
        />
        <MenuLink
          href="/wallet"
          icon={<WalletOutlined />}
          label={t('account.me.wallet')}
          hint={t('account.me.walletHint')}
          testId="me-wallet"
        />
        <MenuLink
          href="/explorer"
          icon={<SafetyCertificateOutlined />}
          label={t('nav.explorer')}
          hint={t('account.me.explorerHint')}
          testId="me-explorer"
        />
        <LanguageChoice />
      </Card>
    </div>
  );
}
