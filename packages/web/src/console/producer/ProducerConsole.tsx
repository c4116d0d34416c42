import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useSession } from '../../session/session-store';
import { useMe } from '../../session/use-me';
import { ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { useTabInAddress } from '../use-tab-in-address';
import { ApplyProducer } from './ApplyProducer';
import { MoneyTab } from './MoneyTab';
import { OrdersTab } from './OrdersTab';
import { ProductsTab } from './ProductsTab';
import { QualityTab } from './QualityTab';

const TABS = ['products', 'orders', 'quality', 'money'] as const;

/** The producer's console: products and claims, orders to fulfil, quality rounds and appeals, money. */
export function ProducerConsole() {
  const { t } = useTranslation();
  const session = useSession();
  const [tab, choose] = useTabInAddress(TABS, 'products');
  const me = useMe(session);
  if (session === null) return <SignInPrompt next="/console/producer" title={t('console.producer.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data.roles.includes('producer')) return <ApplyProducer />;

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
