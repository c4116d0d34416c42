import { SafetyOutlined } from '@ant-design/icons';
import { Result, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useSession } from '../../session/session-store';
import { useMe } from '../../session/use-me';
import { shortDid } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { SandboxClock } from '../sandbox/SandboxClock';
import { useTabInAddress } from '../use-tab-in-address';
import { Arbitration } from './Arbitration';
import { Cycles } from './Cycles';
import { Panels } from './Panels';
import { Policies } from './Policies';
import { ReviewQueue } from './ReviewQueue';
import { RoleApplications } from './RoleApplications';
import { Witnesses } from './Witnesses';

const TABS = ['applications', 'reviews', 'cycles', 'arbitration', 'panels', 'witnesses', 'policies'] as const;
type Tab = (typeof TABS)[number];

const CONTENT: Record<Tab, () => React.ReactNode> = {
  applications: () => <RoleApplications />,
  reviews: () => <ReviewQueue />,
  cycles: () => <Cycles />,
  arbitration: () => <Arbitration />,
  panels: () => <Panels />,
  witnesses: () => <Witnesses />,
  policies: () => <Policies />,
};

/**
 * The operator's console: role applications, the review queue (held orders, withdrawals), settlement
 * cycles with their results and charts, arbitration cases, tester panels and test rounds, the
 * witnesses and quorum, and the policies in force. Every decision is signed in this browser.
 */
export function OperatorConsole() {
  const { t } = useTranslation();
  const session = useSession();
  const me = useMe(session);
  const [tab, choose] = useTabInAddress(TABS, 'applications');

  if (session === null) return <SignInPrompt next="/console/operator" title={t('console.operator.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data.roles.includes('operator'))
    return (
      <Result
        status="403"
        title={t('console.operator.notOperator')}
        subTitle={t('console.operator.notOperatorText', { did: shortDid(session.did) })}
        extra={<Link href="/console">{t('console.operator.back')}</Link>}
        data-testid="not-operator"
      />
    );

  return (
    <div data-testid="operator-console">
      <Typography.Title level={3} style={{ fontSize: 20, margin: '4px 0' }}>
        <SafetyOutlined style={{ color: '#1f6f5c' }} /> {t('console.operator.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.operator.text')}</Typography.Paragraph>
      <SandboxClock />
      <Tabs
        activeKey={tab}
        onChange={choose}
        destroyOnHidden
        items={TABS.map((key) => ({
          key,
          label: <span data-testid={`op-tab-${key}`}>{t(`console.operator.tabs.${key}`)}</span>,
          children: CONTENT[key](),
        }))}
      />
    </div>
  );
}
