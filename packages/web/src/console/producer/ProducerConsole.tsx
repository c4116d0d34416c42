import { useQuery } from '@tanstack/react-query';
import { Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { ApplyProducer } from './ApplyProducer';
import { MoneyTab } from './MoneyTab';
import { OrdersTab } from './OrdersTab';
import { ProductsTab } from './ProductsTab';
import { QualityTab } from './QualityTab';

const TABS = ['products', 'orders', 'quality', 'money'] as const;
type Tab = (typeof TABS)[number];

/** The tab named in the address (?tab=orders), so a reload or a shared link opens it again. */
function tabInAddress(): Tab {
  const wanted = new URLSearchParams(globalThis.location?.search ?? '').get('tab');
  return (TABS as readonly string[]).includes(wanted ?? '') ? (wanted as Tab) : 'products';
}

/** The producer's console: products and claims, orders to fulfil, quality rounds and appeals, money. */
export function ProducerConsole() {
  const { t } = useTranslation();
  const session = useSession();
  const [tab, setTab] = useState<Tab>(tabInAddress);
  const me = useQuery({
    queryKey: ['/v1/me', session?.did ?? ''],
    queryFn: () => unwrap(api.GET('/v1/me')),
    enabled: session !== null,
  });
  if (session === null) return <SignInPrompt next="/console/producer" title={t('console.producer.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data.roles.includes('producer')) return <ApplyProducer />;

  const choose = (next: string) => {
    setTab(next as Tab);
    const url = new URL(globalThis.location.href);
    url.searchParams.set('tab', next);
    globalThis.history.replaceState(globalThis.history.state, '', url);
  };
  const did = session.did;
  return (
    <div data-testid="producer-console" style={{ maxWidth: 1120, margin: '0 auto' }}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 12, flexWrap: 'wrap' }}>
        <h2 style={{ fontSize: 20, margin: '4px 0' }}>{t('console.producer.title')}</h2>
        <Link href="/console">{t('console.producer.allConsoles')}</Link>
      </div>
      <p style={{ color: '#5b6b66', margin: '0 0 8px' }}>{t('console.producer.text')}</p>
      <Tabs
        activeKey={tab}
        onChange={choose}
        destroyOnHidden
        items={TABS.map((key) => ({
          key,
          label: <span data-testid={`producer-tab-${key}`}>{t(`console.producer.tabs.${key}`)}</span>,
          children:
            key === 'products' ? (
              <ProductsTab did={did} />
            ) : key === 'orders' ? (
              <OrdersTab did={did} />
            ) : key === 'quality' ? (
              <QualityTab did={did} />
            ) : (
              <MoneyTab did={did} />
            ),
        }))}
      />
    </div>
  );
}
