import {
  AppstoreOutlined,
  HomeOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
  ShoppingCartOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Layout, Space } from 'antd';
import { type ReactNode, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { api, unwrap } from '../api/client';
import type { Language } from '../i18n';
import { useSession } from '../session/session-store';
import { shortDid } from '../shared/format';
import { Loading } from '../shared/states';
import { useIsPhone } from '../shared/use-media';

const TABS = [
  { path: '/', icon: <HomeOutlined />, label: 'nav.home' },
  { path: '/search', icon: <AppstoreOutlined />, label: 'nav.browse' },
  { path: '/cart', icon: <ShoppingCartOutlined />, label: 'nav.cart' },
  { path: '/me', icon: <UserOutlined />, label: 'nav.me' },
] as const;

/** How many items are in the signed-in shopper's cart (the header's and the tab bar's badge). */
function useCartCount(): number {
  const session = useSession();
  const cart = useQuery({
    queryKey: ['cart'],
    queryFn: () => unwrap(api.GET('/v1/cart')),
    enabled: session !== null,
  });
  return session === null ? 0 : (cart.data?.items.reduce((sum, item) => sum + item.quantity, 0) ?? 0);
}

/** 中文 ⇄ English: one tap, the choice kept for the next visit. */
function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const next: Language = language === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      type="text"
      aria-label={t('language')}
      data-testid="language-switch"
      onClick={() => void i18n.changeLanguage(next)}
    >
      {next === 'en' ? 'English' : '中文'}
    </Button>
  );
}

/** A plain search form: the header is on every page, so it carries no heavy input component. */
function SearchBox({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  return (
    <search style={{ display: 'flex', flex: 1, justifyContent: compact ? 'stretch' : 'center' }}>
      <form
        data-testid="search-box"
        style={{ display: 'flex', width: '100%', maxWidth: compact ? undefined : 420 }}
        onSubmit={(event) => {
          event.preventDefault();
          const q = String(new FormData(event.currentTarget).get('q') ?? '').trim();
          navigate(q === '' ? '/search' : `/search?q=${encodeURIComponent(q)}`);
        }}
      >
        <input
          name="q"
          type="search"
          enterKeyHint="search"
          aria-label={t('nav.search')}
          placeholder={t('nav.searchPlaceholder')}
          style={{
            flex: 1,
            minWidth: 0,
            height: compact ? 34 : 38,
            padding: '0 12px',
            border: '1px solid #d9d9d9',
            borderRight: 'none',
            borderRadius: '8px 0 0 8px',
            fontSize: 14,
            outline: 'none',
          }}
        />
        <Button
          htmlType="submit"
          type="primary"
          icon={<SearchOutlined />}
          aria-label={t('nav.search')}
          style={{ height: compact ? 34 : 38, borderRadius: '0 8px 8px 0' }}
        />
      </form>
    </search>
  );
}

/** How many items: a small red count over an icon (none when zero). */
function CountBadge({ count, children }: { count: number; children: ReactNode }) {
  return (
    <span style={{ position: 'relative', display: 'inline-flex' }}>
      {children}
      {count > 0 && (
        <span
          data-testid="cart-count"
          style={{
            position: 'absolute',
            top: -6,
            right: -10,
            minWidth: 16,
            height: 16,
            padding: '0 4px',
            borderRadius: 8,
            background: '#ff4d4f',
            color: '#fff',
            fontSize: 11,
            lineHeight: '16px',
            textAlign: 'center',
          }}
        >
          {count > 99 ? '99+' : count}
        </span>
      )}
    </span>
  );
}

function AccountButton() {
  const { t } = useTranslation();
  const session = useSession();
  return session === null ? (
    <Link href="/wallet">
      <Button type="primary" data-testid="sign-in">
        {t('nav.signIn')}
      </Button>
    </Link>
  ) : (
    <Link href="/me" data-testid="account-link">
      <Button icon={<UserOutlined />}>{shortDid(session.did)}</Button>
    </Link>
  );
}

/** The phone's bottom tab bar: home, browse, cart, me — where a thumb reaches. */
function TabBar({ cartCount }: { cartCount: number }) {
  const { t } = useTranslation();
  const [location] = useLocation();
  return (
    <nav
      aria-label={t('nav.tabs')}
      style={{
        position: 'fixed',
        insetInline: 0,
        bottom: 0,
        height: 56,
        display: 'flex',
        background: '#fff',
        borderTop: '1px solid #eee',
        zIndex: 100,
        paddingBottom: 'env(safe-area-inset-bottom)',
      }}
    >
      {TABS.map((tab) => {
        const active = tab.path === '/' ? location === '/' : location.startsWith(tab.path);
        const icon = tab.path === '/cart' ? <CountBadge count={cartCount}>{tab.icon}</CountBadge> : tab.icon;
        return (
          <Link
            key={tab.path}
            href={tab.path}
            data-testid={`tab-${tab.path.slice(1) || 'home'}`}
            aria-current={active ? 'page' : undefined}
            style={{
              flex: 1,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              fontSize: 12,
              color: active ? '#1f6f5c' : '#555',
              gap: 2,
            }}
          >
            <span style={{ fontSize: 20 }}>{icon}</span>
            {t(tab.label)}
          </Link>
        );
      })}
    </nav>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const cartCount = useCartCount();
  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f6f7' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          background: '#fff',
          paddingInline: phone ? 12 : 24,
          height: 56,
          lineHeight: '56px',
          position: 'sticky',
          top: 0,
          zIndex: 100,
          borderBottom: '1px solid #eee',
        }}
      >
        <Link href="/" aria-label={t('nav.home')} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          {!phone && (
            <h1 style={{ margin: 0, fontSize: 20, whiteSpace: 'nowrap', color: '#1f2a27' }} data-testid="brand">
              {t('brand')}
            </h1>
          )}
        </Link>
        <div style={{ flex: 1, display: 'flex', justifyContent: phone ? 'stretch' : 'center', lineHeight: 'normal' }}>
          <SearchBox compact={phone} />
        </div>
        {!phone && (
          <Space size="middle">
            <Link href="/explorer">
              <Button type="text" icon={<SafetyCertificateOutlined />}>
                {t('nav.explorer')}
              </Button>
            </Link>
            <Link href="/cart" data-testid="header-cart">
              <CountBadge count={cartCount}>
                <Button icon={<ShoppingCartOutlined />} aria-label={t('nav.cart')} />
              </CountBadge>
            </Link>
            <LanguageSwitch />
            <AccountButton />
          </Space>
        )}
      </Layout.Header>
      <Layout.Content
        style={{
          padding: phone ? '12px 12px 72px' : 24,
          maxWidth: 1180,
          width: '100%',
          margin: '0 auto',
        }}
      >
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </Layout.Content>
      {phone ? (
        <TabBar cartCount={cartCount} />
      ) : (
        <Layout.Footer style={{ textAlign: 'center' }}>
          <Space separator="·" wrap>
            <span>{t('footer')}</span>
            <Link href="/explorer">{t('nav.explorer')}</Link>
            <Link href="/status">{t('nav.status')}</Link>
            <a href="/docs">{t('links.docs')}</a>
          </Space>
        </Layout.Footer>
      )}
    </Layout>
  );
}

export { LanguageSwitch };
